/// Builds the frames a client sends (RFC 6455 §5.2-5.3): always masked, with a fresh random 32-bit mask per
/// frame, and never fragmented (the messages a client of the exec protocol sends are small).
///
/// Stateless; any thread.
enum WebSocketFrameEncoder {
    /// The most payload a control frame may carry.
    static let maxControlPayload = 125

    /// A final, masked frame carrying `payload` with `mask`.
    static func frame(_ opcode: WebSocketOpcode, payload: [UInt8], mask: (UInt8, UInt8, UInt8, UInt8)) -> [UInt8] {
        precondition(!opcode.isControl || payload.count <= maxControlPayload, "control frame payload over 125 bytes")
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 14)
        out.append(0x80 | opcode.rawValue)
        let count = payload.count
        if count < 126 {
            out.append(0x80 | UInt8(count))
        } else if count <= 0xFFFF {
            out += [0x80 | 126, UInt8(count >> 8), UInt8(count & 0xFF)]
        } else {
            out.append(0x80 | 127)
            let length = UInt64(count)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        }
        let key = [mask.0, mask.1, mask.2, mask.3]
        out += key
        for (index, byte) in payload.enumerated() { out.append(byte ^ key[index & 3]) }
        return out
    }

    /// A final, masked frame with a random mask from the system's generator.
    static func frame(_ opcode: WebSocketOpcode, payload: [UInt8]) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return frame(opcode, payload: payload, using: &generator)
    }

    /// A final, masked frame with a mask drawn from `generator`.
    static func frame(_ opcode: WebSocketOpcode, payload: [UInt8], using generator: inout some RandomNumberGenerator)
        -> [UInt8]
    {
        let m = UInt32.random(in: .min ... .max, using: &generator)
        return frame(opcode, payload: payload, mask: (UInt8(m >> 24), UInt8(truncatingIfNeeded: m >> 16),
                                                      UInt8(truncatingIfNeeded: m >> 8), UInt8(truncatingIfNeeded: m)))
    }

    /// The payload of a close frame: the status code, then the reason cut to fit 125 bytes on a UTF-8 boundary.
    static func closePayload(code: UInt16, reason: String) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        let text = Array(reason.utf8)
        bytes += text.prefix(UTF8Prefix.length(of: text, atMost: maxControlPayload - 2))
        return bytes
    }
}
