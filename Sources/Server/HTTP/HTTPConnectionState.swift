/// The life of one HTTP connection as a side-effect-free state machine: which phase it is in and when it
/// times out. The connection feeds it events and performs the actions it returns.
///
/// Plain value, owned by one connection (loop thread) or a test. Times are milliseconds of any monotonic clock.
public struct HTTPConnectionState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// Waiting for the first byte of a request (`first`: none has been served on this connection yet).
        case awaitingRequest(first: Bool)
        /// Bytes of a request have arrived; headers (or body) are incomplete.
        case readingRequest
        /// A complete request is being answered; reading is paused.
        case responding
        /// The response is a server-sent event stream; the connection is dedicated to it.
        case streaming
        /// The connection is closing.
        case closed
    }

    /// What the owner must do after an event.
    public enum Action: Sendable, Equatable {
        case none
        /// Close the connection (the reason is for logs).
        case close(reason: String)
    }

    public private(set) var phase: Phase = .awaitingRequest(first: true)
    /// When the connection times out, or nil for never.
    public private(set) var deadline: UInt64?
    /// Whether the running deadline is the header timeout (else the idle/body one).
    private var deadlineIsHeaderTimeout = true
    public let headerTimeoutMs: UInt64
    public let idleTimeoutMs: UInt64

    public init(now: UInt64, headerTimeoutMs: UInt64, idleTimeoutMs: UInt64) {
        self.headerTimeoutMs = headerTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        deadline = now + headerTimeoutMs
    }

    /// Request bytes arrived; `headersComplete` tells whether the current request's header section is done.
    public mutating func bytesReceived(now: UInt64, headersComplete: Bool) {
        switch phase {
        case .awaitingRequest:
            phase = .readingRequest
            deadline = headersComplete ? now + idleTimeoutMs : now + headerTimeoutMs
            deadlineIsHeaderTimeout = !headersComplete
        case .readingRequest:
            if headersComplete {
                deadline = now + idleTimeoutMs
                deadlineIsHeaderTimeout = false
            }
        case .responding, .streaming, .closed:
            break
        }
    }

    /// A complete request was parsed and is being answered.
    public mutating func requestParsed() {
        guard phase != .closed else { return }
        phase = .responding
        deadline = nil
    }

    /// The response to the current request was written.
    public mutating func responseFinished(now: UInt64, keepAlive: Bool) -> Action {
        guard phase == .responding else { return .none }
        if !keepAlive {
            phase = .closed
            deadline = nil
            return .close(reason: "connection: close")
        }
        phase = .awaitingRequest(first: false)
        deadline = now + idleTimeoutMs
        return .none
    }

    /// The response turned into a long-lived event stream.
    public mutating func streamStarted() {
        guard phase != .closed else { return }
        phase = .streaming
        deadline = nil
    }

    /// A short event stream (one POST's SSE response) ended; the connection may serve another request.
    public mutating func streamFinished(now: UInt64, keepAlive: Bool) -> Action {
        guard phase == .streaming else { return .none }
        if !keepAlive {
            phase = .closed
            deadline = nil
            return .close(reason: "stream finished")
        }
        phase = .awaitingRequest(first: false)
        deadline = now + idleTimeoutMs
        return .none
    }

    /// The timeout clock ticked.
    public mutating func tick(now: UInt64) -> Action {
        guard let deadline, now >= deadline else { return .none }
        let reason: String
        switch phase {
        case .awaitingRequest(let first): reason = first ? "header timeout" : "idle timeout"
        case .readingRequest: reason = deadlineIsHeaderTimeout ? "header timeout" : "body timeout"
        default: reason = "timeout"
        }
        phase = .closed
        self.deadline = nil
        return .close(reason: reason)
    }

    /// The peer went away or the connection failed.
    public mutating func closed() {
        phase = .closed
        deadline = nil
    }
}
