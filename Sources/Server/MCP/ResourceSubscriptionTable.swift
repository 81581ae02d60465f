/// The `resources/subscribe` subscriptions of one session as a side-effect-free state machine.
///
/// Plain value; owned by one session's `SessionSubscriptions` (loop thread) or a test. Each subscription is
/// keyed by its URI and carries a generation, so that a late event of a watch that was meanwhile unsubscribed
/// (and maybe subscribed again) is recognised as stale. The life of one subscription:
///
/// ```
///  subscribe ──▶ starting ──started──▶ active ──unsubscribe / watchEnded / close──▶ (gone)
///                   │                     
///                   └──failed / unsubscribe / close──▶ (gone)
/// ```
///
/// Every transition that removes a subscription returns its generation so the owner can stop the watch;
/// after `close()` (the session ended) every new subscription is refused.
public struct ResourceSubscriptionTable: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// The watch is being set up; `resources/subscribe` is not answered yet.
        case starting
        /// Watching: changes become `notifications/resources/updated`.
        case active
    }

    public struct Entry: Sendable, Equatable {
        public var generation: UInt64
        public var phase: Phase
    }

    /// What to do with a `resources/subscribe`.
    public enum SubscribeDecision: Sendable, Equatable {
        /// Set up a watch for this new subscription.
        case start(generation: UInt64)
        /// The URI is already subscribed (or being subscribed): answer success, nothing more.
        case alreadySubscribed
        case refuse(JSONRPCError)
    }

    public private(set) var entries: [String: Entry] = [:]
    /// True once the session ended.
    public private(set) var closed = false
    /// The most subscriptions at once.
    public let limit: Int
    private var nextGeneration: UInt64 = 1

    public init(limit: Int) {
        self.limit = limit
    }

    public var count: Int { entries.count }

    /// A client asked to subscribe to `uri`.
    public mutating func subscribe(uri: String) -> SubscribeDecision {
        if closed { return .refuse(.invalidRequest("the session has ended")) }
        if entries[uri] != nil { return .alreadySubscribed }
        guard entries.count < limit else {
            return .refuse(.invalidRequest(
                "this session already has \(entries.count) resource subscriptions (the limit is \(limit)); "
                    + "send resources/unsubscribe for some first"))
        }
        let generation = nextGeneration
        nextGeneration += 1
        entries[uri] = Entry(generation: generation, phase: .starting)
        return .start(generation: generation)
    }

    /// The watch of `generation` is running. True: the subscription is now active; false: it is stale
    /// (unsubscribed or the session closed meanwhile) and the owner must stop the watch.
    public mutating func started(uri: String, generation: UInt64) -> Bool {
        guard let entry = entries[uri], entry.generation == generation, entry.phase == .starting else { return false }
        entries[uri]?.phase = .active
        return true
    }

    /// The watch of `generation` could not be set up.
    public mutating func failed(uri: String, generation: UInt64) {
        if entries[uri]?.generation == generation { entries[uri] = nil }
    }

    /// Whether a change seen by the watch of `generation` is to be sent.
    public func shouldNotify(uri: String, generation: UInt64) -> Bool {
        entries[uri] == Entry(generation: generation, phase: .active)
    }

    /// The watch of `generation` ended on its own (the API refused to continue). True when it was the live
    /// subscription, which is now gone (the client is told once more so that it re-reads and may subscribe
    /// again).
    public mutating func watchEnded(uri: String, generation: UInt64) -> Bool {
        guard shouldNotify(uri: uri, generation: generation) else { return false }
        entries[uri] = nil
        return true
    }

    /// A client unsubscribed; returns the generation whose watch is to be stopped (nil: none was subscribed).
    public mutating func unsubscribe(uri: String) -> UInt64? {
        entries.removeValue(forKey: uri)?.generation
    }

    /// The session ended: every subscription is removed, and later ones are refused. Returns the generations
    /// whose watches are to be stopped.
    public mutating func close() -> [UInt64] {
        closed = true
        let generations = entries.values.map(\.generation)
        entries.removeAll()
        return generations
    }
}
