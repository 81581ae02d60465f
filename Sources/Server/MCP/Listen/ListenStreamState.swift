/// The life of one `subscriptions/listen` stream (2026-07-28) as a side-effect-free state machine: event
/// methods return the actions its owner (`ListenStream`) performs.
///
/// Plain value; owned by one `ListenStream` (loop thread) or a test.
///
/// ```
///            begin                       last watch opened or failed
///  (new) ──────────▶ opening ───────────────────────────────────────▶ open ──┐
///                      │  (no URIs: acknowledged at once)                    │
///                      │                                                     │
///                      └──── clientGone / shutdown ──▶ closed ◀──────────────┘
/// ```
///
/// - `opening`: the resource watches are being set up; nothing is sent yet (the acknowledgement must be the
///   first message), and list changes or resource changes that happen meanwhile wait in `pending`.
/// - `open`: acknowledged with the honoured subset (the requested list kinds, and the URIs whose watch is
///   running); every change the client asked for becomes one notification.
/// - `closed`: every watch is released exactly once; after `shutdown` the graceful final result goes out,
///   after `clientGone` (closed connection, `notifications/cancelled`) nothing does. Later events do nothing.
///
/// Each URI that got a unit of the server's subscription budget is released exactly once — when its watch
/// fails to open, ends by itself, or the stream closes — through `.release`.
public struct ListenStreamState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case opening
        case open
        case closed
    }

    /// The watch of one admitted URI.
    public enum WatchPhase: Sendable, Equatable {
        /// Being set up.
        case starting
        /// Running: its changes are delivered.
        case active
    }

    /// A notification the stream carries (besides the acknowledgement).
    public enum Notice: Sendable, Equatable {
        case listChanged(ListChange)
        case resourceUpdated(String)
    }

    public enum Action: Sendable, Equatable {
        /// Send `notifications/subscriptions/acknowledged` with the honoured filter, naming the refused URIs
        /// with their reasons.
        case acknowledge(ListenFilter, refused: [Refusal])
        /// Send one notification.
        case notify(Notice)
        /// These URIs' watches are over: cancel their tasks (if still running) and give back one budget unit
        /// each.
        case release([String])
        /// Send the graceful final result; the stream then ends.
        case complete
        /// The stream is closed: forget it (no more events will come from the owner).
        case finished
    }

    /// A requested URI the stream does not watch, and why.
    public struct Refusal: Sendable, Equatable {
        public var uri: String
        public var reason: String

        public init(uri: String, reason: String) {
            self.uri = uri
            self.reason = reason
        }
    }

    public let requested: ListenFilter
    public private(set) var phase: Phase = .opening
    public private(set) var watches: [String: WatchPhase] = [:]
    public private(set) var refused: [Refusal] = []
    /// Notifications held back until the acknowledgement (in order, without duplicates).
    public private(set) var pending: [Notice] = []

    public init(requested: ListenFilter) {
        self.requested = requested
    }

    /// The stream starts: `admitted` URIs (each holding a budget unit) get a watch, the `refused` ones are
    /// reported in the acknowledgement. With nothing to watch, the acknowledgement goes out at once.
    public mutating func begin(admitted: [String], refused: [Refusal]) -> [Action] {
        guard phase == .opening, watches.isEmpty else { return [] }
        self.refused = refused
        for uri in admitted { watches[uri] = .starting }
        return acknowledgeIfReady()
    }

    /// The watch of `uri` is running.
    public mutating func watchOpened(_ uri: String) -> [Action] {
        guard phase != .closed, watches[uri] == .starting else { return [] }
        watches[uri] = .active
        return acknowledgeIfReady()
    }

    /// The watch of `uri` could not be set up (unknown URI, missing object, no access...).
    public mutating func watchFailed(_ uri: String, reason: String) -> [Action] {
        guard phase != .closed, watches[uri] == .starting else { return [] }
        watches[uri] = nil
        refused.append(Refusal(uri: uri, reason: reason))
        return [.release([uri])] + acknowledgeIfReady()
    }

    /// Whether changes seen by the watch of `uri` are wanted (false: the owner should stop that watch).
    public func isWatching(_ uri: String) -> Bool {
        phase != .closed && watches[uri] == .active
    }

    /// The watched object of `uri` changed (or was deleted, or the watch lost track and relisted).
    public mutating func resourceChanged(_ uri: String) -> [Action] {
        guard isWatching(uri) else { return [] }
        return deliver(.resourceUpdated(uri))
    }

    /// The watch of `uri` ended by itself (e.g. access revoked): the client hears once more that the resource
    /// changed (so that it re-reads it) and the URI is no longer watched.
    public mutating func watchEnded(_ uri: String) -> [Action] {
        guard phase != .closed, let watch = watches[uri] else { return [] }
        watches[uri] = nil
        if phase == .opening {
            // Never acknowledged: report it as refused instead.
            refused.append(Refusal(uri: uri, reason: "the watch ended before the stream was acknowledged"))
            return [.release([uri])] + acknowledgeIfReady()
        }
        guard watch == .active else { return [.release([uri])] }
        return [.notify(.resourceUpdated(uri)), .release([uri])]
    }

    /// A server list changed (kubeconfig reload): delivered when the client asked for that kind.
    public mutating func listChanged(_ change: ListChange) -> [Action] {
        guard phase != .closed, requested.wants(change) else { return [] }
        return deliver(.listChanged(change))
    }

    /// The client went away (connection closed, `notifications/cancelled`): every watch stops, nothing is sent.
    public mutating func clientGone() -> [Action] {
        guard phase != .closed else { return [] }
        return close(graceful: false)
    }

    /// The server shuts down: every watch stops and the final result ends the stream gracefully (also before
    /// the acknowledgement: a result alone tells the client the stream is over).
    public mutating func shutdown() -> [Action] {
        guard phase != .closed else { return [] }
        return close(graceful: true)
    }

    // MARK: Helpers

    private mutating func deliver(_ notice: Notice) -> [Action] {
        if phase == .open { return [.notify(notice)] }
        if !pending.contains(notice) { pending.append(notice) }
        return []
    }

    private mutating func acknowledgeIfReady() -> [Action] {
        guard phase == .opening, !watches.values.contains(.starting) else { return [] }
        phase = .open
        var honored = requested
        honored.resourceSubscriptions = requested.resourceSubscriptions.filter { watches[$0] == .active }
        let refusedInOrder = requested.resourceSubscriptions.compactMap { uri in refused.first { $0.uri == uri } }
        var actions: [Action] = [.acknowledge(honored, refused: refusedInOrder)]
        actions += pending.map { .notify($0) }
        pending.removeAll()
        return actions
    }

    private mutating func close(graceful: Bool) -> [Action] {
        phase = .closed
        pending.removeAll()
        let held = requested.resourceSubscriptions.filter { watches[$0] != nil }
        watches.removeAll()
        var actions: [Action] = []
        if !held.isEmpty { actions.append(.release(held)) }
        if graceful { actions.append(.complete) }
        actions.append(.finished)
        return actions
    }
}
