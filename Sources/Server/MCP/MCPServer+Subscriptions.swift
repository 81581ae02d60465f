/// `resources/subscribe` and `resources/unsubscribe` (handshake revisions, sessions only): each subscription
/// runs its provider's watch in a task and turns every change into `notifications/resources/updated` on the
/// session's own stream (the `GET /mcp` stream, the legacy SSE stream, stdout).
///
/// Loop thread only. Watch tasks are not in `inFlight` (they are not calls: shutdown and idle expiry must
/// not wait for them); `MCPSession.end()` stops them through `SessionSubscriptions.close()`.
extension MCPServer {
    func handleSubscription(id: JSONRPCID, method: String, params: JSONObject, session: MCPSession?,
                            version: ProtocolVersion, reply: MCPReply) {
        guard !version.isModern else {
            // 2026-07-28 replaced both with subscriptions/listen.
            reply.sendError(id: id, .methodNotFound(method))
            return
        }
        guard let session else {
            reply.sendError(id: id, .invalidRequest(
                "\(method) needs a session with a stream for the notifications; this server runs stateless "
                    + "(--stateless), so poll resources/read instead"))
            return
        }
        guard let uri = params["uri"]?.stringValue, !uri.isEmpty else {
            reply.sendError(id: id, .invalidParams("\(method) needs a string \"uri\""))
            return
        }
        let subscriptions: SessionSubscriptions
        if let existing = session.subscriptions {
            subscriptions = existing
        } else {
            subscriptions = SessionSubscriptions(limit: SubscriptionBudget.perSessionLimit, budget: subscriptionBudget)
            session.subscriptions = subscriptions
        }
        if method == "resources/unsubscribe" {
            subscriptions.unsubscribe(uri: uri)
            logger.debug("mcp.resource.unsubscribed", metadata: ["mcp.subscriptions": "\(subscriptions.count)"])
            reply.sendResponse(JSONRPCEncoder.result(id: id, encodedResult: Array("{}".utf8)))
            return
        }
        switch subscriptions.subscribe(uri: uri) {
        case .refuse(let error):
            reply.sendError(id: id, error)
        case .alreadySubscribed:
            reply.sendResponse(JSONRPCEncoder.result(id: id, encodedResult: Array("{}".utf8)))
        case .start(let generation):
            let task = startWatch(id: id, uri: uri, generation: generation, session: session, reply: reply)
            subscriptions.attach(task, generation: generation)
        }
    }

    /// Sets up the watch off the loop, answers the subscribe, then forwards changes until told to stop.
    private func startWatch(id: JSONRPCID, uri: String, generation: UInt64, session: MCPSession,
                            reply: MCPReply) -> Task<Void, Never> {
        let providers = resourceProviders
        let executor = workExecutor
        let logger = self.logger
        weak let weakSession = session
        return Task { @LoopActor in
            let opened = await withTaskExecutorPreference(executor) {
                await Self.openWatch(providers, uri: uri)
            }
            let watch: ResourceWatch
            switch opened {
            case .failure(let error):
                weakSession?.subscriptions?.failed(uri: uri, generation: generation)
                reply.sendError(id: id, error)
                return
            case .success(let w):
                watch = w
            }
            defer {
                watch.stop()
                weakSession?.subscriptions?.taskFinished(generation: generation)
                logger.debug("mcp.resource.watch_stopped")
            }
            let empty = JSONRPCEncoder.result(id: id, encodedResult: Array("{}".utf8))
            guard !Task.isCancelled, weakSession?.subscriptions?.started(uri: uri, generation: generation) == true
            else {
                // Unsubscribed (or the session ended) while the watch was being set up.
                reply.sendResponse(empty)
                return
            }
            reply.sendResponse(empty)
            logger.debug("mcp.resource.subscribed")
            let note = JSONRPCEncoder.notification(method: "notifications/resources/updated",
                                                   params: ["uri": .string(uri)])
            for await _ in watch.changes {
                guard let session = weakSession, session.subscriptions?.shouldNotify(uri: uri, generation: generation) == true
                else { return }
                session.sendUnsolicited(note)
            }
            if !Task.isCancelled, let session = weakSession,
                session.subscriptions?.watchEnded(uri: uri, generation: generation) == true
            {
                // The watch gave up (e.g. 403): tell the client once more; it may re-read and subscribe again.
                logger.info("mcp.resource.watch_ended")
                session.sendUnsolicited(note)
            }
        }
    }

    /// Asks each provider in turn for a watch on `uri`.
    nonisolated static func openWatch(_ providers: [any ResourceProvider], uri: String) async
        -> Result<ResourceWatch, JSONRPCError>
    {
        for provider in providers {
            do {
                if let watch = try await provider.watch(uri: uri) { return .success(watch) }
            } catch {
                return .failure(error)
            }
        }
        return .failure(JSONRPCError(code: JSONRPCError.resourceNotFoundCode, message: "Resource not found",
                                     data: ["uri": .string(uri)]))
    }
}
