/// The life of one client WebSocket session as a state machine without I/O: the upgrade request and its
/// answer, frames in both directions, ping/pong and the closing handshake. Its owner (`CurlWebSocket`) feeds
/// it what happened on the socket and performs the actions it returns.
///
/// Plain value, any thread; its owner runs it on the loop.
struct WebSocketSessionState {
    /// What the owner must do.
    enum Action: Equatable {
        /// Write these bytes to the connection (in order).
        case write([UInt8])
        /// Hand this event to the handler (whose commands come back through `command(_:)`).
        case deliver(WebSocketEvent)
        /// The session is over: flush pending writes if possible, then close the connection.
        case finish(WebSocketEnd)
        /// The session never opened.
        case fail(WebSocketError)
    }

    private enum State {
        case idle
        case handshaking(WebSocketHandshakeReader)
        case open(WebSocketFrameParser)
        /// We sent a close frame and wait for the peer's.
        case closing(WebSocketFrameParser)
        case done
    }

    let handshake: WebSocketHandshake
    let maxMessageBytes: Int
    private var state: State = .idle
    /// The subprotocol agreed in the handshake.
    private(set) var subprotocol: String?

    init(handshake: WebSocketHandshake, maxMessageBytes: Int) {
        self.handshake = handshake
        self.maxMessageBytes = maxMessageBytes
    }

    var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    /// We sent a close frame and wait for the peer's answer.
    var isClosing: Bool {
        if case .closing = state { return true }
        return false
    }

    /// The connection is up: send the upgrade request.
    mutating func connected(target: String, host: String, headers: [(String, String)]) -> [Action] {
        guard case .idle = state else { return [] }
        state = .handshaking(WebSocketHandshakeReader())
        return [.write(handshake.requestBytes(target: target, host: host, headers: headers))]
    }

    /// Bytes arrived.
    mutating func received(_ bytes: some Collection<UInt8>) -> [Action] {
        switch state {
        case .idle, .done:
            return []
        case .handshaking(var reader):
            let progress: WebSocketHandshakeReader.Progress
            do { progress = try reader.feed(bytes) } catch { return fail(error) }
            return handshakeProgress(progress, reader: reader)
        case .open(var parser):
            return frames(&parser, bytes, closing: false)
        case .closing(var parser):
            return frames(&parser, bytes, closing: true)
        }
    }

    /// The peer closed the connection (or it broke: `error`).
    mutating func ended(error: String? = nil) -> [Action] {
        switch state {
        case .idle, .done:
            return []
        case .handshaking(var reader):
            if let error { return fail(.handshake("the connection broke during the handshake: \(error)")) }
            do { return handshakeProgress(try reader.finish(), reader: reader) } catch { return fail(error) }
        case .open:
            state = .done
            return [.finish(.connectionLost(error ?? "the server closed the connection without a close frame"))]
        case .closing:
            // We already said goodbye; a server may close TCP without answering the close frame.
            state = .done
            return [.finish(.closed(code: nil, reason: ""))]
        }
    }

    /// The handler's (or the owner's) request.
    mutating func command(_ command: WebSocketCommand) -> [Action] {
        guard case .open(let parser) = state else { return [] }
        switch command {
        case .sendBinary(let payload):
            return [.write(WebSocketFrameEncoder.frame(.binary, payload: payload))]
        case .close(let code):
            state = .closing(parser)
            return [.write(WebSocketFrameEncoder.frame(.close, payload: WebSocketFrameEncoder.closePayload(
                code: code, reason: "")))]
        }
    }

    /// The deadline passed.
    mutating func timedOut(milliseconds: Int) -> [Action] {
        switch state {
        case .idle, .handshaking:
            return fail(.timedOut(milliseconds: milliseconds))
        case .open, .closing:
            state = .done
            return [.finish(.timedOut)]
        case .done:
            return []
        }
    }

    /// The caller cancelled.
    mutating func cancelled() -> [Action] {
        switch state {
        case .idle, .handshaking: return fail(.cancelled)
        case .open, .closing:
            state = .done
            return [.finish(.cancelled)]
        case .done: return []
        }
    }

    private mutating func fail(_ error: WebSocketError) -> [Action] {
        switch state {
        case .open, .closing:
            state = .done
            return [.finish(.failed(error))]
        case .done:
            return []
        case .idle, .handshaking:
            state = .done
            return [.fail(error)]
        }
    }

    private mutating func handshakeProgress(_ progress: WebSocketHandshakeReader.Progress,
                                            reader: WebSocketHandshakeReader) -> [Action] {
        switch progress {
        case .needMore:
            state = .handshaking(reader)
            return []
        case .refused(let head, let body):
            state = .done
            return [.fail(.rejected(status: head.status, body: body))]
        case .upgraded(let head, let leftover):
            do { subprotocol = try handshake.verify(head) } catch {
                state = .done
                return [.fail(error)]
            }
            var parser = WebSocketFrameParser(maxMessageBytes: maxMessageBytes)
            state = .open(parser)
            var actions: [Action] = [.deliver(.opened(subprotocol: subprotocol))]
            if !leftover.isEmpty { actions += frames(&parser, leftover, closing: false) }
            return actions
        }
    }

    private mutating func frames(_ parser: inout WebSocketFrameParser, _ bytes: some Collection<UInt8>,
                                 closing: Bool) -> [Action] {
        let events: [WebSocketFrameParser.Event]
        do { events = try parser.feed(bytes) } catch {
            state = .open(parser)
            return fail(error)
        }
        state = closing ? .closing(parser) : .open(parser)
        var actions: [Action] = []
        for event in events {
            switch event {
            case .messageStart(let opcode): actions.append(.deliver(.messageStart(opcode)))
            case .data(let bytes): actions.append(.deliver(.data(bytes)))
            case .messageEnd: actions.append(.deliver(.messageEnd))
            case .ping(let payload):
                if !closing { actions.append(.write(WebSocketFrameEncoder.frame(.pong, payload: payload))) }
            case .pong:
                break
            case .close(let code, let reason):
                if !closing {
                    // Echo the code (RFC 6455 §5.5.1); a close without a code is answered without one.
                    let echo = code.map { WebSocketFrameEncoder.closePayload(code: $0, reason: "") } ?? []
                    actions.append(.write(WebSocketFrameEncoder.frame(.close, payload: echo)))
                }
                state = .done
                actions.append(.finish(.closed(code: code, reason: reason)))
                return actions
            }
        }
        return actions
    }
}
