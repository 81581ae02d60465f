/// Caps a tool result at `maxBytes` of UTF-8 without breaking its structure, and writes a note saying what
/// was left out and how to get it.
///
/// Pure value type, any thread. Tables are cut between rows (the header always stays), YAML and JSON lists
/// between items (each item is serialised on its own and only until the budget is spent, so the output stays
/// a valid document and a 5,000-item list costs no more than the items shown), other text at a line break
/// (or, for one long line, at a character boundary). The limit applies to the body; the note, a few hundred
/// bytes, comes on top. The note uses what the caller knows (`Context`): the resource's plural name, the
/// total, and the API's `metadata.continue` / `remainingItemCount`.
public struct OutputLimiter: Sendable, Equatable {
    /// 64 KiB: large enough for a few hundred table rows, small enough for a model's context.
    public static let defaultMaxBytes = 64 * 1024

    public var maxBytes: Int

    public init(maxBytes: Int = OutputLimiter.defaultMaxBytes) {
        self.maxBytes = max(maxBytes, 0)
    }

    /// What the caller knows about the collection a result comes from.
    public struct Context: Sendable, Equatable {
        /// Plural name for the note, e.g. `pods`.
        public var resource: String
        /// Items in the whole collection, when known.
        public var total: Int?
        /// The API's `metadata.continue`: the token of the page after this response.
        public var continueToken: String?
        /// The API's `metadata.remainingItemCount`: items after this response.
        public var remainingItemCount: Int?

        public init(resource: String = "items", total: Int? = nil, continueToken: String? = nil,
                    remainingItemCount: Int? = nil) {
            self.resource = resource
            self.total = total
            self.continueToken = continueToken.flatMap { $0.isEmpty ? nil : $0 }
            self.remainingItemCount = remainingItemCount
        }
    }

    /// How list items are serialised.
    public enum Encoding: Sendable, Equatable {
        case yaml
        /// Compact JSON (`JSONWriter`).
        case json
    }

    /// A limited result.
    public struct Output: Sendable, Equatable {
        /// The body, at most `maxBytes` of UTF-8.
        public var text: String
        /// Rows, items or lines in `text`.
        public var shown: Int
        /// Rows, items or lines in the input.
        public var available: Int
        /// True when something was left out because of the limit.
        public var truncated: Bool
        /// What was left out and how to get it; also set without truncation when the API has more pages.
        public var note: String?
    }

    // MARK: - Tables

    /// Keeps the header and as many whole rows as fit.
    public func limit(table: TableRenderer.Output, context: Context) -> Output {
        var text = table.header
        text.append("\n")
        var size = text.utf8.count
        var shown = 0
        for row in table.rows {
            let rowSize = row.utf8.count + 1
            if size + rowSize > maxBytes { break }
            text.append(row)
            text.append("\n")
            size += rowSize
            shown += 1
        }
        return Output(text: text, shown: shown, available: table.rows.count, truncated: shown < table.rows.count,
                      note: note(shown: shown, available: table.rows.count, context: context))
    }

    // MARK: - Lists

    /// Serialises a list object (its members in order, `items` cut to the items that fit) as one valid YAML
    /// or JSON document.
    public func limit(list: JSONObject, encoding: Encoding, context: Context) -> Output {
        let items = list["items"]?.arrayValue ?? []
        var before: [(key: String, value: JSONValue)] = []
        var after: [(key: String, value: JSONValue)] = []
        var seenItems = false
        for member in list.members {
            if member.key == "items" {
                seenItems = true
            } else if seenItems {
                after.append(member)
            } else {
                before.append(member)
            }
        }

        let head: [UInt8]
        let tail: [UInt8]
        let opening: [UInt8]
        let emptyItems: [UInt8]
        let separator: [UInt8]
        switch encoding {
        case .yaml:
            var w = YAMLWriter()
            for member in before { w.writeMember(key: member.key, value: member.value, indent: 0) }
            head = w.bytes
            w = YAMLWriter()
            for member in after { w.writeMember(key: member.key, value: member.value, indent: 0) }
            tail = w.bytes
            w = YAMLWriter()
            w.writeKeyLine("items", indent: 0)
            opening = w.bytes
            w = YAMLWriter()
            w.writeMember(key: "items", value: .array([]), indent: 0)
            emptyItems = w.bytes
            separator = []
        case .json:
            var w = JSONWriter()
            w.appendRaw("{")
            for member in before {
                w.writeString(member.key)
                w.appendRaw(":")
                w.write(member.value)
                w.appendRaw(",")
            }
            w.appendRaw("\"items\":[")
            head = w.bytes
            w = JSONWriter()
            w.appendRaw("]")
            for member in after {
                w.appendRaw(",")
                w.writeString(member.key)
                w.appendRaw(":")
                w.write(member.value)
            }
            w.appendRaw("}")
            tail = w.bytes
            opening = []
            emptyItems = []
            separator = Array(",".utf8)
        }

        let fixed = head.count + tail.count + max(opening.count, emptyItems.count)
        var body: [UInt8] = []
        var shown = 0
        for item in items {
            let encoded: [UInt8]
            switch encoding {
            case .yaml:
                var w = YAMLWriter()
                w.writeSequenceItem(item, indent: 0)
                encoded = w.bytes
            case .json:
                encoded = JSONWriter.encode(item)
            }
            let extra = (shown > 0 ? separator.count : 0) + encoded.count
            if fixed + body.count + extra > maxBytes { break }
            if shown > 0 { body.append(contentsOf: separator) }
            body.append(contentsOf: encoded)
            shown += 1
        }

        var out: [UInt8] = []
        out.reserveCapacity(head.count + body.count + tail.count + opening.count)
        out.append(contentsOf: head)
        if encoding == .yaml { out.append(contentsOf: shown > 0 ? opening : emptyItems) }
        out.append(contentsOf: body)
        out.append(contentsOf: tail)
        return Output(text: String(decoding: out, as: UTF8.self), shown: shown, available: items.count,
                      truncated: shown < items.count,
                      note: note(shown: shown, available: items.count, context: context))
    }

