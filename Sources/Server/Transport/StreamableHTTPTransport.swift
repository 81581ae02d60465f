/// MCP Streamable HTTP at `/mcp`: POST for every client message, GET for the server's stream, DELETE to end
/// a session — for the handshake revisions (with `Mcp-Session-Id` sessions, or none with `--stateless`) and
/// for stateless 2026-07-28 requests, told apart by `MCP-Protocol-Version`.
///
/// Loop thread only. Sessions live in the shared `SessionStore`.
@LoopActor
final class StreamableHTTPTransport {
    private let mcp: MCPServer
    private let sessions: SessionStore
    private let stateless: Bool

    init(mcp: MCPServer, sessions: SessionStore, stateless: Bool) {
        self.mcp = mcp
        self.sessions = sessions
        self.stateless = stateless
    }

    func handle(_ request: HTTPRequest, exchange: HTTPExchange) {
        switch request.method {
        case .post: post(request, exchange: exchange)
        case .get: openStream(request, exchange: exchange)
        case .delete: delete(request, exchange: exchange)
        default:
            exchange.respondError(.methodNotAllowed, "use POST, GET or DELETE on /mcp",
                                  headers: [("Allow", stateless ? "POST" : "GET, POST, DELETE")])
        }
    }

    // MARK: POST

    private func post(_ request: HTTPRequest, exchange: HTTPExchange) {
        let headers = request.headers
        guard MessageIntake.isJSON(contentType: headers.contentType) else {
            exchange.respondError(.unsupportedMediaType, "POST bodies must be application/json")
            return
        }
        let accepts = MessageIntake.accepted(headers.accept)
        guard accepts.json || accepts.eventStream else {
            exchange.respondError(.notAcceptable, "Accept must allow application/json or text/event-stream")
            return
        }
        let parsed: MessageIntake.Parsed
        switch MessageIntake.parse(request.body) {
        case .failure(let error):
            respondRPCError(exchange, .badRequest, error)
            return
        case .success(let p):
            parsed = p
        }

        // Era routing: a known non-handshake version in the header selects the stateless 2026-07-28 path.
        var headerVersion: ProtocolVersion?
        if let raw = headers.mcpProtocolVersion {
            guard let v = ProtocolVersion(rawValue: raw) else {
                respondRPCError(exchange, .badRequest, .unsupportedVersion(raw))
                return
            }
            headerVersion = v
        }
        if headerVersion?.isModern == true {
            if case .single(let message) = parsed, message.method == "initialize" {
                // initialize always selects the handshake era.
            } else {
                postModern(parsed, headers: headers, exchange: exchange, accepts: accepts)
                return
            }
        }
        postLegacy(parsed, headerVersion: headerVersion, exchange: exchange, accepts: accepts, headers: headers)
    }

    private func postModern(_ parsed: MessageIntake.Parsed, headers: HTTPRequestHeaders, exchange: HTTPExchange,
                            accepts: (json: Bool, eventStream: Bool)) {
        guard case .single(let message) = parsed else {
            respondRPCError(exchange, .badRequest, .invalidRequest("batches are not part of protocol 2026-07-28"))
            return
        }
        if let mismatch = Self.checkModernHeaders(message, headers: headers) {
            respondRPCError(exchange, .badRequest, mismatch, id: message.requestID)
            return
        }
        guard case .request = message else {
            exchange.respond(status: .accepted, contentType: nil)
            return
        }
        if message.method == "subscriptions/listen", !accepts.eventStream {
            // The answer to a listen is an event stream, never JSON.
            exchange.respondError(.notAcceptable, "subscriptions/listen answers with an event stream: Accept must "
                                  + "allow text/event-stream")
            return
        }
        let reply = ExchangeReply(exchange: exchange, acceptsEventStream: accepts.eventStream, modern: true,
                                  extraHeaders: [])
        let context = MCPRequestContext(version: .v2026_07_28,
                                        principal: SecurityPolicy.principal(authorization: headers.authorization))
        mcp.handle(message, session: nil, context: context, reply: reply)
    }

