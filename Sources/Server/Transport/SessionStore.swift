/// Every HTTP session (legacy SSE and Streamable HTTP) by id, with a cap and idle expiry for sessions that
/// hold no stream.
///
/// Loop thread only. Owns the sessions; transports look them up per request.
@LoopActor
public final class SessionStore {
    private var sessions: [SessionID: MCPSession] = [:]
    public let maxSessions: Int
    /// Streamable HTTP sessions without a stream and without requests for this long are ended.
    public let idleTimeoutMs: UInt64
    private var sweepTimer: UVTimer?
    private var sweepCursor: [SessionID] = []

    public init(maxSessions: Int, idleTimeoutMs: UInt64) {
        self.maxSessions = maxSessions
        self.idleTimeoutMs = idleTimeoutMs
    }

    public var count: Int { sessions.count }
    public var isFull: Bool { sessions.count >= maxSessions }

    public func add(_ session: MCPSession) {
        guard let id = session.id else { return }
        sessions[id] = session
    }

    public func session(_ id: SessionID) -> MCPSession? { sessions[id] }

    /// Removes and ends a session.
    @discardableResult
    public func remove(_ id: SessionID) -> MCPSession? {
        guard let session = sessions.removeValue(forKey: id) else { return nil }
        session.end()
        return session
    }

    /// Ends every session (shutdown).
    public func removeAll() {
        let all = sessions
        sessions.removeAll()
        for session in all.values { session.end() }
        sweepTimer?.close()
        sweepTimer = nil
    }

    /// Starts the incremental expiry sweep: at most 1,000 sessions are looked at per second.
    public func startSweeping(onExpire: @escaping @LoopActor (MCPSession) -> Void) {
        let timer = UVTimer()
        timer.start(timeoutMs: 1000, repeatMs: 1000) { [unowned self] in self.sweep(onExpire) }
        timer.unref()
        sweepTimer = timer
    }

    private func sweep(_ onExpire: @LoopActor (MCPSession) -> Void) {
        if sweepCursor.isEmpty { sweepCursor = Array(sessions.keys) }
        let now = EventLoop.shared.nowMilliseconds
        var looked = 0
        while looked < 1000, let id = sweepCursor.popLast() {
            looked += 1
            guard let session = sessions[id], session.outbound == nil, session.inFlight.isEmpty,
                now > session.lastActivity + idleTimeoutMs
            else { continue }
            remove(id)
            onExpire(session)
        }
    }
}
