/// Reads the frames a server sends (RFC 6455 §5) from bytes as they arrive, in any split, and reports messages
/// as a start, payload pieces and an end, so that a large message is never held whole. Control frames (ping,
/// pong, close) are reported whole; they may arrive between the fragments of a data message.
///
/// A pure state machine: plain value, no I/O, any thread (its owner runs it on the loop). Extensions are
/// never negotiated, so reserved bits must be zero; server frames must not be masked.
struct WebSocketFrameParser {
    /// What the parser found.
    enum Event: Equatable, Sendable {
        /// A text or binary message begins.
        case messageStart(WebSocketOpcode)
        /// The next piece of the current message's payload (never empty).
        case data([UInt8])
        /// The current message is complete.
        case messageEnd
        case ping([UInt8])
        case pong([UInt8])
        /// The peer's close frame: its status code (nil when the frame had no payload) and reason.
        case close(code: UInt16?, reason: String)
    }

    /// The largest frame header: 2 bytes, a 64-bit length, a 4-byte mask.
    static let maxHeaderBytes = 14

    private enum State {
        /// Collecting a frame header in `pending`.
        case header
        /// Passing on `remaining` bytes of a data frame's payload.
        case dataPayload(remaining: UInt64, final: Bool)
        /// Collecting a control frame's payload in `pending`.
        case controlPayload(WebSocketOpcode, length: Int)
        /// A close frame was read (or an error found): everything after it is ignored.
        case finished
    }

    /// The most bytes one message (all its fragments) may have.
    let maxMessageBytes: UInt64
    private var state: State = .header
    private var pending: [UInt8] = []
    /// The bytes of the current fragmented message so far, nil between messages.
    private var messageBytes: UInt64?

    init(maxMessageBytes: Int) {
        self.maxMessageBytes = UInt64(maxMessageBytes)
    }

    /// True once a close frame was read: later bytes are not looked at.
    var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Consumes `bytes` and returns what they complete. Throws at the first violation; the parser is then
    /// finished.
    mutating func feed(_ bytes: some Collection<UInt8>) throws(WebSocketError) -> [Event] {
        var events: [Event] = []
        var index = bytes.startIndex
        do {
            while index != bytes.endIndex {
                switch state {
                case .finished:
                    return events
                case .header:
                    pending.append(bytes[index])
                    index = bytes.index(after: index)
                    try headerProgress(&events)
                case .dataPayload(let remaining, let final):
                    let available = bytes.distance(from: index, to: bytes.endIndex)
                    let take = Int(min(UInt64(available), remaining))
                    let end = bytes.index(index, offsetBy: take)
                    events.append(.data(Array(bytes[index..<end])))
                    index = end
                    let left = remaining - UInt64(take)
                    if left == 0 {
                        endDataFrame(final: final, &events)
                    } else {
                        state = .dataPayload(remaining: left, final: final)
                    }
                case .controlPayload(let opcode, let length):
                    let available = bytes.distance(from: index, to: bytes.endIndex)
                    let take = min(available, length - pending.count)
                    let end = bytes.index(index, offsetBy: take)
                    pending.append(contentsOf: bytes[index..<end])
                    index = end
                    if pending.count == length { try endControlFrame(opcode, &events) }
                }
            }
        } catch {
            state = .finished
            throw error
        }
        return events
    }

    /// Decodes the header in `pending` once it is complete.
    private mutating func headerProgress(_ events: inout [Event]) throws(WebSocketError) {
        guard pending.count >= 2 else { return }
        let first = pending[0]
        let second = pending[1]
        let lengthBytes: Int
        switch second & 0x7F {
        case 126: lengthBytes = 2
        case 127: lengthBytes = 8
        default: lengthBytes = 0
        }
        guard pending.count == 2 + lengthBytes else { return }
        if second & 0x80 != 0 { throw .protocolViolation("the server sent a masked frame") }
        if first & 0x70 != 0 { throw .protocolViolation("reserved bits set without a negotiated extension") }
        guard let opcode = WebSocketOpcode(rawValue: first & 0x0F) else {
            throw .protocolViolation("unknown opcode \(first & 0x0F)")
        }
        let final = first & 0x80 != 0
        var length = UInt64(second & 0x7F)
        if lengthBytes > 0 {
            length = pending[2...].reduce(0) { $0 << 8 | UInt64($1) }
            if lengthBytes == 8 && length >> 63 != 0 { throw .protocolViolation("64-bit length with the top bit set") }
        }
        pending.removeAll(keepingCapacity: true)

        if opcode.isControl {
            guard final else { throw .protocolViolation("fragmented control frame") }
            guard length <= UInt64(WebSocketFrameEncoder.maxControlPayload) else {
                throw .protocolViolation("control frame of \(length) bytes (at most 125)")
            }
            state = .controlPayload(opcode, length: Int(length))
            if length == 0 { try endControlFrame(opcode, &events) }
            return
        }
        if opcode == .continuation {
            guard messageBytes != nil else { throw .protocolViolation("continuation frame outside a message") }
        } else {
            guard messageBytes == nil else {
                throw .protocolViolation("new data frame before the fragmented message ended")
            }
            messageBytes = 0
            events.append(.messageStart(opcode))
        }
        let total = (messageBytes ?? 0) + length
        guard total <= maxMessageBytes else { throw .messageTooLarge(limit: Int(maxMessageBytes)) }
        messageBytes = total
        if length == 0 {
            endDataFrame(final: final, &events)
        } else {
            state = .dataPayload(remaining: length, final: final)
        }
    }

    private mutating func endDataFrame(final: Bool, _ events: inout [Event]) {
        state = .header
        if final {
            messageBytes = nil
            events.append(.messageEnd)
        }
    }

    private mutating func endControlFrame(_ opcode: WebSocketOpcode, _ events: inout [Event]) throws(WebSocketError) {
        let payload = pending
        pending.removeAll(keepingCapacity: true)
        state = .header
        switch opcode {
        case .ping: events.append(.ping(payload))
        case .pong: events.append(.pong(payload))
        default:
            if payload.count == 1 { throw .protocolViolation("close frame with a 1-byte payload") }
            let code = payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : nil
            let reason = String(decoding: payload.dropFirst(2), as: UTF8.self)
            events.append(.close(code: code, reason: reason))
            state = .finished
        }
    }
}
