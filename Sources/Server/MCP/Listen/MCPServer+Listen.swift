/// `subscriptions/listen` (2026-07-28; replaces the GET stream and `resources/subscribe`): the response is a
/// long-lived stream that starts with `notifications/subscriptions/acknowledged` and carries the list changes
/// and resource updates the client opted in to, each stamped with the listen request's id.
///
/// Loop thread only. Needs no session, so it works in `--stateless` mode too: the stream is the request's own
/// response (a POST's event stream, or stdout).
extension MCPServer {
    func handleListen(id: JSONRPCID, params: JSONObject, reply: MCPReply) {
        let requested: ListenFilter
        do {
            requested = try ListenFilter(params: params)
        } catch {
            reply.sendError(id: id, error)
            return
        }
        if let refusal = listens.refusal() {
            reply.sendError(id: id, refusal)
            return
        }
        guard reply.beginLongLivedStream() else {
            reply.sendError(id: id, .invalidRequest(
                "subscriptions/listen answers with an event stream; send Accept: text/event-stream"))
            return
        }
        let stream = ListenStream(id: id, requested: requested, reply: reply, budget: subscriptionBudget,
                                  logger: logger)
        listens.add(stream)
        logger.debug("mcp.listen.opened", metadata: ["mcp.listen.uris": "\(requested.resourceSubscriptions.count)"])
        stream.start(providers: resourceProviders, executor: workExecutor)
    }

    /// Server shutdown: ends every listen stream with its graceful final result (before the transports close
    /// their streams) and refuses new ones.
    public func closeListenStreams() {
        listens.closeAll()
    }
}
