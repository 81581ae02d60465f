/// The stream that carries a session's server-to-client messages, as far as the protocol layer needs it.
@LoopActor
public protocol MCPStreamHandle: AnyObject {
    /// Ends the stream cleanly.
    func finish()
}

/// The transport a session arrived on.
public enum MCPTransportKind: String, Sendable {
    case legacySSE = "legacy-sse"
    case streamableHTTP = "streamable-http"
    case stdio
}

/// One client's MCP session: protocol state, log level, running calls, and the stream for messages the
/// server sends on its own (list changes, logs of calls answered elsewhere).
///
/// Loop thread only. Owned by the session store (HTTP) or the stdio transport. Small on purpose: tens of
/// thousands of idle sessions must fit in a few kilobytes each.
@LoopActor
public final class MCPSession {
    /// Nil for stdio and stateless requests.
    public let id: SessionID?
    public let transport: MCPTransportKind
    public var state: SessionState
    /// Minimum level of `notifications/message` the client asked for (nil: none sent).
    public var logLevel: LogLevel?
    /// Calls in progress, by request id, so that `notifications/cancelled` can stop them.
    var inFlight: [JSONRPCID: Task<Void, Never>] = [:]
    /// Where unsolicited server messages go (legacy SSE stream, `GET /mcp` stream, stdout).
    public var outbound: (@LoopActor ([UInt8]) -> Void)?
    /// The stream object behind `outbound`, so that a replaced stream does not clear its successor's route.
    public var outboundOwner: MCPStreamHandle?
    /// `resources/subscribe` subscriptions (nil until the first); stopped when the session ends.
    public var subscriptions: SessionSubscriptions?
    /// Loop-clock milliseconds of the last message (for idle expiry of stream-less sessions).
    public var lastActivity: UInt64 = 0
    /// Whether the client declared form elicitation in `initialize` (it can be asked to confirm).
    public var elicitation: ElicitationSupport = .none
    /// The tool-call rate limit's bucket, made on the first call when `--tool-rate-limit` is set.
    public var toolCallBucket: TokenBucket?
    /// Requests sent to the client (`elicitation/create`) that wait for its response.
    var clientRequests = PendingClientRequests<ClientRequestWaiter>()

    public init(id: SessionID?, transport: MCPTransportKind, lenient: Bool) {
        self.id = id
        self.transport = transport
        state = SessionState(lenient: lenient)
    }

    /// Ends the session and cancels its running calls.
    public func end() {
        state.end()
        outbound = nil
        let owner = outboundOwner
        outboundOwner = nil
        owner?.finish()
        for task in inFlight.values { task.cancel() }
        inFlight.removeAll()
        subscriptions?.close()
        for waiter in clientRequests.removeAll() { waiter.settle(.cancelled) }
    }

    /// Sends an unsolicited message if the session has a stream for it.
    public func sendUnsolicited(_ bytes: [UInt8]) {
        outbound?(bytes)
    }
}
