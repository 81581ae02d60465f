import Foundation

/// Turns kubectl's standard output into the tool's text: plain text capped at the output limit; JSON (from the
/// rewritten `-o yaml`/`-o json`, or `get --raw`) parsed, redacted with `KubeRedaction` and rendered as YAML
/// or JSON through `ResultFormatter`, lists cut between items.
///
/// Pure value type, any thread (runs in the tool's task). Fails closed: JSON that cannot be parsed is not shown
/// unless Secret values may be shown, since it could hold them.
struct KubectlOutputRenderer: Sendable {
    /// The output limit in bytes (`--output-limit-bytes`).
    var maxBytes: Int
    var showSecrets: Bool

    /// The body (first content block) and notes about cuts and redactions.
    struct Rendered: Sendable, Equatable {
        var body: String
        var notes: [String]
    }

    /// Why the output cannot be shown; the message for the tool error.
    struct Failure: Error, Sendable, Equatable {
        var message: String
    }

    /// Renders `stdout` for `mode`. `processTruncated` says the process reader dropped output beyond its cap.
    func render(stdout: [UInt8], mode: KubectlInvocation.Output, processTruncated: Bool,
                processLimit: Int) throws(Failure) -> Rendered {
        switch mode {
        case .text:
            return text(stdout, processTruncated: processTruncated, processLimit: processLimit)
        case .structured(let format):
            return try structured(stdout, format: format, processTruncated: processTruncated, processLimit: processLimit)
        case .raw:
            let first = stdout.first { !Self.isWhitespace($0) }
            if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
                return try structured(stdout, format: .json, processTruncated: processTruncated,
                                      processLimit: processLimit)
            }
            return text(stdout, processTruncated: processTruncated, processLimit: processLimit)
        }
    }

    private func text(_ stdout: [UInt8], processTruncated: Bool, processLimit: Int) -> Rendered {
        let output = OutputLimiter(maxBytes: maxBytes).limit(text: String(decoding: stdout, as: UTF8.self))
        var notes: [String] = []
        if let note = output.note { notes.append(note) }
        if processTruncated {
            notes.append("kubectl printed more than \(OutputLimiter.byteSize(processLimit)); the rest was dropped.")
        }
        return Rendered(body: output.text, notes: notes)
    }

    private func structured(_ stdout: [UInt8], format: ListFormat, processTruncated: Bool,
                            processLimit: Int) throws(Failure) -> Rendered {
        if processTruncated {
            throw Failure(message: "kubectl printed more than \(OutputLimiter.byteSize(processLimit)) of JSON, which "
                          + "cannot be redacted and shown in part. Narrow the query (a name, -l, --field-selector, "
                          + "--chunk-size with a smaller list) or use the table output.")
        }
        let documents: [JSONValue]
        do {
            documents = try Self.documents(stdout)
        } catch {
            if showSecrets { return text(stdout, processTruncated: false, processLimit: processLimit) }
            throw Failure(message: "kubectl's output is not valid JSON (\(error)), so it could not be checked for "
                          + "Secret values and is not shown. Use the table output, or -o yaml/-o json on a "
                          + "narrower query.")
        }
        guard !documents.isEmpty else { return Rendered(body: "", notes: []) }
        let document: JSONValue = documents.count == 1
            ? documents[0]
            : ["apiVersion": "v1", "kind": "List", "items": .array(documents)]
        let formatter = ResultFormatter(format: format, maxBytes: maxBytes,
                                        redaction: KubeRedaction(showSecrets: showSecrets), now: Date())
        let formatted = formatter.render(document)
        return Rendered(body: formatted.body, notes: formatted.notes)
    }

    // MARK: - JSON documents

    /// The JSON values printed one after another (kubectl prints one per object for several objects of
    /// `apply -o json`); whitespace between them is skipped. Each must be an object or an array.
    static func documents(_ bytes: [UInt8]) throws(JSONParseError) -> [JSONValue] {
        var values: [JSONValue] = []
        var index = 0
        while true {
            while index < bytes.count && isWhitespace(bytes[index]) { index += 1 }
            guard index < bytes.count else { return values }
            guard bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") else {
                throw JSONParseError(offset: index, reason: "expected an object or an array")
            }
            let end = try endOfValue(bytes, from: index)
            let value = try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                try JSONParser.parse(UnsafeBufferPointer(rebasing: buffer[index..<end]))
            }
            values.append(value)
            index = end
        }
    }

    /// The index after the object or array starting at `start`, found by counting brackets outside strings.
    private static func endOfValue(_ bytes: [UInt8], from start: Int) throws(JSONParseError) -> Int {
        var depth = 0
        var inString = false
        var escaped = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
        }
        throw JSONParseError(offset: bytes.count, reason: "unexpected end of input")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
