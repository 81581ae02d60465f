/// One accepted HTTP/1.1 connection: parses requests (pipelined ones in order), hands them to the handler,
/// writes responses, and may turn into a server-sent event stream.
///
/// Loop thread only. Owns its `UVStream`; kept alive by it until the socket's close callback. An idle
/// connection holds no buffers: the parser is created on the first byte and dropped once the connection
/// streams.
@LoopActor
public final class HTTPConnection: UVStreamDelegate {
    let stream: UVStream
    unowned(unsafe) let server: HTTPServer
    private var parser: HTTPRequestParser?
    private(set) var state: HTTPConnectionState
    /// Unparsed bytes that arrived after a request whose answer is pending.
    private var leftover: [UInt8]?
    /// Responses produced during one read callback, written together.
    private var outbox: [UInt8] = []
    private var insideRead = false
    /// Incremented for every request; an exchange is valid only for its own generation.
    private var generation: UInt64 = 0
    private var answered = true
    private(set) var eventStream: EventStream?
    /// The timeout-wheel bucket (second) this connection is registered in, if any.
    var wheelSecond: UInt64?
    /// The heartbeat slot this connection is registered in, when it streams.
    var heartbeatSlot: Int?
    private var closed = false
    /// Runs if the connection closes while a request is unanswered (2026-07-28 cancellation). While one is set
    /// the connection keeps reading, so that the peer closing is noticed at once.
    var closeWatcher: (@LoopActor () -> Void)? {
        didSet {
            if closeWatcher != nil, !closed, state.phase != .closed, !stream.isReading { stream.startReading() }
        }
    }

    init(stream: UVStream, server: HTTPServer, now: UInt64) {
        self.stream = stream
        self.server = server
        state = HTTPConnectionState(now: now, headerTimeoutMs: server.limits.headerTimeoutMilliseconds,
                                    idleTimeoutMs: server.limits.idleTimeoutMilliseconds)
        stream.delegate = self
        stream.startReading()
        server.timeouts.schedule(self)
    }

    func isCurrent(_ generation: UInt64) -> Bool {
        !closed && generation == self.generation && !answered
    }

    // MARK: UVStreamDelegate

    public func stream(_ stream: UVStream, didRead bytes: UnsafeRawBufferPointer) {
        guard !closed else { return }
        switch state.phase {
        case .streaming where closeWatcher != nil, .responding:
            // Reading goes on while an answer is pending only to notice the peer closing (2026-07-28
            // cancellation) or when it was not paused in time: keep the bytes for later, within bounds.
            leftover = (leftover ?? []) + Array(bytes)
            if closeWatcher == nil || (leftover?.count ?? 0) > server.limits.maxBodyBytes { stream.stopReading() }
            return
        case .streaming, .closed:
            return  // a stream's client has nothing more to say (EOF ends it); a closing one is not heard
        default:
            break
        }
        insideRead = true
        process(bytes)
        insideRead = false
        flush()
        closeIfFinished()
    }

    /// Closes the socket once a closing connection has written everything.
    private func closeIfFinished() {
        if state.phase == .closed, !closed, stream.pendingWriteBytes == 0 { stream.close() }
    }

    public func streamDidEnd(_ stream: UVStream, error: UVError?) {
        close(reason: error == nil ? "peer closed" : "read error")
    }

    public func streamDidDrain(_ stream: UVStream) {
        if state.phase == .closed {
            stream.close()
            return
        }
        if !stream.isReading, state.phase != .responding, state.phase != .streaming { stream.startReading() }
    }

    public func streamDidClose(_ stream: UVStream) {
        markClosed()
    }

    // MARK: Requests

    /// Parses and dispatches as many complete requests as the bytes hold.
    private func process(_ bytes: UnsafeRawBufferPointer) {
        var remaining = bytes
        while !remaining.isEmpty, !closed {
            if parser == nil { parser = HTTPRequestParser(limits: server.limits) }
            guard let parser else { return }
            let event = parser.parse(remaining)
            switch event {
            case .needMore:
                state.bytesReceived(now: server.now, headersComplete: parser.headersComplete)
                server.timeouts.schedule(self)
                return
            case .error(let error):
                server.log.parseError(error)
                let body = HTTPResponseEncoder.errorBody(status: error.status, message: error.message)
                generation += 1
                answered = true
                state.requestParsed()
                outbox += HTTPResponseEncoder.response(status: error.status, body: body, keepAlive: false)
                _ = state.responseFinished(now: server.now, keepAlive: false)
                closeAfterWrite()
                return
            case .request(let request, let consumed):
                remaining = UnsafeRawBufferPointer(rebasing: remaining[consumed...])
                state.bytesReceived(now: server.now, headersComplete: true)
                state.requestParsed()
                generation += 1
                answered = false
                server.requestCount &+= 1
                server.handler?.handle(request, exchange: HTTPExchange(connection: self, generation: generation,
                                                                        keepAlive: request.keepAlive))
                if closed || state.phase == .closed { return }
                if state.phase == .responding || state.phase == .streaming {
                    // Answer pending (or the connection now streams): keep the rest for later. A long-lived
                    // stream keeps reading, so that the peer closing it is noticed at once (and its session
                    // ends, stopping its watches) rather than at the next failed heartbeat.
                    if !remaining.isEmpty, state.phase == .responding { leftover = Array(remaining) }
                    // A caller that cancels by closing the connection must be heard while the answer is pending.
                    if closeWatcher == nil && eventStream?.isLongLived != true { stream.stopReading() }
                    return
                }
            }
        }
    }

