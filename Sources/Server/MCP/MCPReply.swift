/// Where the answer to one request goes, together with the notifications that belong to it (progress and
/// logs): a POST's JSON or SSE response, a legacy SSE stream, stdout, or a batch being collected.
///
/// Loop thread only.
@LoopActor
public protocol MCPReply: AnyObject, Sendable {
    /// Sends the final JSON-RPC response (exactly once); `errorCode` is set when it is an error response.
    func sendResponse(_ bytes: [UInt8], errorCode: Int?)
    /// Turns the reply into a long-lived stream of notifications (`subscriptions/listen`) that ends with the
    /// response; false when it cannot carry one (a POST that does not accept `text/event-stream`).
    func beginLongLivedStream() -> Bool
    /// Sends a notification that belongs to this request, before the response.
    func sendNotification(_ bytes: [UInt8])
    /// True when the client can still receive the answer (false once its connection closed).
    var isOpen: Bool { get }
    /// Sends a successful response given as parts (envelope prefix, cached result, suffix); transports that
    /// can write the parts without joining them first override this.
    func sendResponse(parts: [[UInt8]])
    /// A running call whose fate is tied to this reply (2026-07-28: a closed response stream cancels it).
    func track(_ task: Task<Void, Never>)
    /// Whether a request to the client (`elicitation/create`) can travel on this channel before the response:
    /// a POST's event stream, a legacy SSE stream, stdout — not a plain JSON response or a modern request.
    var canSendRequests: Bool { get }
    /// Sends a request to the client that belongs to this call, before the response.
    func sendRequest(_ bytes: [UInt8])
}

extension MCPReply {
    public func beginLongLivedStream() -> Bool { isOpen }
    public func sendResponse(_ bytes: [UInt8]) { sendResponse(bytes, errorCode: nil) }
    public func sendError(id: JSONRPCID?, _ error: JSONRPCError) {
        sendResponse(JSONRPCEncoder.error(id: id, error), errorCode: error.code)
    }
    public func track(_ task: Task<Void, Never>) {}
    public var canSendRequests: Bool { false }
    public func sendRequest(_ bytes: [UInt8]) { sendNotification(bytes) }
    public func sendResponse(parts: [[UInt8]]) {
        var joined: [UInt8] = []
        joined.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { joined += part }
        sendResponse(joined, errorCode: nil)
    }
}

/// How a request is to be served: which revision applies and whether a session is attached.
public struct MCPRequestContext: Sendable {
    /// The revision in force (negotiated, from the header, or the modern one).
    public var version: ProtocolVersion
    /// Whether the stateless 2026-07-28 envelope applies.
    public var isModern: Bool { version.isModern }

    /// Who sent the request, as an opaque digest of its credential (empty without authentication). Binds
    /// per-caller state such as a confirmation's `requestState` to that caller.
    public var principal: String

    public init(version: ProtocolVersion, principal: String = "") {
        self.version = version
        self.principal = principal
    }
}
