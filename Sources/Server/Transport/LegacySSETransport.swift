/// The deprecated HTTP+SSE transport (2024-11-05): `GET /mcp/sse` opens a session stream whose first event
/// names the POST endpoint; every client message is a `POST /mcp/messages?sessionId=...` answered `202`, and
/// every answer travels back on the stream.
///
/// Loop thread only. A session lives exactly as long as its stream: closing it ends the session and cancels
/// its running calls. Sessions that never sent `initialize` (a reconnecting Cursor) are served as 2024-11-05.
@LoopActor
final class LegacySSETransport {
    private let mcp: MCPServer
    private let sessions: SessionStore
    private let logger: HTTPServerLog

    init(mcp: MCPServer, sessions: SessionStore, logger: HTTPServerLog) {
        self.mcp = mcp
        self.sessions = sessions
        self.logger = logger
    }

    /// `GET /mcp/sse` or `GET /sse`.
    func openStream(_ request: HTTPRequest, exchange: HTTPExchange) {
        guard !sessions.isFull else {
            exchange.respondError(.serviceUnavailable, "too many sessions (limit \(sessions.maxSessions))")
            return
        }
        let id = SessionID.random()
        let session = MCPSession(id: id, transport: .legacySSE, lenient: true)
        guard let stream = exchange.startEventStream(longLived: true) else { return }
        sessions.add(session)
        session.outbound = { bytes in stream.send(data: bytes) }
        session.outboundOwner = stream
        mcp.broadcastTargets[ObjectIdentifier(session)] = session
        stream.onClose = { [weak self, weak session] in
            guard let self, let session, let id = session.id else { return }
            self.mcp.broadcastTargets[ObjectIdentifier(session)] = nil
            self.sessions.remove(id)
        }
        stream.send(event: "endpoint", data: Array("/mcp/messages?sessionId=\(id)".utf8))
    }

    /// `POST /mcp/messages?sessionId=...` (also `/messages`, and `session_id=`).
    func post(_ request: HTTPRequest, exchange: HTTPExchange) {
        guard let rawID = request.queryParameter("sessionId") ?? request.queryParameter("session_id") else {
            exchange.respondError(.badRequest, "sessionId query parameter is required")
            return
        }
        guard let id = SessionID(rawID), let session = sessions.session(id), session.transport == .legacySSE else {
            exchange.respondError(.notFound, "Could not find session")
            return
        }
        guard MessageIntake.isJSON(contentType: request.headers.contentType) else {
            exchange.respondError(.unsupportedMediaType, "POST bodies must be application/json")
            return
        }
        let parsed: MessageIntake.Parsed
        switch MessageIntake.parse(request.body) {
        case .failure(let error):
            exchange.respond(status: .badRequest, body: JSONRPCEncoder.error(id: nil, error))
            return
        case .success(let p):
            parsed = p
        }
        let version = session.state.version ?? .v2024_11_05
        if let header = request.headers.mcpProtocolVersion, ProtocolVersion(rawValue: header) == nil {
            exchange.respond(status: .badRequest, body: JSONRPCEncoder.error(id: nil, .unsupportedVersion(header)))
            return
        }
        exchange.respond(status: .accepted, contentType: nil)
        let reply = OutboundReply(session: session)
        let context = MCPRequestContext(version: version)
        switch parsed {
        case .single(let message):
            mcp.handle(message, session: session, context: context, reply: reply)
        case .batch(let messages):
            guard version.allowsBatches else {
                session.sendUnsolicited(JSONRPCEncoder.error(id: nil, .invalidRequest(
                    "JSON-RPC batches are only allowed in protocol version 2025-03-26")))
                return
            }
            let count = messages.filter { $0.requestID != nil }.count
            let batch = BatchReply(expected: count, open: { [weak session] in session?.outbound != nil },
                                   notify: { [weak session] b in session?.sendUnsolicited(b) },
                                   complete: { [weak session] b in session?.sendUnsolicited(b) })
            for m in messages { mcp.handle(m, session: session, context: context, reply: batch) }
        }
    }
}
