/// A server-sent event stream on one connection: a legacy SSE session stream, a Streamable HTTP GET stream,
/// or the SSE form of one POST's response.
///
/// Loop thread only. Writes are queued on the connection; a reader that falls more than the configured
/// queue limit behind is disconnected. `onClose` runs once, when the connection ends for any reason.
@LoopActor
public final class EventStream {
    unowned(unsafe) let connection: HTTPConnection
    /// Runs once when the stream ends (peer gone, overflow, shutdown or `finish`).
    public var onClose: (@LoopActor () -> Void)?
    public private(set) var isClosed = false
    /// A session's stream (legacy SSE, `GET /mcp`) rather than one POST's response stream.
    public let isLongLived: Bool

    init(connection: HTTPConnection, longLived: Bool) {
        self.connection = connection
        self.isLongLived = longLived
    }

    /// Sends one `event: <name>` with a single-line JSON payload.
    public func send(event: StaticString = "message", data: [UInt8]) {
        guard !isClosed else { return }
        var chunk: [UInt8] = []
        chunk.reserveCapacity(data.count + 32)
        HTTPResponseEncoder.appendEventChunk(&chunk, event: event, data: data)
        connection.writeStream(chunk)
    }

    /// Sends the heartbeat comment.
    func sendHeartbeat() {
        guard !isClosed else { return }
        connection.writeStream(HTTPResponseEncoder.heartbeatChunk)
    }

    /// Ends the stream: terminates the chunked body; the connection is kept alive for short streams and
    /// closed for long-lived ones.
    public func finish() {
        guard !isClosed else { return }
        connection.finishEventStream(keepAlive: !isLongLived)
    }

    /// Called by the connection when it closes.
    func connectionDidClose() {
        guard !isClosed else { return }
        isClosed = true
        let callback = onClose
        onClose = nil
        callback?()
    }
}
