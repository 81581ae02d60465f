/// Routes every HTTP request: security checks first, then the endpoint by method and path.
///
/// Loop thread only. One instance serves the whole listener.
@LoopActor
final class Router: HTTPHandler {
    private let policy: SecurityPolicy
    private let streamable: StreamableHTTPTransport
    private let legacy: LegacySSETransport
    let rest: RESTEndpoints

    init(policy: SecurityPolicy, streamable: StreamableHTTPTransport, legacy: LegacySSETransport, rest: RESTEndpoints) {
        self.policy = policy
        self.streamable = streamable
        self.legacy = legacy
        self.rest = rest
    }

    func handle(_ request: HTTPRequest, exchange: HTTPExchange) {
        let path = request.path
        let probe = path == "/health" || path == "/ready"
        if let refusal = policy.check(request.headers, authExempt: probe) {
            var headers: [(String, String)] = []
            if refusal == .unauthorized { headers.append(("WWW-Authenticate", "Bearer realm=\"kube-mcp\"")) }
            exchange.respondError(refusal.status, refusal.message, headers: headers)
            return
        }
        switch (request.method, path) {
        case (.post, "/mcp"), (.post, "/mcp/"), (.get, "/mcp"), (.get, "/mcp/"), (.delete, "/mcp"), (.delete, "/mcp/"):
            streamable.handle(request, exchange: exchange)
        case (_, "/mcp"), (_, "/mcp/"):
            streamable.handle(request, exchange: exchange)
        case (.get, "/mcp/sse"), (.get, "/sse"):
            legacy.openStream(request, exchange: exchange)
        case (.post, "/mcp/messages"), (.post, "/mcp/messages/"), (.post, "/messages"), (.post, "/messages/"):
            legacy.post(request, exchange: exchange)
        case (.get, "/health"), (.head, "/health"):
            rest.health(exchange)
        case (.get, "/ready"), (.head, "/ready"):
            rest.readiness(exchange)
        case (.get, "/"):
            rest.info(request, exchange: exchange)
        case (.post, "/mcp/tools/list"):
            rest.toolsList(request, exchange: exchange)
        case (.post, "/mcp/tools/call"):
            rest.toolsCall(request, exchange: exchange)
        case (.get, "/mcp/resources"):
            rest.resourcesList(exchange)
        case (.get, _) where path.hasPrefix("/mcp/resources/"):
            rest.resourceRead(path.dropFirst("/mcp/resources/".count), exchange: exchange)
        case (_, "/mcp/sse"), (_, "/sse"), (_, "/mcp/messages"), (_, "/messages"), (_, "/health"), (_, "/ready"),
            (_, "/mcp/tools/list"), (_, "/mcp/tools/call"), (_, "/mcp/resources"):
            exchange.respondError(.methodNotAllowed, "method \(request.method.name) not allowed on \(path)")
        default:
            exchange.respondError(.notFound, "no such endpoint: \(path)")
        }
    }
}
