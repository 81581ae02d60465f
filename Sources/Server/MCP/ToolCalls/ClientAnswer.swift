/// How a request the server sent to the client (`elicitation/create`) ended.
///
/// Plain value, any thread.
public enum ClientAnswer: Sendable, Equatable {
    /// The client's JSON-RPC result.
    case result(JSONValue)
    /// The client's JSON-RPC error.
    case error(JSONRPCError)
    /// No answer within the time limit.
    case timedOut
    /// The call that asked was cancelled, or the session ended.
    case cancelled
    /// The request could not be sent (no channel, or too many requests pending).
    case notSent
}
