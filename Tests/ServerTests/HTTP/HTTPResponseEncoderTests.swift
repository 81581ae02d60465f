import Testing
@testable import Server

@Suite struct HTTPResponseEncoderTests {
    @Test func framesOneEventAsOneChunk() throws {
        var out: [UInt8] = []
        HTTPResponseEncoder.appendEventChunk(&out, event: "message", data: Array(#"{"a":1}"#.utf8))
        let text = String(decoding: out, as: UTF8.self)
        let payload = "event: message\ndata: {\"a\":1}\n\n"
        #expect(text == String(payload.utf8.count, radix: 16) + "\r\n" + payload + "\r\n")
    }

    @Test func heartbeatIsACommentChunk() {
        let text = String(decoding: HTTPResponseEncoder.heartbeatChunk, as: UTF8.self)
        #expect(text == "8\r\n: ping\n\n\r\n")
        #expect(String(decoding: HTTPResponseEncoder.lastChunk, as: UTF8.self) == "0\r\n\r\n")
    }

    @Test func errorBodyIsShortJSON() throws {
        let body = HTTPResponseEncoder.errorBody(status: .payloadTooLarge, message: "too \"big\"")
        let value = try JSONParser.parse(body)
        #expect(value["error"]?["status"] == .int(413))
        #expect(value["error"]?["message"] == .string("too \"big\""))
    }
}
