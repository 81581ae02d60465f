import Logging

/// One open `subscriptions/listen` stream: drives its `ListenStreamState` and performs the actions — writes
/// messages to the request's reply (the POST's event stream, or stdout), runs one watch task per subscribed
/// URI, and holds a unit of the server's `SubscriptionBudget` per watch.
///
/// Loop thread only. Owned by the `ListenRegistry` while open. Its lifetime task is tracked by the reply, so
/// the reply's cancellation (HTTP: the client closed the connection; stdio: `notifications/cancelled` for the
/// listen id, or end of input) means the client went away; `shutdown()` ends it gracefully.
@LoopActor
public final class ListenStream {
    public let id: JSONRPCID
    public private(set) var state: ListenStreamState
    private let reply: MCPReply
    private let budget: SubscriptionBudget
    private let logger: Logger
    private var watchTasks: [String: Task<Void, Never>] = [:]
    private var lifetimeEnd: AsyncStream<Void>.Continuation?
    /// Runs once when the stream closes (the registry forgets it).
    var onFinished: (@LoopActor (ListenStream) -> Void)?

    init(id: JSONRPCID, requested: ListenFilter, reply: MCPReply, budget: SubscriptionBudget, logger: Logger) {
        self.id = id
        state = ListenStreamState(requested: requested)
        self.reply = reply
        self.budget = budget
        self.logger = logger
    }

    /// Watch tasks still running (for tests: zero once the stream closed and the tasks noticed).
    public var runningWatches: Int { watchTasks.count }

    /// Starts the stream: ties it to the reply, takes budget units, and opens a watch per URI through the
    /// providers (off the loop, on `executor`).
    func start(providers: [any ResourceProvider], executor: (any TaskExecutor)?) {
        let (ended, continuation) = AsyncStream<Void>.makeStream()
        lifetimeEnd = continuation
        let lifetime = Task { @LoopActor [weak self] in
            for await _ in ended {}
            // Finished by the stream itself: nothing to do. Cancelled by the reply: the client went away.
            guard Task.isCancelled, let self else { return }
            self.perform(self.state.clientGone())
        }
        reply.track(lifetime)

        var admitted: [String] = []
        var refused: [ListenStreamState.Refusal] = []
        for uri in state.requested.resourceSubscriptions {
            if budget.acquire() {
                admitted.append(uri)
            } else {
                refused.append(.init(uri: uri, reason: "the server already watches \(budget.limit) resources (its "
                                                       + "limit); try again later"))
            }
        }
        perform(state.begin(admitted: admitted, refused: refused))
        for uri in admitted where state.phase != .closed {
            watchTasks[uri] = runWatch(uri: uri, providers: providers, executor: executor)
        }
    }

    /// A server list changed.
    func listChanged(_ change: ListChange) {
        perform(state.listChanged(change))
    }

    /// The server shuts down: ends the stream with its final result.
    func shutdown() {
        perform(state.shutdown())
    }

    /// Opens the watch of `uri`, then forwards its changes until the stream no longer wants them.
    private func runWatch(uri: String, providers: [any ResourceProvider], executor: (any TaskExecutor)?)
        -> Task<Void, Never>
    {
        Task { @LoopActor [weak self] in
            let opened = await withTaskExecutorPreference(executor) { await MCPServer.openWatch(providers, uri: uri) }
            let watch: ResourceWatch
            switch opened {
            case .failure(let error):
                guard let self else { return }
                self.logger.debug("mcp.listen.watch_refused", metadata: ["mcp.error_code": "\(error.code)"])
                self.perform(self.state.watchFailed(uri, reason: error.message))
                return
            case .success(let w):
                watch = w
            }
            defer { watch.stop() }
            guard !Task.isCancelled, let opener = self else { return }
            opener.perform(opener.state.watchOpened(uri))
            for await _ in watch.changes {
                guard !Task.isCancelled, let self, self.state.isWatching(uri) else { return }
                self.perform(self.state.resourceChanged(uri))
            }
            guard !Task.isCancelled, let self else { return }
            self.logger.info("mcp.listen.watch_ended")
            self.perform(self.state.watchEnded(uri))
        }
    }

    private func perform(_ actions: [ListenStreamState.Action]) {
        for action in actions {
            switch action {
            case .acknowledge(let honored, let refused):
                reply.sendNotification(ListenMessages.acknowledged(id: id, honored: honored, refused: refused))
                logger.debug("mcp.listen.acknowledged", metadata: [
                    "mcp.listen.watches": "\(honored.resourceSubscriptions.count)",
                    "mcp.listen.refused": "\(refused.count)",
                ])
            case .notify(let notice):
                reply.sendNotification(ListenMessages.notice(id: id, notice))
            case .release(let uris):
                for uri in uris { watchTasks.removeValue(forKey: uri)?.cancel() }
                budget.release(uris.count)
            case .complete:
                reply.sendResponse(ListenMessages.complete(id: id))
            case .finished:
                lifetimeEnd?.finish()
                lifetimeEnd = nil
                logger.debug("mcp.listen.closed")
                let callback = onFinished
                onFinished = nil
                callback?(self)
            }
        }
    }
}
