/// Opaque list cursors: an offset into a stable list, encoded so that clients do not build them by hand.
///
/// Stateless, any thread.
public enum Pagination {
    /// The cursor for the page starting at `offset`.
    public static func cursor(offset: Int) -> String {
        let raw = Array("o:\(offset)".utf8)
        return Base64URL.encode(raw)
    }

    /// The offset a cursor stands for; throws `-32602` for anything we did not issue.
    public static func offset(cursor: JSONValue?) throws(JSONRPCError) -> Int {
        guard let cursor, !cursor.isNull else { return 0 }
        guard case .string(let text) = cursor, let raw = Base64URL.decode(text),
            let s = String(validating: raw, as: UTF8.self), s.hasPrefix("o:"), let n = Int(s.dropFirst(2)), n >= 0
        else { throw .invalidParams("invalid cursor") }
        return n
    }
}

/// Base64url without padding (RFC 4648 §5); decoding also accepts the standard alphabet and padding.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)],
                    alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)]]
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for var c in text.utf8 {
            if c == UInt8(ascii: "=") { continue }
            if c == UInt8(ascii: "+") { c = UInt8(ascii: "-") }
            if c == UInt8(ascii: "/") { c = UInt8(ascii: "_") }
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            buffer = buffer << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(buffer >> UInt32(bits) & 0xFF))
            }
        }
        return out
    }
}
