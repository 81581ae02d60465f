/// The resource subscriptions of one session: the state machine plus the task that runs each watch, kept in
/// step so that every subscription that leaves the table has its watch stopped.
///
/// Loop thread only. Owned by an `MCPSession`, created on its first `resources/subscribe`; `close()` runs when
/// the session ends.
@LoopActor
public final class SessionSubscriptions {
    public private(set) var table: ResourceSubscriptionTable
    private let budget: SubscriptionBudget
    private var tasks: [UInt64: Task<Void, Never>] = [:]

    public init(limit: Int, budget: SubscriptionBudget) {
        table = ResourceSubscriptionTable(limit: limit)
        self.budget = budget
    }

    /// Subscriptions (starting or active).
    public var count: Int { table.count }
    /// Running watch tasks (for tests: zero after every subscription ended).
    public var runningWatches: Int { tasks.count }

    /// A `resources/subscribe` for `uri`: decides, and takes a unit of the server-wide budget for a new one.
    func subscribe(uri: String) -> ResourceSubscriptionTable.SubscribeDecision {
        let decision = table.subscribe(uri: uri)
        guard case .start(let generation) = decision else { return decision }
        guard budget.acquire() else {
            table.failed(uri: uri, generation: generation)
            return .refuse(.invalidRequest(
                "the server already watches \(budget.limit) subscribed resources (its limit); try again later"))
        }
        return decision
    }

    /// The task that sets up and runs the watch of `generation`.
    func attach(_ task: Task<Void, Never>, generation: UInt64) {
        if table.entries.values.contains(where: { $0.generation == generation }) {
            tasks[generation] = task
        } else {
            task.cancel()
        }
    }

    func started(uri: String, generation: UInt64) -> Bool { table.started(uri: uri, generation: generation) }

    func shouldNotify(uri: String, generation: UInt64) -> Bool { table.shouldNotify(uri: uri, generation: generation) }

    /// The watch could not be set up.
    func failed(uri: String, generation: UInt64) {
        let before = table.count
        table.failed(uri: uri, generation: generation)
        finish(generation, released: before - table.count)
    }

    /// The watch ended by itself; true when the client should hear of it.
    func watchEnded(uri: String, generation: UInt64) -> Bool {
        let ended = table.watchEnded(uri: uri, generation: generation)
        finish(generation, released: ended ? 1 : 0)
        return ended
    }

    /// `resources/unsubscribe`: stops the watch, if any.
    func unsubscribe(uri: String) {
        guard let generation = table.unsubscribe(uri: uri) else { return }
        tasks[generation]?.cancel()
        finish(generation, released: 1)
    }

    /// The session ended: stops every watch.
    public func close() {
        let generations = table.close()
        for generation in generations { tasks[generation]?.cancel() }
        for generation in generations { tasks[generation] = nil }
        budget.release(generations.count)
        for task in tasks.values { task.cancel() }
        tasks.removeAll()
    }

    /// A watch task is done (or told to stop): forget it and give back its budget.
    func taskFinished(generation: UInt64) {
        tasks[generation] = nil
    }

    private func finish(_ generation: UInt64, released: Int) {
        tasks[generation] = nil
        if released > 0 { budget.release(released) }
    }
}
