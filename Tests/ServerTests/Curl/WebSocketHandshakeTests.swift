import Foundation
import Testing
@testable import Server

@Suite struct WebSocketHandshakeTests {
    @Test func sha1MatchesTheStandardVectors() {
        func hex(_ text: String) -> String { SHA1.digest(Array(text.utf8)).map { String(format: "%02x", $0) }.joined() }
        #expect(hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(String(repeating: "a", count: 1000)) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    @Test func acceptKeyMatchesTheRFCExample() {
        #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func buildsTheUpgradeRequest() {
        let handshake = WebSocketHandshake(key: "dGhlIHNhbXBsZSBub25jZQ==", protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"])
        let text = String(decoding: handshake.requestBytes(target: "/api/v1/x?command=ls", host: "h:6443",
                                                           headers: [("Authorization", "Bearer t"), ("Evil", "a\r\nX: y")]),
                          as: UTF8.self)
        #expect(text.hasPrefix("GET /api/v1/x?command=ls HTTP/1.1\r\nHost: h:6443\r\n"))
        for line in ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13",
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                     "Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io", "Authorization: Bearer t"] {
            #expect(text.contains("\r\n\(line)\r\n"), "\(line)")
        }
        #expect(!text.contains("Evil") && !text.contains("X: y"))
        #expect(text.hasSuffix("\r\n\r\n"))
        #expect(WebSocketHandshake(protocols: []).key != WebSocketHandshake(protocols: []).key)
        #expect(Data(base64Encoded: WebSocketHandshake(protocols: []).key)?.count == 16)
    }

    static func head(_ status: Int, _ headers: [(String, String)]) -> WebSocketResponseHead {
        WebSocketResponseHead(status: status, headers: headers.map { .init(name: $0.0.lowercased(), value: $0.1) })
    }

    @Test func verifiesTheAnswer() throws {
        let handshake = WebSocketHandshake(key: "dGhlIHNhbXBsZSBub25jZQ==", protocols: ["v5.channel.k8s.io", "v4.channel.k8s.io"])
        var good: [(String, String)] = [("Upgrade", "websocket"), ("Connection", "keep-alive, Upgrade"),
                                        ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
                                        ("Sec-WebSocket-Protocol", "v4.channel.k8s.io")]
        #expect(try handshake.verify(Self.head(101, good)) == "v4.channel.k8s.io")
        let broken: [([(String, String)], String)] = [
            (good.filter { $0.0 != "Upgrade" }, "Upgrade"),
            (good.filter { $0.0 != "Connection" }, "Connection"),
            (good.map { $0.0 == "Sec-WebSocket-Accept" ? ($0.0, "AAAA") : $0 }, "Accept"),
            (good.filter { $0.0 != "Sec-WebSocket-Protocol" }, "subprotocols"),
            (good.map { $0.0 == "Sec-WebSocket-Protocol" ? ($0.0, "channel.k8s.io") : $0 }, "subprotocols"),
            (good + [("Sec-WebSocket-Extensions", "permessage-deflate")], "extension"),
        ]
        for (headers, needle) in broken {
            #expect {
                try handshake.verify(Self.head(101, headers))
            } throws: { error in
                (error as? WebSocketError)?.description.contains(needle) == true
            }
        }
        good[3].1 = "v5.channel.k8s.io"
        #expect(try handshake.verify(Self.head(101, good)) == "v5.channel.k8s.io")
    }

    @Test func readerSplitsHeadAndFirstFrames() throws {
        var reader = WebSocketHandshakeReader()
        let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        #expect(try reader.feed(Array(head.utf8.prefix(20))) == .needMore)
        let progress = try reader.feed(Array(head.utf8.dropFirst(20)) + [0x82, 0x01, 0x01])
        guard case .upgraded(let parsed, let leftover) = progress else {
            Issue.record("not upgraded: \(progress)")
            return
        }
        #expect(parsed.status == 101 && parsed.header("UPGRADE") == "websocket")
        #expect(leftover == [0x82, 0x01, 0x01])
    }

    @Test func readerCollectsTheBodyOfARefusal() throws {
        let status = #"{"kind":"Status","code":404}"#
        var byLength = WebSocketHandshakeReader()
        #expect(try byLength.feed(Array("HTTP/1.1 404 Not Found\r\nContent-Length: \(status.utf8.count)\r\n\r\n{".utf8))
                == .needMore)
        guard case .refused(let head, let body) = try byLength.feed(Array(status.utf8.dropFirst())) else {
            Issue.record("no refusal")
            return
        }
        #expect(head.status == 404 && body == Array(status.utf8))

        var chunked = WebSocketHandshakeReader()
        let wire = "HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6; x=y\r\n world\r\n0\r\n\r\n"
        #expect(try chunked.feed(Array(wire.utf8)) == .refused(Self.head(403, [("Transfer-Encoding", "chunked")]),
                                                              body: Array("hello world".utf8)))

        var untilClose = WebSocketHandshakeReader()
        #expect(try untilClose.feed(Array("HTTP/1.1 400 Bad Request\r\n\r\nno".utf8)) == .needMore)
        #expect(try untilClose.finish() == .refused(Self.head(400, []), body: Array("no".utf8)))
    }

    @Test func readerRejectsGarbageAndEndlessHeads() {
        var garbage = WebSocketHandshakeReader()
        #expect(throws: WebSocketError.self) { try garbage.feed(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8)) }
        var endless = WebSocketHandshakeReader()
        #expect(throws: WebSocketError.self) {
            try endless.feed(Array("HTTP/1.1 101 OK\r\nX: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 20_000))
        }
        var silent = WebSocketHandshakeReader()
        #expect(throws: WebSocketError.self) { try silent.finish() }
    }
}
