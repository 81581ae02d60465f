/// Serialises `JSONValue`s to YAML block text laid out like `kubectl get -o yaml`: two-space indentation,
/// sequences inside mappings at the same indentation as their key, `{}` and `[]` for empty collections,
/// literal block scalars (`|`, `|-`, `|+`) for multi-line strings, and object members in their original order.
///
/// Pure value type, any thread. Output is a single pass over the value into a byte buffer. Strings that a
/// YAML 1.1 or 1.2 reader would take for another type (`"true"`, `"no"`, `"123"`, `"1.5"`, `"0x1F"`, `"~"`,
/// `""`, timestamps) are double-quoted, as kubectl does; strings that are not plain-safe (leading indicator,
/// `: `, ` #`, surrounding spaces) are single-quoted; strings with control characters are double-quoted with
/// escapes. Integers stay integers and doubles always carry a `.` or an exponent, so types survive a
/// round trip.
public struct YAMLWriter {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Encodes one value as a YAML document (no `---` marker), ending with a newline.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var w = YAMLWriter()
        w.writeDocument(value)
        return w.bytes
    }

    /// Encodes one value as a YAML document String.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// Writes `value` as a whole document at indentation 0.
    public mutating func writeDocument(_ value: JSONValue) {
        switch value {
        case .object(let o) where !o.isEmpty: writeMembers(o, indent: 0, firstInline: false)
        case .array(let a) where !a.isEmpty: writeItems(a, indent: 0, firstInline: false)
        default: writeScalarLine(value, blockIndent: 2)
        }
    }

    /// Writes one `key: value` member of a mapping whose keys sit at column `indent`.
    public mutating func writeMember(key: String, value: JSONValue, indent: Int) {
        writeIndent(indent)
        writeMemberAfterIndent(key: key, value: value, indent: indent)
    }

    /// Writes `key:` and a line break, for a caller that writes the member's block value itself (for example
    /// sequence items at the same `indent`, kubectl style).
    public mutating func writeKeyLine(_ key: String, indent: Int) {
        writeIndent(indent)
        if writeKey(key, indent: indent) {
            bytes.append(UInt8(ascii: "\n"))
            writeIndent(indent)
            bytes.append(UInt8(ascii: ":"))
        } else {
            bytes.append(UInt8(ascii: ":"))
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Writes one `- item` entry of a block sequence whose dashes sit at column `indent`.
    public mutating func writeSequenceItem(_ value: JSONValue, indent: Int) {
        writeIndent(indent)
        bytes.append(UInt8(ascii: "-"))
        bytes.append(UInt8(ascii: " "))
        writeAfterIndicator(value, indent: indent)
    }

    /// Appends bytes that are already valid YAML at this position.
    public mutating func appendRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    // MARK: - Collections

    private mutating func writeMembers(_ o: JSONObject, indent: Int, firstInline: Bool) {
        var first = true
        for (key, value) in o.members {
            if !(first && firstInline) { writeIndent(indent) }
            first = false
            writeMemberAfterIndent(key: key, value: value, indent: indent)
        }
    }

    private mutating func writeItems(_ a: [JSONValue], indent: Int, firstInline: Bool) {
        var first = true
        for item in a {
            if !(first && firstInline) { writeIndent(indent) }
            first = false
            bytes.append(UInt8(ascii: "-"))
            bytes.append(UInt8(ascii: " "))
            writeAfterIndicator(item, indent: indent)
        }
    }

    /// The key (and its value) once the indentation of the line is written.
    private mutating func writeMemberAfterIndent(key: String, value: JSONValue, indent: Int) {
        if writeKey(key, indent: indent) {
            // Explicit key (`? key` then `: value`): the value sits after a two-column indicator.
            bytes.append(UInt8(ascii: "\n"))
            writeIndent(indent)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(UInt8(ascii: " "))
            writeAfterIndicator(value, indent: indent)
            return
        }
        bytes.append(UInt8(ascii: ":"))
        switch value {
        case .object(let o) where !o.isEmpty:
            bytes.append(UInt8(ascii: "\n"))
            writeMembers(o, indent: indent + 2, firstInline: false)
        case .array(let a) where !a.isEmpty:
            bytes.append(UInt8(ascii: "\n"))
            writeItems(a, indent: indent, firstInline: false)
        default:
            bytes.append(UInt8(ascii: " "))
            writeScalarLine(value, blockIndent: indent + 2)
        }
    }

    /// A value written right after a two-column indicator (`- ` or `: `) placed at column `indent`.
    private mutating func writeAfterIndicator(_ value: JSONValue, indent: Int) {
        switch value {
        case .object(let o) where !o.isEmpty: writeMembers(o, indent: indent + 2, firstInline: true)
        case .array(let a) where !a.isEmpty: writeItems(a, indent: indent + 2, firstInline: true)
        default: writeScalarLine(value, blockIndent: indent + 2)
        }
    }

    /// Writes a mapping key. Returns true when the key was too long for an implicit key (YAML readers stop
    /// at 1024 characters) and was written as an explicit `? key` instead; the caller then writes `:` on a
    /// new line.
    private mutating func writeKey(_ key: String, indent: Int) -> Bool {
        let start = bytes.count
        writeString(key, blockIndent: indent + 2, isKey: true)
        guard bytes.count - start > 1000 else { return false }
        bytes.removeSubrange(start...)
        bytes.append(UInt8(ascii: "?"))
        bytes.append(UInt8(ascii: " "))
        writeString(key, blockIndent: indent + 2, isKey: true)
        return true
    }

    private mutating func writeIndent(_ indent: Int) {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
    }

    // MARK: - Scalars

    /// Writes a scalar (or `{}` / `[]`) and ends the line. Block scalars put their content at `blockIndent`.
    private mutating func writeScalarLine(_ value: JSONValue, blockIndent: Int) {
        switch value {
        case .null: appendASCII("null")
        case .bool(let b): appendASCII(b ? "true" : "false")
        case .int(let i): bytes.append(contentsOf: String(i).utf8)
        case .double(let d): writeDouble(d)
        case .string(let s):
            // Block scalars end their own last line.
            if writeString(s, blockIndent: blockIndent, isKey: false) { return }
        case .array: appendASCII("[]")
        case .object: appendASCII("{}")
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func writeDouble(_ d: Double) {
        if d.isNaN { appendASCII(".nan"); return }
        if d.isInfinite { appendASCII(d < 0 ? "-.inf" : ".inf"); return }
        let text = "\(d)"
        // Swift prints `1e-07`; YAML 1.1 readers need a dot to see a float: `1.0e-07`.
        if text.utf8.contains(UInt8(ascii: ".")) {
            bytes.append(contentsOf: text.utf8)
        } else if let e = text.utf8.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            bytes.append(contentsOf: text.utf8[..<e])
            appendASCII(".0")
            bytes.append(contentsOf: text.utf8[e...])
        } else {
            bytes.append(contentsOf: text.utf8)
            appendASCII(".0")
        }
    }

    private enum Style {
        case plain, singleQuoted, doubleQuoted, literal
    }

    /// Writes a string in the style it needs. Returns true when it wrote a literal block (which ends its
    /// own last line).
    @discardableResult
    private mutating func writeString(_ s: String, blockIndent: Int, isKey: Bool) -> Bool {
        var s = s
        return s.withUTF8 { utf8 in
            switch Self.style(of: utf8, isKey: isKey) {
            case .plain:
                bytes.append(contentsOf: utf8)
            case .singleQuoted:
                writeSingleQuoted(utf8)
            case .doubleQuoted:
                writeDoubleQuoted(utf8)
            case .literal:
                writeLiteral(utf8, indent: blockIndent)
                return true
            }
            return false
        }
    }

    /// Chooses the presentation of a string from one scan of its bytes.
    private static func style(of s: UnsafeBufferPointer<UInt8>, isKey: Bool) -> Style {
        let n = s.count
        if n == 0 { return .doubleQuoted }
        var hasNewline = false
        var hasTab = false
        var needsQuotes = false
        var i = 0
        while i < n {
            let b = s[i]
            switch b {
            case 0x0A:
                hasNewline = true
            case 0x09:
                hasTab = true
            case 0x00..<0x20, 0x7F:
                return .doubleQuoted
            case 0xC2 where i + 1 < n && (0x80...0x9F).contains(s[i + 1]):
                // C1 controls, including NEL (U+0085), a line break for YAML 1.1 readers.
                return .doubleQuoted
            case 0xE2 where i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9):
                // LINE SEPARATOR and PARAGRAPH SEPARATOR.
                return .doubleQuoted
            case 0xEF where i + 2 < n
                && ((s[i + 1] == 0xBB && s[i + 2] == 0xBF) || (s[i + 1] == 0xBF && s[i + 2] >= 0xBE)):
                // Byte order mark and the non-characters U+FFFE, U+FFFF.
                return .doubleQuoted
            case UInt8(ascii: ":"):
                if i + 1 == n || s[i + 1] == 0x20 || s[i + 1] == 0x09 || s[i + 1] == 0x0A { needsQuotes = true }
            case UInt8(ascii: "#"):
                if i > 0 && (s[i - 1] == 0x20 || s[i - 1] == 0x09) { needsQuotes = true }
            default:
                break
            }
            i += 1
        }
        if hasNewline {
            if isKey { return .doubleQuoted }
            // A literal block cannot start with white space (its indentation would be misread) or a break.
            let first = s[0]
            if first == 0x20 || first == 0x09 || first == 0x0A { return .doubleQuoted }
            return .literal
        }
        if hasTab { return .doubleQuoted }
        if resolvesToNonString(s) { return .doubleQuoted }
        if needsQuotes { return .singleQuoted }
        let first = s[0]
        let last = s[n - 1]
        if first == 0x20 || last == 0x20 { return .singleQuoted }
        switch first {
        case UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"),
             UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
             UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
             UInt8(ascii: "`"):
            return .singleQuoted
        case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
            if n == 1 || s[1] == 0x20 { return .singleQuoted }
            if n >= 3 && s[0] == UInt8(ascii: "-") && s[1] == UInt8(ascii: "-") && s[2] == UInt8(ascii: "-") {
                return .singleQuoted  // document marker
            }
        case UInt8(ascii: "."):
            if n >= 3 && s[1] == UInt8(ascii: ".") && s[2] == UInt8(ascii: ".") { return .singleQuoted }
        default:
            break
        }
        return .plain
    }

    /// True when a plain scalar with this text would be read as null, a boolean, a number, a timestamp, or
    /// a merge/value key by a YAML 1.1 or 1.2 core-schema reader (a superset of what Yams resolves).
    static func resolvesToNonString(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = s.count
        guard n > 0 else { return true }
        let first = s[0]
        switch first {
        case UInt8(ascii: "~"):
            return n == 1
        case UInt8(ascii: "<"):
            return n == 2 && s[1] == UInt8(ascii: "<")
        case UInt8(ascii: "="):
            return n == 1
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "t"),
             UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            guard n <= 5 else { return false }
            return Self.reservedWords.contains(where: { $0.elementsEqual(s) })
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return looksNumeric(s) || looksLikeTimestamp(s)
        default:
            return false
        }
    }

    /// Words YAML 1.1 readers (and Yams) resolve to booleans or null.
    private static let reservedWords: [[UInt8]] = [
        "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES",
        "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
    ].map { Array($0.utf8) }

    /// Integers (decimal, `0b`, `0o`, `0x`, `_` separators, sexagesimal `1:30`) and floats (`1.5`, `1.`, `.5`,
    /// `1e3`, `.inf`, `.nan`), each with an optional sign.
    private static func looksNumeric(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = s.count
        var i = 0
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        guard i < n else { return false }
        if s[i] == UInt8(ascii: ".") {
            let rest = n - i - 1
            if rest == 3 {
                let word = String(decoding: UnsafeBufferPointer(rebasing: s[(i + 1)...]), as: UTF8.self)
                if ["inf", "Inf", "INF", "nan", "NaN", "NAN"].contains(word) { return true }
            }
            i += 1
            let digitsStart = i
            while i < n && (isDigit(s[i]) || s[i] == UInt8(ascii: "_")) { i += 1 }
            guard i > digitsStart else { return false }
            return exponentEnds(s, at: i)
        }
        guard isDigit(s[i]) else { return false }
        if s[i] == UInt8(ascii: "0") && i + 1 < n {
            let radix = s[i + 1] | 0x20
            if radix == UInt8(ascii: "b") || radix == UInt8(ascii: "o") || radix == UInt8(ascii: "x") {
                i += 2
                let start = i
                while i < n && (isDigit(s[i]) || s[i] == UInt8(ascii: "_")
                                || ((s[i] | 0x20) >= UInt8(ascii: "a") && (s[i] | 0x20) <= UInt8(ascii: "f"))) {
                    i += 1
                }
                return i == n && i > start
            }
        }
        while i < n && (isDigit(s[i]) || s[i] == UInt8(ascii: "_")) { i += 1 }
        while i < n && s[i] == UInt8(ascii: ":") {
            i += 1
            let start = i
            while i < n && (isDigit(s[i]) || s[i] == UInt8(ascii: "_")) { i += 1 }
            if i == start { return false }
        }
        if i < n && s[i] == UInt8(ascii: ".") {
            i += 1
            while i < n && (isDigit(s[i]) || s[i] == UInt8(ascii: "_")) { i += 1 }
        }
        return exponentEnds(s, at: i)
    }

    /// True when `s[i...]` is empty or exactly an exponent `[eE][-+]?[0-9]+`.
    private static func exponentEnds(_ s: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let n = s.count
        var i = start
        if i == n { return true }
        guard s[i] | 0x20 == UInt8(ascii: "e") else { return false }
        i += 1
        if i < n && (s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-")) { i += 1 }
        let digits = i
        while i < n && s[i] >= 0x30 && s[i] <= 0x39 { i += 1 }
        return i == n && i > digits
    }

    /// `YYYY-M…`: the start of every YAML timestamp (a superset, quoting a few harmless strings too).
    private static func looksLikeTimestamp(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard s.count >= 6 else { return false }
        for i in 0..<4 where !(s[i] >= 0x30 && s[i] <= 0x39) { return false }
        return s[4] == UInt8(ascii: "-") && s[5] >= 0x30 && s[5] <= 0x39
    }

    private mutating func writeSingleQuoted(_ s: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "'"))
        for b in s {
            if b == UInt8(ascii: "'") { bytes.append(b) }
            bytes.append(b)
        }
        bytes.append(UInt8(ascii: "'"))
    }

    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    private mutating func writeDoubleQuoted(_ s: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        let n = s.count
        var i = 0
        var runStart = 0
        func flush(_ end: Int, into bytes: inout [UInt8]) {
            if runStart < end { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<end])) }
        }
        while i < n {
            let b = s[i]
            var escape: [UInt8]?
            var width = 1
            switch b {
            case UInt8(ascii: "\""): escape = [0x5C, UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): escape = [0x5C, 0x5C]
            case 0x00: escape = [0x5C, UInt8(ascii: "0")]
            case 0x07: escape = [0x5C, UInt8(ascii: "a")]
            case 0x08: escape = [0x5C, UInt8(ascii: "b")]
            case 0x09: escape = [0x5C, UInt8(ascii: "t")]
            case 0x0A: escape = [0x5C, UInt8(ascii: "n")]
            case 0x0B: escape = [0x5C, UInt8(ascii: "v")]
            case 0x0C: escape = [0x5C, UInt8(ascii: "f")]
            case 0x0D: escape = [0x5C, UInt8(ascii: "r")]
            case 0x1B: escape = [0x5C, UInt8(ascii: "e")]
            case 0x01..<0x20, 0x7F:
                escape = [0x5C, UInt8(ascii: "x"), Self.hex[Int(b >> 4)], Self.hex[Int(b & 0xF)]]
            case 0xC2 where i + 1 < n && (0x80...0x9F).contains(s[i + 1]):
                let c = s[i + 1]
                escape = c == 0x85
                    ? [0x5C, UInt8(ascii: "N")]
                    : [0x5C, UInt8(ascii: "x"), Self.hex[Int(c >> 4)], Self.hex[Int(c & 0xF)]]
                width = 2
            case 0xE2 where i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9):
                escape = [0x5C, s[i + 2] == 0xA8 ? UInt8(ascii: "L") : UInt8(ascii: "P")]
                width = 3
            case 0xEF where i + 2 < n
                && ((s[i + 1] == 0xBB && s[i + 2] == 0xBF) || (s[i + 1] == 0xBF && s[i + 2] >= 0xBE)):
                escape = Array((s[i + 1] == 0xBB ? "\\uFEFF" : (s[i + 2] == 0xBE ? "\\uFFFE" : "\\uFFFF")).utf8)
                width = 3
            default:
                break
            }
            if let escape {
                flush(i, into: &bytes)
                bytes.append(contentsOf: escape)
                i += width
                runStart = i
            } else {
                i += 1
            }
        }
        flush(n, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A literal block: `|` keeps one final line break, `|-` none, `|+` several. Content lines are indented
    /// by `indent`; empty lines stay empty (no trailing spaces).
    private mutating func writeLiteral(_ s: UnsafeBufferPointer<UInt8>, indent: Int) {
        let n = s.count
        var trailingBreaks = 0
        while trailingBreaks < n && s[n - 1 - trailingBreaks] == 0x0A { trailingBreaks += 1 }
        bytes.append(UInt8(ascii: "|"))
        if trailingBreaks == 0 {
            bytes.append(UInt8(ascii: "-"))
        } else if trailingBreaks > 1 {
            bytes.append(UInt8(ascii: "+"))
        }
        bytes.append(UInt8(ascii: "\n"))
        var lineStart = 0
        while lineStart < n {
            var lineEnd = lineStart
            while lineEnd < n && s[lineEnd] != 0x0A { lineEnd += 1 }
            if lineEnd > lineStart {
                writeIndent(indent)
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[lineStart..<lineEnd]))
            }
            bytes.append(UInt8(ascii: "\n"))
            lineStart = lineEnd + 1
        }
    }

    private mutating func appendASCII(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
}
