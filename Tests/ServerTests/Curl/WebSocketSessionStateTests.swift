import Foundation
import Testing
@testable import Server

@Suite struct WebSocketSessionStateTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    static let upgrade = Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n").utf8)

    func opened() -> WebSocketSessionState {
        var state = WebSocketSessionState(handshake: WebSocketHandshake(key: Self.key, protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"]),
                                          maxMessageBytes: 1 << 20)
        let first = state.connected(target: "/x", host: "h", headers: [])
        #expect(first.count == 1)
        _ = state.received(Self.upgrade)
        #expect(state.isOpen)
        return state
    }

    /// The frames the actions write, decoded.
    func written(_ actions: [WebSocketSessionState.Action]) -> [(WebSocketOpcode?, [UInt8])] {
        actions.compactMap {
            if case .write(let bytes) = $0 { let d = decodeClientFrame(bytes); return (d.0, d.2) }
            return nil
        }
    }

    @Test func opensAndDeliversFramesThatCameWithTheHandshake() {
        var state = WebSocketSessionState(handshake: WebSocketHandshake(key: Self.key, protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"]),
                                          maxMessageBytes: 1 << 20)
        let request = state.connected(target: "/api?x=1", host: "h:1", headers: [("User-Agent", "t")])
        guard case .write(let bytes)? = request.first else {
            Issue.record("no request written")
            return
        }
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("GET /api?x=1 HTTP/1.1\r\n"))
        let actions = state.received(Self.upgrade + serverFrame(.binary, [1, 65]))
        #expect(actions == [.deliver(.opened(subprotocol: "v4.channel.k8s.io")), .deliver(.messageStart(.binary)),
                            .deliver(.data([1, 65])), .deliver(.messageEnd)])
        #expect(state.subprotocol == "v4.channel.k8s.io")
    }

    @Test func answersPingWithPongAndIgnoresPong() {
        var state = opened()
        let actions = state.received(serverFrame(.ping, [1, 2, 3]) + serverFrame(.pong, [9]))
        let frames = written(actions)
        #expect(frames.count == 1 && frames[0].0 == .pong && frames[0].1 == [1, 2, 3])
    }

    @Test func echoesTheServersClose() {
        var state = opened()
        let actions = state.received(serverFrame(.close, [0x03, 0xE8]))
        #expect(written(actions).map(\.0) == [.close])
        #expect(written(actions).first?.1 == [0x03, 0xE8])
        #expect(actions.last == .finish(.closed(code: 1000, reason: "")))
        #expect(state.isDone)
        #expect(state.received(serverFrame(.binary, [1])).isEmpty)
    }

    @Test func clientCloseWaitsForTheServerThenEnds() {
        var state = opened()
        #expect(written(state.command(.close(code: 1000))).map(\.0) == [.close])
        #expect(state.isClosing)
        // Data still arriving is delivered; the server's close ends the session without a second close frame.
        let actions = state.received(serverFrame(.binary, [2, 0x41]) + serverFrame(.close, [0x03, 0xE8]))
        #expect(written(actions).isEmpty)
        #expect(actions.last == .finish(.closed(code: 1000, reason: "")))
        // A server that just closes TCP after our close frame ends it as well.
        var other = opened()
        _ = other.command(.close(code: 1000))
        #expect(other.ended() == [.finish(.closed(code: nil, reason: ""))])
    }

    @Test func sendsMaskedBinaryMessages() {
        var state = opened()
        let frames = written(state.command(.sendBinary([255, 0])))
        #expect(frames.count == 1 && frames[0].0 == .binary && frames[0].1 == [255, 0])
    }

    @Test func endsWithoutCloseFrameAsConnectionLost() {
        var state = opened()
        guard case .finish(.connectionLost)? = state.ended().first else {
            Issue.record("expected connectionLost")
            return
        }
    }

    @Test func failuresBeforeAndAfterOpening() {
        func fresh() -> WebSocketSessionState {
            var s = WebSocketSessionState(handshake: WebSocketHandshake(key: Self.key, protocols: ["p"]), maxMessageBytes: 10)
            _ = s.connected(target: "/", host: "h", headers: [])
            return s
        }
        var refused = fresh()
        let body = Array(#"{"kind":"Status","code":403}"#.utf8)
        #expect(refused.received(Array("HTTP/1.1 403 Forbidden\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
                == [.fail(.rejected(status: 403, body: body))])
        var timedOut = fresh()
        #expect(timedOut.timedOut(milliseconds: 5) == [.fail(.timedOut(milliseconds: 5))])
        var cancelled = fresh()
        #expect(cancelled.cancelled() == [.fail(.cancelled)])
        var eof = fresh()
        guard case .fail(.handshake)? = eof.ended().first else {
            Issue.record("EOF during handshake should fail the handshake")
            return
        }
        var open = opened()
        #expect(open.timedOut(milliseconds: 5) == [.finish(.timedOut)])
        var violated = opened()
        guard case .finish(.failed(.protocolViolation))? = violated.received([0x82, 0x81, 0, 0, 0, 0, 0]).last else {
            Issue.record("a masked server frame must end the session")
            return
        }
        #expect(violated.isDone)
    }
}
