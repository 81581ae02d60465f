/// Turns a request body into JSON-RPC messages: one message, or a batch (an array), with the JSON-RPC error
/// to answer when it is neither.
///
/// Stateless, any thread.
public enum MessageIntake {
    public enum Parsed: Sendable {
        case single(JSONRPCMessage)
        case batch([JSONRPCMessage])
    }

    public static func parse(_ body: [UInt8]) -> Result<Parsed, JSONRPCError> {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { return .failure(.parseError(error.description)) }
        if case .array(let elements) = value {
            guard !elements.isEmpty else { return .failure(.invalidRequest("empty batch")) }
            var messages: [JSONRPCMessage] = []
            for element in elements {
                do { messages.append(try JSONRPCMessage(element)) } catch { return .failure(error) }
            }
            return .success(.batch(messages))
        }
        do { return .success(.single(try JSONRPCMessage(value))) } catch { return .failure(error) }
    }

    /// True when `Content-Type` names JSON (`application/json`, optionally with parameters).
    public static func isJSON(contentType: String?) -> Bool {
        guard var contentType else { return false }
        return contentType.withUTF8 { bytes in
            var media = MediaRange(bytes, start: 0)
            return media.next() == .json
        }
    }

    /// Which response forms an `Accept` header allows: (json, eventStream). A missing header allows both.
    public static func accepted(_ accept: String?) -> (json: Bool, eventStream: Bool) {
        guard var accept, !accept.isEmpty else { return (true, true) }
        return accept.withUTF8 { bytes in
            var json = false
            var sse = false
            var ranges = MediaRange(bytes, start: 0)
            while let kind = ranges.next() {
                switch kind {
                case .json: json = true
                case .eventStream: sse = true
                case .any: json = true; sse = true
                case .anyApplication: json = true
                case .anyText: sse = true
                case .other: break
                }
            }
            return (json, sse)
        }
    }
}

/// Walks the comma-separated media ranges of an `Accept` or `Content-Type` value without allocating,
/// classifying each one and ignoring parameters and case.
private struct MediaRange {
    enum Kind { case json, eventStream, any, anyApplication, anyText, other }

    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, start: Int) {
        self.bytes = bytes
        index = start
    }

    mutating func next() -> Kind? {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x2C { index += 1 }
        guard index < bytes.count else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != 0x3B, bytes[index] != 0x2C, bytes[index] != 0x20 { index += 1 }
        let end = index
        // Parameters up to the next comma; "q=0" (RFC 9110 §12.4.2) means "not acceptable".
        let parametersStart = index
        while index < bytes.count, bytes[index] != 0x2C { index += 1 }
        if Self.hasZeroQuality(UnsafeBufferPointer(rebasing: bytes[parametersStart..<index])) { return .other }
        return Self.classify(UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    /// True for a `;q=0`, `;q=0.0`, ... parameter.
    private static func hasZeroQuality(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 2 < p.count {
            if p[i] == 0x3B {
                var j = i + 1
                while j < p.count, p[j] == 0x20 { j += 1 }
                if j + 2 < p.count + 0, (p[j] | 0x20) == UInt8(ascii: "q"), p[j + 1] == UInt8(ascii: "=") {
                    var k = j + 2
                    guard k < p.count, p[k] == UInt8(ascii: "0") else { return false }
                    k += 1
                    if k < p.count, p[k] == UInt8(ascii: ".") {
                        k += 1
                        while k < p.count, p[k] == UInt8(ascii: "0") { k += 1 }
                    }
                    while k < p.count, p[k] == 0x20 { k += 1 }
                    return k == p.count || p[k] == 0x3B
                }
            }
            i += 1
        }
        return false
    }

    private static func classify(_ m: UnsafeBufferPointer<UInt8>) -> Kind {
        if equals(m, "application/json") { return .json }
        if equals(m, "text/event-stream") { return .eventStream }
        if equals(m, "*/*") { return .any }
        if equals(m, "application/*") { return .anyApplication }
        if equals(m, "text/*") { return .anyText }
        return .other
    }

    private static func equals(_ m: UnsafeBufferPointer<UInt8>, _ lower: StaticString) -> Bool {
        guard m.count == lower.utf8CodeUnitCount else { return false }
        let p = lower.utf8Start
        for i in 0..<m.count {
            var c = m[i]
            if c >= 0x41 && c <= 0x5A { c |= 0x20 }
            if c != p[i] { return false }
        }
        return true
    }
}

