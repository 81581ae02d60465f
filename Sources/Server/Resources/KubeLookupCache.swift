/// A short-lived cache of name lists (namespaces, object names, containers) for `resources/list` and
/// `completion/complete`, so that a client typing a prefix does not cost one API list per keystroke.
///
/// Actor; any task. Bounded: at most `maxEntries` keys, the oldest evicted first; entries live `ttl`.
/// Concurrent misses on one key share one fetch. Failures are remembered for the same time, so that an
/// unreachable cluster costs one deadline per `ttl`, not one per request.
public actor KubeLookupCache {
    /// How long a fetched list is reused.
    public static let defaultTTL: Duration = .seconds(5)
    /// Keys kept at once.
    public static let maxEntries = 256

    private struct Entry {
        var outcome: Result<[String], KubeError>
        var fetchedAt: ContinuousClock.Instant
    }

    private let ttl: Duration
    private let clock = ContinuousClock()
    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private var inFlight: [String: Task<[String], Error>] = [:]

    public init(ttl: Duration = KubeLookupCache.defaultTTL) {
        self.ttl = ttl
    }

    /// The cached values of `key`, or the result of `fetch` (cached when it succeeds).
    public func values(_ key: String, fetch: @escaping @Sendable () async throws(KubeError) -> [String])
        async throws(KubeError) -> [String]
    {
        if let entry = entries[key], entry.fetchedAt.duration(to: clock.now) < ttl { return try entry.outcome.get() }
        let task: Task<[String], Error>
        if let running = inFlight[key] {
            task = running
        } else {
            task = Task { try await fetch() }
            inFlight[key] = task
        }
        do {
            let values = try await task.value
            inFlight[key] = nil
            store(key, .success(values))
            return values
        } catch let error as KubeError {
            inFlight[key] = nil
            if error != .cancelled { store(key, .failure(error)) }
            throw error
        } catch {
            inFlight[key] = nil
            throw .cancelled
        }
    }

    private func store(_ key: String, _ outcome: Result<[String], KubeError>) {
        if entries[key] == nil {
            order.append(key)
            if order.count > Self.maxEntries { entries[order.removeFirst()] = nil }
        }
        entries[key] = Entry(outcome: outcome, fetchedAt: clock.now)
    }
}
