/// Answers parsed HTTP requests. The router of the Transport layer implements it.
@LoopActor
public protocol HTTPHandler: AnyObject {
    /// Handles one request. Must eventually call exactly one of the exchange's `respond` or `startEventStream`
    /// methods (now or later, from the loop), unless the connection closes first.
    func handle(_ request: HTTPRequest, exchange: HTTPExchange)
}

/// The right to answer one request on one connection.
///
/// Loop thread only. Holding it keeps the connection object (not its socket) alive; answering after the
/// connection closed is a no-op.
@LoopActor
public struct HTTPExchange {
    let connection: HTTPConnection
    let generation: UInt64
    /// Whether the request allows the connection to stay open afterwards.
    public let keepAlive: Bool

    /// True while the client is still connected and nothing has been answered yet.
    public var isOpen: Bool { connection.isCurrent(generation) }

    /// Sends a complete response.
    public func respond(status: HTTPStatus, headers: [(String, String)] = [], body: [UInt8] = [],
                        contentType: String? = "application/json", close: Bool = false) {
        guard connection.isCurrent(generation) else { return }
        let keep = keepAlive && !close && !connection.server.isDraining
        let bytes = HTTPResponseEncoder.response(status: status, headers: headers, body: body,
                                                 contentType: contentType, keepAlive: keep)
        connection.finishResponse(bytes, keepAlive: keep)
    }

    /// Sends a complete response whose body is the concatenation of `bodyParts`.
    public func respond(status: HTTPStatus, headers: [(String, String)] = [], bodyParts: [[UInt8]],
                        contentType: String? = "application/json") {
        guard connection.isCurrent(generation) else { return }
        let keep = keepAlive && !connection.server.isDraining
        let bytes = HTTPResponseEncoder.response(status: status, headers: headers, bodyParts: bodyParts,
                                                 contentType: contentType, keepAlive: keep)
        connection.finishResponse(bytes, keepAlive: keep)
    }

    /// Sends a JSON error body `{"error":{"status":N,"message":"..."}}` with the given status.
    public func respondError(_ status: HTTPStatus, _ message: String, headers: [(String, String)] = [],
                             close: Bool = false) {
        respond(status: status, headers: headers, body: HTTPResponseEncoder.errorBody(status: status, message: message),
                close: close)
    }

    /// Runs `action` if the connection closes before this request is answered.
    public func onConnectionClose(_ action: @escaping @LoopActor () -> Void) {
        guard connection.isCurrent(generation) else { return }
        connection.closeWatcher = action
    }

    /// Turns the response into a chunked `text/event-stream` and hands back the stream to write events to.
    public func startEventStream(headers: [(String, String)] = [], longLived: Bool) -> EventStream? {
        guard connection.isCurrent(generation) else { return nil }
        return connection.startEventStream(headers: headers, longLived: longLived)
    }
}
