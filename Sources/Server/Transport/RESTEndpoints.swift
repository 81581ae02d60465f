/// The prototype's plain REST surface, kept for existing scripts: server info, health, readiness, tool
/// listing and calling, resources.
///
/// Loop thread only; tool calls and resource reads run off the loop.
@LoopActor
final class RESTEndpoints {
    private let mcp: MCPServer
    private let startedAt = SystemResources.monotonicMilliseconds()
    /// False while shutting down (`/ready` then answers 503).
    var ready = true
    private let stateless: Bool
    private let sessions: SessionStore

    init(mcp: MCPServer, sessions: SessionStore, stateless: Bool) {
        self.mcp = mcp
        self.sessions = sessions
        self.stateless = stateless
    }

    /// `GET /`: name, version, transports and their URLs, tool count.
    func info(_ request: HTTPRequest, exchange: HTTPExchange) {
        let base = "http://\(request.headers.host ?? "127.0.0.1")"
        var transports = JSONObject()
        transports["streamable_http"] = .string(base + "/mcp")
        transports["sse"] = .string(base + "/mcp/sse")
        transports["sse_alias"] = .string(base + "/sse")
        transports["messages"] = .string(base + "/mcp/messages")
        transports["stdio"] = "kube-mcp --stdio"
        let body: JSONValue = [
            "name": .string(ServerInfo.name),
            "title": .string(ServerInfo.title),
            "version": .string(ServerInfo.version),
            "protocolVersions": .array(ProtocolVersion.allCases.reversed().map { .string($0.rawValue) }),
            "stateless": .bool(stateless),
            "transports": .object(transports),
            "tools": .int(mcp.tools.enabled.count),
            "endpoints": [
                "health": .string(base + "/health"), "ready": .string(base + "/ready"),
                "tools_list": .string(base + "/mcp/tools/list"), "tools_call": .string(base + "/mcp/tools/call"),
                "resources": .string(base + "/mcp/resources"),
            ],
        ]
        exchange.respond(status: .ok, body: JSONWriter.encode(body))
    }

    private static let healthBody = Array(#"{"status":"ok"}"#.utf8)

    func health(_ exchange: HTTPExchange) {
        exchange.respond(status: .ok, body: RESTEndpoints.healthBody)
    }

    func readiness(_ exchange: HTTPExchange) {
        if ready {
            let body: JSONValue = ["status": "ready", "sessions": .int(sessions.count),
                                   "uptimeSeconds": .int(Int((SystemResources.monotonicMilliseconds() - startedAt) / 1000))]
            exchange.respond(status: .ok, body: JSONWriter.encode(body))
        } else {
            exchange.respondError(.serviceUnavailable, "shutting down")
        }
    }

    /// `POST /mcp/tools/list` → `{"tools":[...]}`.
    func toolsList(_ request: HTTPRequest, exchange: HTTPExchange) {
        guard request.body.isEmpty || MessageIntake.isJSON(contentType: request.headers.contentType) else {
            exchange.respondError(.unsupportedMediaType, "POST bodies must be application/json")
            return
        }
        exchange.respond(status: .ok, body: JSONWriter.encode(mcp.allToolsJSON()))
    }

    /// `POST /mcp/tools/call` with `{"name","arguments"}` → the CallToolResult.
    func toolsCall(_ request: HTTPRequest, exchange: HTTPExchange) {
        guard MessageIntake.isJSON(contentType: request.headers.contentType) else {
            exchange.respondError(.unsupportedMediaType, "POST bodies must be application/json")
            return
        }
        guard let body = try? JSONParser.parse(request.body), case .object(let o) = body else {
            exchange.respondError(.badRequest, "body must be a JSON object {\"name\": ..., \"arguments\": {...}}")
            return
        }
        guard o["name"]?.stringValue != nil else {
            exchange.respondError(.badRequest, "\"name\" (string) is required")
            return
        }
        // The same engine as MCP's tools/call, answered as plain JSON.
        let reply = RESTReply(exchange: exchange)
        var params = JSONObject([("name", o["name"]!)])
        if let arguments = o["arguments"] { params["arguments"] = arguments }
        mcp.handle(.request(id: .int(0), method: "tools/call", params: params), session: nil,
                   context: MCPRequestContext(version: .newestHandshake), reply: reply)
    }

    /// `GET /mcp/resources` → resources and templates.
    func resourcesList(_ exchange: HTTPExchange) {
        let providers = mcp.resourceProviders
        Task { @LoopActor in
            let body = await Self.listResources(providers)
            exchange.respond(status: .ok, body: body)
        }
    }

    nonisolated static func listResources(_ providers: [any ResourceProvider]) async -> [UInt8] {
        var resources: [JSONValue] = []
        var templates: [JSONValue] = []
        for p in providers {
            resources += await p.list().map(\.json)
            templates += p.templates.map(\.json)
        }
        return JSONWriter.encode(["resources": .array(resources), "resourceTemplates": .array(templates)])
    }

    /// `GET /mcp/resources/{uri}` (URI percent-encoded).
    func resourceRead(_ encodedURI: Substring, exchange: HTTPExchange) {
        guard let uri = PercentDecoding.decode(encodedURI), !uri.isEmpty else {
            exchange.respondError(.badRequest, "resource URI must be percent-encoded UTF-8")
            return
        }
        let reply = RESTReply(exchange: exchange)
        mcp.handle(.request(id: .int(0), method: "resources/read", params: JSONObject([("uri", .string(uri))])),
                   session: nil, context: MCPRequestContext(version: .newestHandshake), reply: reply)
    }
}

/// Unwraps JSON-RPC answers into plain REST responses: the `result` object with 200, or the error with a
/// fitting status.
@LoopActor
final class RESTReply: MCPReply {
    private let exchange: HTTPExchange

    init(exchange: HTTPExchange) {
        self.exchange = exchange
    }

    var isOpen: Bool { exchange.isOpen }

    func sendNotification(_ bytes: [UInt8]) {}

    func sendResponse(_ bytes: [UInt8], errorCode: Int?) {
        let parsed = (try? JSONParser.parse(bytes)) ?? .null
        if let code = errorCode {
            let status: HTTPStatus
            switch code {
            case JSONRPCError.resourceNotFoundCode: status = .notFound
            case JSONRPCError.invalidParamsCode:
                let message = parsed["error"]?["message"]?.stringValue ?? ""
                status = message.contains("Unknown tool") ? .notFound : .badRequest
            default: status = .internalServerError
            }
            let message = parsed["error"]?["message"]?.stringValue ?? "error"
            exchange.respondError(status, message)
            return
        }
        exchange.respond(status: .ok, body: JSONWriter.encode(parsed["result"] ?? .null))
    }
}
