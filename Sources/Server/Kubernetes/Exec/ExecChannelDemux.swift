/// Splits an exec session's WebSocket messages by channel: stdout and stderr kept up to a limit each (the rest
/// is counted and dropped), the error channel's `Status` collected; once that Status is complete it asks to
/// close (the server sends nothing after it).
///
/// A pure state machine: plain value, no I/O, any thread (driven on the loop by the WebSocket handler).
struct ExecChannelDemux {
    /// The most bytes kept of stdout and, separately, of stderr.
    let outputLimit: Int
    /// Whether stdin was requested open: in v5 it is closed right after the handshake (`[255, 0]`).
    let stdinOpen: Bool
    private(set) var subprotocol: String?
    private(set) var stdout: [UInt8] = []
    private(set) var stderr: [UInt8] = []
    /// Bytes that arrived beyond `outputLimit`.
    private(set) var stdoutDropped = 0
    private(set) var stderrDropped = 0
    private var statusBytes: [UInt8] = []
    /// The error channel's Status, once its message ended.
    private(set) var status: ExecStatus?
    /// The channel of the message being read; nil before its first byte.
    private var channel: UInt8?

    init(outputLimit: Int, stdinOpen: Bool = false) {
        self.outputLimit = outputLimit
        self.stdinOpen = stdinOpen
    }

    mutating func handle(_ event: WebSocketEvent) -> [WebSocketCommand] {
        switch event {
        case .opened(let chosen):
            subprotocol = chosen
            if chosen == ExecChannel.v5 && stdinOpen { return [.sendBinary([ExecChannel.close, ExecChannel.stdin])] }
            return []
        case .messageStart:
            channel = nil
            return []
        case .data(let bytes):
            guard !bytes.isEmpty else { return [] }
            var payload = bytes[...]
            if channel == nil {
                channel = payload.removeFirst()
            }
            append(payload)
            return []
        case .messageEnd:
            defer { channel = nil }
            if channel == ExecChannel.error, status == nil {
                status = ExecStatus.parse(statusBytes)
                return [.close(code: 1000)]
            }
            return []
        }
    }

    private mutating func append(_ payload: ArraySlice<UInt8>) {
        guard !payload.isEmpty else { return }
        switch channel {
        case ExecChannel.stdout: Self.keep(payload, in: &stdout, dropped: &stdoutDropped, limit: outputLimit)
        case ExecChannel.stderr: Self.keep(payload, in: &stderr, dropped: &stderrDropped, limit: outputLimit)
        case ExecChannel.error:
            statusBytes += payload.prefix(max(0, ExecStatus.maxBytes - statusBytes.count))
        default:
            break  // resize or unknown channels: nothing a client reads
        }
    }

    private static func keep(_ payload: ArraySlice<UInt8>, in buffer: inout [UInt8], dropped: inout Int, limit: Int) {
        let room = max(0, limit - buffer.count)
        buffer += payload.prefix(room)
        dropped += max(0, payload.count - room)
    }
}
