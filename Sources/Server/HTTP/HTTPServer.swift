import Logging

/// The HTTP/1.1 server: one listening socket, every connection, their timeouts and heartbeats.
///
/// Loop thread only. Owns the listener and (through an intrusive list) every live connection, so that
/// shutdown can reach them; the connections own their sockets.
@LoopActor
public final class HTTPServer {
    public let limits: HTTPLimits
    /// The effective connection cap: the configured one, lowered to what the descriptor limit allows.
    public let maxConnections: Int
    public var handler: HTTPHandler?
    let log: HTTPServerLog
    let timeouts: TimeoutWheel
    let heartbeats: HeartbeatScheduler
    private var listener: UVTCPListener?
    private var clock: UVTimer?
    /// All live connections, as an intrusive set keyed by identity.
    private var connections: [ObjectIdentifier: HTTPConnection] = [:]
    public private(set) var isDraining = false
    /// Requests parsed since start (for metrics and tests).
    public var requestCount: UInt64 = 0

    public init(limits: HTTPLimits, maxConnections: Int, logger: Logger) {
        self.limits = limits
        self.maxConnections = maxConnections
        self.log = HTTPServerLog(logger: logger)
        timeouts = TimeoutWheel()
        heartbeats = HeartbeatScheduler(intervalMilliseconds: limits.heartbeatIntervalMilliseconds)
    }

    /// The loop's clock in milliseconds.
    var now: UInt64 { EventLoop.shared.nowMilliseconds }

    /// Number of open connections.
    public var connectionCount: Int { connections.count }

    /// Binds and starts accepting; returns the bound port.
    @discardableResult
    public func start(host: String, port: Int) throws(UVError) -> Int {
        let listener = try UVTCPListener(
            host: host, port: port,
            onConnection: { [unowned self] stream in self.accept(stream) },
            onError: { [unowned self] error in self.log.acceptFailed(error) })
        self.listener = listener
        let clock = UVTimer()
        clock.start(timeoutMs: 1000, repeatMs: 1000) { [unowned self] in
            HTTPResponseEncoder.refreshDate()
            self.timeouts.tick(now: self.now)
        }
        clock.unref()
        self.clock = clock
        heartbeats.start()
        return listener.port
    }

    private func accept(_ stream: UVStream) {
        if isDraining || connections.count >= maxConnections {
            log.connectionRefused(open: connections.count, limit: maxConnections)
            let body = HTTPResponseEncoder.errorBody(
                status: .serviceUnavailable,
                message: isDraining ? "server is shutting down" : "too many connections (limit \(maxConnections))")
            stream.write(HTTPResponseEncoder.response(status: .serviceUnavailable, headers: [("Retry-After", "1")],
                                                      body: body, keepAlive: false))
            stream.close()
            return
        }
        let connection = HTTPConnection(stream: stream, server: self, now: now)
        connections[ObjectIdentifier(connection)] = connection
    }

    func connectionDidClose(_ connection: HTTPConnection) {
        connections.removeValue(forKey: ObjectIdentifier(connection))
        if isDraining, connections.isEmpty { drainWaiter?() ; drainWaiter = nil }
    }

    private var drainWaiter: (@LoopActor () -> Void)?

    /// Stops accepting, ends every event stream, closes idle connections and lets in-flight answers finish.
    /// `done` runs when the last connection is gone.
    public func beginShutdown(_ done: @escaping @LoopActor () -> Void) {
        guard !isDraining else { return }
        isDraining = true
        listener?.close()
        listener = nil
        drainWaiter = done
        for connection in Array(connections.values) {
            switch connection.state.phase {
            case .streaming:
                connection.eventStream?.finish()
            case .awaitingRequest:
                connection.close(reason: "shutdown")
            default:
                break  // answering: closes after its response (keep-alive is off while draining)
            }
        }
        if connections.isEmpty { drainWaiter?(); drainWaiter = nil }
    }

    /// Closes whatever is still open (the drain deadline passed) and stops the timers.
    public func forceClose() {
        for connection in Array(connections.values) { connection.close(reason: "shutdown deadline") }
        stopTimers()
    }

    /// Stops the housekeeping timers so that the loop can exit.
    public func stopTimers() {
        clock?.close()
        clock = nil
        heartbeats.stop()
    }
}

/// The log lines of the HTTP layer: constant messages, structured metadata, nothing secret.
struct HTTPServerLog {
    let logger: Logger

    func parseError(_ error: HTTPParseError) {
        logger.debug("http.request.rejected", metadata: ["http.status": "\(error.status.code)",
                                                         "http.reason": "\(error.message)"])
    }

    func slowReader(queued: Int) {
        logger.warning("http.stream.slow_reader_disconnected", metadata: ["http.queued_bytes": "\(queued)"])
    }

    func connectionClosed(reason: String) {
        logger.trace("http.connection.closed", metadata: ["http.reason": "\(reason)"])
    }

    func acceptFailed(_ error: UVError) {
        logger.error("http.accept.failed", metadata: ["uv.error": "\(error)"])
    }

    func connectionRefused(open: Int, limit: Int) {
        logger.warning("http.connection.refused", metadata: ["http.open": "\(open)", "http.limit": "\(limit)"])
    }
}