    // MARK: - Text

    /// Keeps the whole lines that fit; a single line longer than the limit is cut at a character boundary.
    public func limit(text: String) -> Output {
        let utf8 = text.utf8
        let lineCount = Self.lineCount(utf8)
        guard utf8.count > maxBytes else {
            return Output(text: text, shown: lineCount, available: lineCount, truncated: false, note: nil)
        }
        let limitIndex = utf8.index(utf8.startIndex, offsetBy: maxBytes)
        if let lastBreak = utf8[..<limitIndex].lastIndex(of: 0x0A) {
            let kept = String(decoding: utf8[...lastBreak], as: UTF8.self)
            let shown = Self.lineCount(kept.utf8)
            let note = "Showing the first \(Self.grouped(shown)) of \(Self.grouped(lineCount)) lines "
                + "(\(Self.byteSize(maxBytes)) limit)."
            return Output(text: kept, shown: shown, available: lineCount, truncated: true, note: note)
        }
        // One line longer than the limit: back up to the start of a UTF-8 sequence.
        var end = limitIndex
        while end > utf8.startIndex && (utf8[end] & 0xC0) == 0x80 { end = utf8.index(before: end) }
        let kept = String(decoding: utf8[..<end], as: UTF8.self)
        let note = "Showing the first \(Self.grouped(kept.utf8.count)) of \(Self.grouped(utf8.count)) bytes "
            + "(\(Self.byteSize(maxBytes)) limit); the text stops in the middle of a line."
        return Output(text: kept, shown: 0, available: lineCount, truncated: true, note: note)
    }

    // MARK: - Notes

    /// The note for `shown` of `available` rows or items of a response, or nil when there is nothing to say
    /// (all shown and no further page).
    public func note(shown: Int, available: Int, context: Context) -> String? {
        let cut = shown < available
        let token = context.continueToken
        let total = context.total
            ?? context.remainingItemCount.map { available + $0 }
            ?? (token == nil ? available : nil)
        let resource = context.resource
        let ofTotal = total.map { " of \(Self.grouped($0))" } ?? ""
        guard cut else {
            guard let token else { return nil }
            let showing = total == nil
                ? "Showing \(Self.grouped(shown)) \(resource); more are available."
                : "Showing \(Self.grouped(shown))\(ofTotal) \(resource)."
            return showing + " Fetch the next page with continue: \(token)"
        }
        let limit = "(\(Self.byteSize(maxBytes)) limit)"
        let leftOut = available - shown
        var note = "Showing \(Self.grouped(shown))\(ofTotal) \(resource) \(limit)"
        if shown == 0 {
            note += ": the first one alone is larger than the limit. Get it by name, or narrow the query with "
                + "labelSelector/fieldSelector."
        } else if token != nil {
            note += "; \(Self.grouped(leftOut)) more in this page were left out. Narrow the query with "
                + "labelSelector/fieldSelector, or request pages of limit: \(shown) to see them."
        } else {
            note += ". Narrow the query with labelSelector/fieldSelector, or page through the list with "
                + "limit: \(shown) and continue."
        }
        if let token {
            note += " The next page, after the \(Self.grouped(leftOut)) left out, is at continue: \(token)"
        }
        return note
    }

    // MARK: - Formatting

    /// `5,000`.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = n < 0 ? "-" : ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// `64 KiB`, `1 MiB`, or `1,000 bytes`.
    static func byteSize(_ n: Int) -> String {
        if n > 0 && n % (1 << 20) == 0 { return "\(grouped(n >> 20)) MiB" }
        if n > 0 && n % 1024 == 0 { return "\(grouped(n >> 10)) KiB" }
        return "\(grouped(n)) bytes"
    }

    /// Lines in a text, the last one counting even without a final line break.
    private static func lineCount(_ utf8: String.UTF8View) -> Int {
        var count = 0
        var last: UInt8 = 0x0A
        for b in utf8 {
            if b == 0x0A { count += 1 }
            last = b
        }
        return last == 0x0A ? count : count + 1
    }
}
