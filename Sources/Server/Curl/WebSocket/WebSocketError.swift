/// Why a WebSocket session could not be opened or broke: the connection (libcurl), the handshake, or the
/// peer breaking RFC 6455.
///
/// Plain value, any thread. Never carries header values (they may hold credentials).
public enum WebSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// TCP, TLS or proxy setup failed, or the connection broke (libcurl's error).
    case connection(CurlError)
    /// The server answered the upgrade request with something other than 101: its status and body (at most
    /// `WebSocketHandshakeReader.maxBodyBytes`), e.g. a Kubernetes Status for 403 or 404.
    case rejected(status: Int, body: [UInt8])
    /// The server answered 101 but the answer is not a valid WebSocket upgrade (wrong accept key, no agreed
    /// subprotocol, ...), or the response head could not be read.
    case handshake(String)
    /// A frame broke RFC 6455 (masked server frame, bad length, unexpected continuation, ...).
    case protocolViolation(String)
    /// A message exceeded the size limit.
    case messageTooLarge(limit: Int)
    /// The session did not open within its deadline.
    case timedOut(milliseconds: Int)
    /// The caller cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .connection(let error): return "connection failed: \(error)"
        case .rejected(let status, _): return "the server refused the WebSocket upgrade with HTTP \(status)"
        case .handshake(let message): return "invalid WebSocket handshake: \(message)"
        case .protocolViolation(let message): return "WebSocket protocol violation: \(message)"
        case .messageTooLarge(let limit): return "a WebSocket message exceeded \(limit) bytes"
        case .timedOut(let ms): return "the WebSocket session did not open within \(ms) ms"
        case .cancelled: return "the WebSocket session was cancelled"
        }
    }
}

extension WebSocketError {
    public static func == (lhs: WebSocketError, rhs: WebSocketError) -> Bool {
        switch (lhs, rhs) {
        case (.connection(let a), .connection(let b)):
            return a.kind == b.kind && a.function == b.function && a.message == b.message
        case (.rejected(let s1, let b1), .rejected(let s2, let b2)): return s1 == s2 && b1 == b2
        case (.handshake(let a), .handshake(let b)), (.protocolViolation(let a), .protocolViolation(let b)): return a == b
        case (.messageTooLarge(let a), .messageTooLarge(let b)), (.timedOut(let a), .timedOut(let b)): return a == b
        case (.cancelled, .cancelled): return true
        default: return false
        }
    }
}