    /// Writes a complete response and moves on to the next request.
    func finishResponse(_ bytes: [UInt8], keepAlive: Bool) {
        answered = true
        closeWatcher = nil
        write(bytes)
        let action = state.responseFinished(now: server.now, keepAlive: keepAlive)
        server.timeouts.schedule(self)
        if case .close = action {
            closeAfterWrite()
            return
        }
        resumeAfterResponse()
    }

    /// After an asynchronous answer: handle pipelined bytes that waited, then read again.
    private func resumeAfterResponse() {
        if insideRead { return }  // the read loop continues by itself
        flush()
        if let pending = leftover {
            leftover = nil
            insideRead = true
            pending.withUnsafeBytes { process($0) }
            insideRead = false
            flush()
            closeIfFinished()
        }
        if !closed, state.phase != .responding, state.phase != .streaming, state.phase != .closed,
            stream.pendingWriteBytes < server.limits.maxBodyBytes
        {
            stream.startReading()
        }
    }

    // MARK: Event streams

    func startEventStream(headers: [(String, String)], longLived: Bool) -> EventStream {
        answered = true
        state.streamStarted()
        parser = nil
        leftover = nil
        let es = EventStream(connection: self, longLived: longLived)
        eventStream = es
        write(HTTPResponseEncoder.eventStreamHead(headers: headers))
        if !insideRead { flush() }
        if longLived {
            // A long-lived stream still notices the peer closing: keep reading (bytes are ignored).
            stream.startReading()
        }
        // Every stream gets keep-alive comments: a POST's stream can last as long as a slow call.
        server.heartbeats.add(self)
        server.timeouts.schedule(self)
        return es
    }

    func writeStream(_ chunk: [UInt8]) {
        guard !closed else { return }
        write(chunk)
        if !insideRead { flush() }
        if stream.pendingWriteBytes > server.limits.streamQueueBytes {
            server.log.slowReader(queued: stream.pendingWriteBytes)
            close(reason: "stream queue overflow")
        }
    }

    func finishEventStream(keepAlive: Bool) {
        guard !closed, let es = eventStream else { return }
        closeWatcher = nil
        write(HTTPResponseEncoder.lastChunk)
        eventStream = nil
        es.connectionDidClose()
        server.heartbeats.remove(self)
        let action = state.streamFinished(now: server.now, keepAlive: keepAlive && !server.isDraining)
        server.timeouts.schedule(self)
        if case .close = action {
            closeAfterWrite()
        } else {
            resumeAfterResponse()
        }
    }

    // MARK: Writing and closing

    private func write(_ bytes: [UInt8]) {
        if outbox.isEmpty { outbox = bytes } else { outbox += bytes }
    }

    private func flush() {
        guard !outbox.isEmpty, !closed else { return }
        stream.write(outbox)
        outbox.removeAll(keepingCapacity: false)
        if stream.pendingWriteBytes > server.limits.maxBodyBytes, state.phase != .streaming {
            stream.stopReading()  // a client that does not read its answers gets no more
        }
    }

    /// Closes once everything written so far has gone out.
    private func closeAfterWrite() {
        state.closed()
        if !insideRead { flush() }
        stream.stopReading()
        if insideRead { return }  // flushed and closed at the end of the read callback
        closeIfFinished()
    }

    /// Closes now (queued bytes are dropped).
    func close(reason: String) {
        guard !closed else { return }
        server.log.connectionClosed(reason: reason)
        state.closed()
        flush()
        stream.close()
        markClosed()
    }

    /// Called by the timeout wheel.
    func tick(now: UInt64) {
        if case .close(let reason) = state.tick(now: now) {
            close(reason: reason)
        }
    }

    private func markClosed() {
        guard !closed else { return }
        closed = true
        state.closed()
        parser = nil
        leftover = nil
        outbox = []
        if heartbeatSlot != nil { server.heartbeats.remove(self) }
        let es = eventStream
        eventStream = nil
        es?.connectionDidClose()
        let watcher = closeWatcher
        closeWatcher = nil
        watcher?()
        server.connectionDidClose(self)
    }
}
