/// What a WebSocket session tells its handler, in order: `opened` once, then the messages as pieces.
///
/// Plain value, any thread.
public enum WebSocketEvent: Sendable, Equatable {
    /// The handshake succeeded; the subprotocol the server agreed to.
    case opened(subprotocol: String?)
    /// A text or binary message begins.
    case messageStart(WebSocketOpcode)
    /// The next piece of the current message.
    case data([UInt8])
    /// The current message is complete.
    case messageEnd
}

/// What a handler asks of its session in answer to an event.
///
/// Plain value, any thread.
public enum WebSocketCommand: Sendable, Equatable {
    /// Send one binary message.
    case sendBinary([UInt8])
    /// Start the closing handshake with this status code (1000: normal closure).
    case close(code: UInt16)
}

/// How an open session ended.
///
/// Plain value, any thread.
public enum WebSocketEnd: Sendable, Equatable {
    /// A close frame was exchanged: the peer's code (nil when it sent none) and reason.
    case closed(code: UInt16?, reason: String)
    /// The connection ended without a closing handshake (TCP closed or broke).
    case connectionLost(String)
    /// The session's deadline passed while it was open.
    case timedOut
    /// The caller cancelled.
    case cancelled
    /// The peer broke the protocol or sent too much.
    case failed(WebSocketError)
}
