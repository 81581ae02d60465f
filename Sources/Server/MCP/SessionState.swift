/// The protocol life of one MCP session as a side-effect-free state machine.
///
/// Plain value; owned by one session (loop thread) or a test.
public struct SessionState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// Nothing received yet.
        case new
        /// `initialize` answered; waiting for `notifications/initialized`.
        case initializing(ProtocolVersion)
        /// Fully set up.
        case ready(ProtocolVersion)
        /// Ended (stream closed, DELETE, shutdown); every further message is refused.
        case ended
    }

    /// What to do with an incoming message.
    public enum Decision: Sendable, Equatable {
        /// Serve it under this revision.
        case serve(ProtocolVersion)
        /// Refuse it with this JSON-RPC error.
        case reject(JSONRPCError)
    }

    public private(set) var phase: Phase = .new
    /// Whether a session that never saw `initialize` may be served anyway (legacy SSE reconnects: Cursor).
    public let lenient: Bool

    public init(lenient: Bool) {
        self.lenient = lenient
    }

    /// The negotiated revision, once known.
    public var version: ProtocolVersion? {
        switch phase {
        case .initializing(let v), .ready(let v): return v
        case .new, .ended: return nil
        }
    }

    /// An `initialize` request arrived asking for `requested`.
    public mutating func initialize(requested: String?) -> Decision {
        switch phase {
        case .ended:
            return .reject(.invalidRequest("the session has ended"))
        case .new:
            let v = ProtocolVersion.negotiate(requested: requested)
            phase = .initializing(v)
            return .serve(v)
        case .initializing, .ready:
            // A repeated initialize (client restart on the same stream): renegotiate.
            let v = ProtocolVersion.negotiate(requested: requested)
            phase = .initializing(v)
            return .serve(v)
        }
    }

    /// `notifications/initialized` arrived.
    public mutating func initialized() {
        if case .initializing(let v) = phase { phase = .ready(v) }
    }

    /// Any other request or notification arrived; `method` decides what is allowed before `initialize`.
    public mutating func message(method: String) -> Decision {
        switch phase {
        case .ended:
            return .reject(.invalidRequest("the session has ended"))
        case .initializing(let v), .ready(let v):
            return .serve(v)
        case .new:
            if method == "ping" { return .serve(.v2024_11_05) }
            if lenient {
                // Served as the oldest revision, as the client never said which one it speaks.
                phase = .ready(.v2024_11_05)
                return .serve(.v2024_11_05)
            }
            return .reject(.invalidRequest("the session is not initialized; send initialize first"))
        }
    }

    /// The session is over.
    public mutating func end() { phase = .ended }
}
