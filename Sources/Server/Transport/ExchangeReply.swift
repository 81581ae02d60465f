/// Answers one Streamable HTTP POST: a JSON response, or — once a related notification (progress, log)
/// must go out first and the client accepts it — an SSE response that ends with the JSON-RPC response.
///
/// Loop thread only. For 2026-07-28 requests a closed connection cancels the tracked call and error codes
/// map to HTTP statuses as that revision asks.
@LoopActor
final class ExchangeReply: MCPReply {
    private let exchange: HTTPExchange
    private let acceptsEventStream: Bool
    private let modern: Bool
    private let extraHeaders: [(String, String)]
    private var stream: EventStream?
    private var finished = false
    private var tracked: Task<Void, Never>?

    init(exchange: HTTPExchange, acceptsEventStream: Bool, modern: Bool, extraHeaders: [(String, String)]) {
        self.exchange = exchange
        self.acceptsEventStream = acceptsEventStream
        self.modern = modern
        self.extraHeaders = extraHeaders
        if modern {
            exchange.onConnectionClose { [weak self] in self?.tracked?.cancel() }
        }
    }

    var isOpen: Bool { !finished && (stream.map { !$0.isClosed } ?? exchange.isOpen) }

    func track(_ task: Task<Void, Never>) { tracked = task }

    /// Requests need the event-stream form; 2026-07-28 has no server-to-client requests (MRTR instead).
    var canSendRequests: Bool { !modern && acceptsEventStream && isOpen }

    func sendNotification(_ bytes: [UInt8]) {
        guard !finished, acceptsEventStream else { return }
        if stream == nil {
            stream = exchange.startEventStream(headers: extraHeaders, longLived: false)
        }
        stream?.send(data: bytes)
    }

    func sendResponse(_ bytes: [UInt8], errorCode: Int?) {
        guard !finished else { return }
        finished = true
        tracked = nil
        if let stream {
            stream.send(data: bytes)
            stream.finish()
            return
        }
        exchange.respond(status: Self.status(errorCode: errorCode, modern: modern), headers: extraHeaders, body: bytes)
    }

    func sendResponse(parts: [[UInt8]]) {
        guard !finished else { return }
        guard stream == nil else {
            var joined: [UInt8] = []
            for part in parts { joined += part }
            sendResponse(joined, errorCode: nil)
            return
        }
        finished = true
        tracked = nil
        exchange.respond(status: .ok, headers: extraHeaders, bodyParts: parts)
    }

    /// Starts the event stream now, as a long-lived one (closed with the connection when it ends).
    func beginLongLivedStream() -> Bool {
        guard !finished, acceptsEventStream else { return false }
        if stream == nil {
            stream = exchange.startEventStream(headers: extraHeaders, longLived: true)
        }
        return stream.map { !$0.isClosed } ?? false
    }

    /// HTTP status for a JSON-RPC answer: 2026-07-28 maps protocol errors to 400/404, earlier revisions
    /// always use 200 for answered requests.
    static func status(errorCode: Int?, modern: Bool) -> HTTPStatus {
        guard let code = errorCode, modern else { return .ok }
        switch code {
        case JSONRPCError.methodNotFoundCode: return .notFound
        case JSONRPCError.parseErrorCode, JSONRPCError.invalidRequestCode, JSONRPCError.invalidParamsCode,
            JSONRPCError.headerMismatchCode, JSONRPCError.missingClientCapabilityCode,
            JSONRPCError.unsupportedProtocolVersionCode:
            return .badRequest
        default: return .ok
        }
    }
}

/// Sends every answer and notification of a session as `event: message` on its long-lived stream (legacy
/// HTTP+SSE, stdio).
///
/// Loop thread only.
@LoopActor
final class OutboundReply: MCPReply {
    private let session: MCPSession

    init(session: MCPSession) {
        self.session = session
    }

    var isOpen: Bool { session.outbound != nil }

    var canSendRequests: Bool { session.outbound != nil }

    func sendNotification(_ bytes: [UInt8]) { session.sendUnsolicited(bytes) }

    func sendResponse(_ bytes: [UInt8], errorCode: Int?) { session.sendUnsolicited(bytes) }
}

/// Collects the answers to a JSON-RPC batch (2025-03-26) and hands over the array once all are in.
///
/// Loop thread only.
@LoopActor
final class BatchReply: MCPReply {
    private var responses: [[UInt8]] = []
    private var expected: Int
    private let notify: @LoopActor ([UInt8]) -> Void
    private let complete: @LoopActor ([UInt8]) -> Void
    private let open: @LoopActor () -> Bool

    init(expected: Int, open: @escaping @LoopActor () -> Bool, notify: @escaping @LoopActor ([UInt8]) -> Void,
         complete: @escaping @LoopActor ([UInt8]) -> Void) {
        self.expected = expected
        self.open = open
        self.notify = notify
        self.complete = complete
    }

    var isOpen: Bool { open() }

    func sendNotification(_ bytes: [UInt8]) { notify(bytes) }

    func sendResponse(_ bytes: [UInt8], errorCode: Int?) {
        responses.append(bytes)
        if responses.count == expected {
            var out: [UInt8] = [UInt8(ascii: "[")]
            for (i, r) in responses.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out += r
            }
            out.append(UInt8(ascii: "]"))
            complete(out)
        }
    }
}
