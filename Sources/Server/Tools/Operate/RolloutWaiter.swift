/// Waits for one workload's rollout: reads the object, then watches it (a single-object watch, resumed from the
/// read's resourceVersion) and evaluates `RolloutRules` on every change until the rollout is complete, has
/// failed, the timeout passes, or the caller cancels.
///
/// A value used by one tool call, in its task. Cancelling that task stops the watch at once (the HTTP stream is
/// closed, no request follows) and makes `wait` throw `CancellationError`.
struct RolloutWaiter {
    /// How a wait ended (cancellation is thrown instead).
    enum Outcome: Equatable {
        case complete(String)
        case failed(String)
        /// The timeout passed; the last state seen.
        case timedOut(String)
    }

    let connection: KubeClients.Connection
    let resource: APIResourceInfo
    let kind: WorkloadKind
    let name: String
    let namespace: String?
    let timeout: Duration
    let report: @Sendable (_ progress: Double, _ total: Double?, _ message: String?) async -> Void
    /// How often the clock is checked (timeout, heartbeats).
    var tickInterval: Duration = .milliseconds(250)
    var heartbeat: Duration = .seconds(10)

    private enum Input: Sendable {
        case object(JSONValue)
        case deleted
        case watchFailed(KubeError)
        case tick
    }

    func wait() async throws -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        var progress = RolloutProgress(heartbeat: heartbeat)
        let initial: JSONValue
        do {
            initial = try await connection.get(resource, name: name, namespace: namespace)
        } catch {
            if case .cancelled = error { throw CancellationError() }
            throw error
        }
        var state = RolloutRules.evaluate(kind, initial)
        if let done = try await handle(state, &progress, at: start.duration(to: clock.now)) { return done }
        let resourceVersion = initial["metadata"]?["resourceVersion"]?.stringValue

        let (inputs, sink) = AsyncStream<Input>.makeStream(bufferingPolicy: .bufferingNewest(64))
        let (connection, resource, namespace, name) = (self.connection, self.resource, self.namespace, self.name)
        let tickInterval = self.tickInterval
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    let watch = connection.watch(resource, namespace: namespace, fieldSelector: "metadata.name=\(name)",
                                                 resourceVersion: resourceVersion)
                    for try await event in watch {
                        switch event {
                        case .added(let object), .modified(let object):
                            sink.yield(.object(object))
                        case .deleted:
                            sink.yield(.deleted)
                        case .relisted(let items, _):
                            if let object = items.first(where: { $0["metadata"]?["name"]?.stringValue == name }) {
                                sink.yield(.object(object))
                            } else {
                                sink.yield(.deleted)
                            }
                        case .bookmark:
                            break
                        }
                    }
                    if !Task.isCancelled { sink.yield(.watchFailed(.transport("the watch ended unexpectedly"))) }
                } catch let error as KubeError {
                    sink.yield(.watchFailed(error))
                } catch {
                    // Cancelled: the wait is over.
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: tickInterval)
                    sink.yield(.tick)
                }
            }
            defer { group.cancelAll() }
            for await input in inputs {
                let elapsed = start.duration(to: clock.now)
                switch input {
                case .object(let object):
                    state = RolloutRules.evaluate(kind, object)
                    if let done = try await handle(state, &progress, at: elapsed) { return done }
                case .deleted:
                    return .failed("\(kind.noun) \"\(self.name)\" was deleted while waiting for its rollout")
                case .watchFailed(let error):
                    if case .cancelled = error { throw CancellationError() }
                    throw error
                case .tick:
                    if elapsed >= timeout { return .timedOut(state.message) }
                    if let note = progress.tick(at: elapsed) { await report(note.progress, 100, note.message) }
                }
                try Task.checkCancellation()
            }
            // The input stream ends only when this task is cancelled.
            throw CancellationError()
        }
    }

    /// Reports a new state; returns the outcome when the rollout is over.
    private func handle(_ state: RolloutRules.State, _ progress: inout RolloutProgress, at elapsed: Duration)
        async throws -> Outcome?
    {
        try Task.checkCancellation()
        if let note = progress.observe(state, at: elapsed) { await report(note.progress, 100, note.message) }
        switch state.phase {
        case .complete: return .complete(state.message)
        case .failed: return .failed(state.message)
        case .waiting: return nil
        }
    }
}