    /// `Mcp-Method` must equal the body's method, and `Mcp-Name` the tool/prompt name or resource URI.
    nonisolated static func checkModernHeaders(_ message: JSONRPCMessage, headers: HTTPRequestHeaders) -> JSONRPCError? {
        guard let method = message.method else { return nil }
        guard let headerMethod = headers.mcpMethod.map(decodeHeaderValue) else {
            return .headerMismatch("missing Mcp-Method header")
        }
        guard headerMethod == method else {
            return .headerMismatch("mcp-method header does not match the request body's method")
        }
        let nameKey: String?
        switch method {
        case "tools/call", "prompts/get": nameKey = "name"
        case "resources/read": nameKey = "uri"
        default: nameKey = nil
        }
        if let nameKey {
            guard let headerName = headers.mcpName.map(decodeHeaderValue) else {
                return .headerMismatch("missing Mcp-Name header")
            }
            guard headerName == message.params[nameKey]?.stringValue else {
                return .headerMismatch("mcp-name header does not match the request body's '\(nameKey)' parameter")
            }
        }
        if let metaVersion = message.params["_meta"]?["io.modelcontextprotocol/protocolVersion"]?.stringValue,
            metaVersion != headers.mcpProtocolVersion
        {
            return .headerMismatch("MCP-Protocol-Version header does not match _meta protocolVersion")
        }
        return nil
    }

    /// Decodes the `=?base64?...?=` form used for non-ASCII header values.
    nonisolated static func decodeHeaderValue(_ raw: String) -> String {
        guard raw.hasPrefix("=?base64?"), raw.hasSuffix("?="), raw.count > 11 else { return raw }
        let inner = String(raw.dropFirst(9).dropLast(2))
        guard let bytes = Base64URL.decode(inner), let text = String(validating: bytes, as: UTF8.self) else {
            return raw
        }
        return text
    }

    private func postLegacy(_ parsed: MessageIntake.Parsed, headerVersion: ProtocolVersion?, exchange: HTTPExchange,
                            accepts: (json: Bool, eventStream: Bool), headers: HTTPRequestHeaders) {
        // initialize opens a session (or, stateless, is answered on its own).
        if case .single(let message) = parsed, message.method == "initialize" {
            initialize(message, exchange: exchange, accepts: accepts)
            return
        }
        var session: MCPSession?
        var version = headerVersion ?? .v2025_03_26
        if !stateless {
            guard let rawID = headers.mcpSessionID else {
                respondRPCError(exchange, .badRequest, JSONRPCError(code: JSONRPCError.invalidRequestCode, message: "Bad Request: Missing session ID"))
                return
            }
            guard let id = SessionID(rawID), let found = sessions.session(id), found.transport == .streamableHTTP else {
                respondRPCError(exchange, .notFound, JSONRPCError(code: JSONRPCError.invalidRequestCode, message: "Session not found"))
                return
            }
            if let negotiated = found.state.version {
                if let headerVersion, headerVersion != negotiated {
                    respondRPCError(exchange, .badRequest, .invalidRequest(
                        "MCP-Protocol-Version \(headerVersion.rawValue) does not match the negotiated \(negotiated.rawValue)"))
                    return
                }
                version = negotiated
            }
            found.lastActivity = EventLoop.shared.nowMilliseconds
            session = found
        }
        let sessionHeader: [(String, String)] = session?.id.map { [("Mcp-Session-Id", $0.description)] } ?? []
        let context = MCPRequestContext(version: version)
        switch parsed {
        case .single(let message):
            guard case .request = message else {
                mcp.handle(message, session: session, context: context, reply: NullReply.shared)
                exchange.respond(status: .accepted, headers: sessionHeader, contentType: nil)
                return
            }
            let reply = ExchangeReply(exchange: exchange, acceptsEventStream: accepts.eventStream, modern: false,
                                      extraHeaders: sessionHeader)
            mcp.handle(message, session: session, context: context, reply: reply)
        case .batch(let messages):
            guard version.allowsBatches else {
                respondRPCError(exchange, .badRequest, .invalidRequest(
                    "JSON-RPC batches are only allowed in protocol version 2025-03-26 (this session: \(version.rawValue))"))
                return
            }
            let requests = messages.filter { $0.requestID != nil }
            if requests.isEmpty {
                for m in messages { mcp.handle(m, session: session, context: context, reply: NullReply.shared) }
                exchange.respond(status: .accepted, headers: sessionHeader, contentType: nil)
                return
            }
            let batch = BatchReply(expected: requests.count, open: { exchange.isOpen }, notify: { _ in },
                                   complete: { bytes in exchange.respond(status: .ok, headers: sessionHeader, body: bytes) })
            for m in messages { mcp.handle(m, session: session, context: context, reply: batch) }
        }
    }

    private func initialize(_ message: JSONRPCMessage, exchange: HTTPExchange, accepts: (json: Bool, eventStream: Bool)) {
        guard case .request = message else {
            respondRPCError(exchange, .badRequest, .invalidRequest("initialize must be a request"))
            return
        }
        if stateless {
            let reply = ExchangeReply(exchange: exchange, acceptsEventStream: accepts.eventStream, modern: false,
                                      extraHeaders: [])
            mcp.handle(message, session: nil, context: MCPRequestContext(version: .newestHandshake), reply: reply)
            return
        }
        guard !sessions.isFull else {
            respondRPCError(exchange, .serviceUnavailable, .internalError("too many sessions (limit \(sessions.maxSessions))"))
            return
        }
        let id = SessionID.random()
        let session = MCPSession(id: id, transport: .streamableHTTP, lenient: false)
        session.lastActivity = EventLoop.shared.nowMilliseconds
        sessions.add(session)
        let reply = ExchangeReply(exchange: exchange, acceptsEventStream: accepts.eventStream, modern: false,
                                  extraHeaders: [("Mcp-Session-Id", id.description)])
        mcp.handle(message, session: session, context: MCPRequestContext(version: .newestHandshake), reply: reply)
    }

    // MARK: GET and DELETE

    private func openStream(_ request: HTTPRequest, exchange: HTTPExchange) {
        if stateless || request.headers.mcpProtocolVersion == ProtocolVersion.v2026_07_28.rawValue {
            exchange.respondError(.methodNotAllowed, "this server offers no GET stream in stateless mode",
                                  headers: [("Allow", "POST")])
            return
        }
        guard MessageIntake.accepted(request.headers.accept).eventStream else {
            exchange.respondError(.notAcceptable, "GET /mcp needs Accept: text/event-stream")
            return
        }
        guard let session = lookup(request, exchange: exchange) else { return }
        if let version = request.headers.mcpProtocolVersion, ProtocolVersion(rawValue: version) == nil {
            respondRPCError(exchange, .badRequest, .unsupportedVersion(version))
            return
        }
        guard let stream = exchange.startEventStream(headers: [("Mcp-Session-Id", session.id!.description)],
                                                     longLived: true)
        else { return }
        // One stream per session: a new GET replaces the previous one.
        let previous = session.outboundOwner as? EventStream
        session.outbound = { bytes in stream.send(data: bytes) }
        session.outboundOwner = stream
        previous?.finish()
        mcp.broadcastTargets[ObjectIdentifier(session)] = session
        stream.onClose = { [weak session, weak mcp] in
            guard let session, session.outboundOwner === stream else { return }
            session.lastActivity = EventLoop.shared.nowMilliseconds
            session.outbound = nil
            session.outboundOwner = nil
            mcp?.broadcastTargets[ObjectIdentifier(session)] = nil
        }
    }

    private func delete(_ request: HTTPRequest, exchange: HTTPExchange) {
        if stateless || request.headers.mcpProtocolVersion == ProtocolVersion.v2026_07_28.rawValue {
            exchange.respondError(.methodNotAllowed, "there is no session to end in stateless mode",
                                  headers: [("Allow", "POST")])
            return
        }
        guard let session = lookup(request, exchange: exchange), let id = session.id else { return }
        mcp.broadcastTargets[ObjectIdentifier(session)] = nil
        sessions.remove(id)
        exchange.respond(status: .ok, contentType: nil)
    }

    private func lookup(_ request: HTTPRequest, exchange: HTTPExchange) -> MCPSession? {
        guard let raw = request.headers.mcpSessionID else {
            respondRPCError(exchange, .badRequest, JSONRPCError(code: JSONRPCError.invalidRequestCode, message: "Bad Request: Missing session ID"))
            return nil
        }
        guard let id = SessionID(raw), let session = sessions.session(id), session.transport == .streamableHTTP else {
            respondRPCError(exchange, .notFound, JSONRPCError(code: JSONRPCError.invalidRequestCode, message: "Session not found"))
            return nil
        }
        return session
    }

    private func respondRPCError(_ exchange: HTTPExchange, _ status: HTTPStatus, _ error: JSONRPCError,
                                 id: JSONRPCID? = nil) {
        exchange.respond(status: status, body: JSONRPCEncoder.error(id: id, error))
    }
}

extension EventStream: MCPStreamHandle {}

/// A reply sink for notifications, which are never answered.
@LoopActor
final class NullReply: MCPReply {
    static let shared = NullReply()
    var isOpen: Bool { false }
    func sendNotification(_ bytes: [UInt8]) {}
    func sendResponse(_ bytes: [UInt8], errorCode: Int?) {}
}
