import Testing
@testable import Server

@Suite struct HTTPRequestParserTests {
    // MARK: Complete requests

    @Test func parsesSimpleGet() throws {
        let bytes = head("GET /mcp?session_id=1 HTTP/1.1", "Host: localhost:8080")
        let parser = HTTPRequestParser(limits: .defaults)
        let event = parser.parse(bytes)
        let request = try #require(event.request)
        #expect(event.consumed == bytes.count)
        #expect(request.method == .get)
        #expect(request.target == "/mcp?session_id=1")
        #expect(request.headers.host == "localhost:8080")
        #expect(request.body.isEmpty)
        #expect(request.keepAlive)
        #expect(!parser.isMidRequest)
    }

    @Test func parsesPostWithContentLengthBody() throws {
        let body = #"{"jsonrpc":"2.0","id":1,"method":"ping"}"#
        let bytes = head("POST /mcp HTTP/1.1", "Host: localhost", "Content-Length: \(body.utf8.count)")
            + Array(body.utf8)
        let event = HTTPRequestParser(limits: .defaults).parse(bytes)
        let request = try #require(event.request)
        #expect(event.consumed == bytes.count)
        #expect(request.method == .post)
        #expect(request.body == Array(body.utf8))
    }

    @Test func parsesChunkedBody() throws {
        let bytes = head("POST /mcp HTTP/1.1", "Host: localhost", "Transfer-Encoding: Chunked")
            + Array("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".utf8)
        let event = HTTPRequestParser(limits: .defaults).parse(bytes)
        let request = try #require(event.request)
        #expect(event.consumed == bytes.count)
        #expect(request.body == Array("hello world".utf8))
    }

    @Test func mapsMethods() throws {
        let cases: [(String, HTTPMethod)] = [
            ("GET", .get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
            ("OPTIONS", .options), ("PATCH", .patch), ("PROPFIND", .other("PROPFIND")),
        ]
        for (name, method) in cases {
            let request = try #require(HTTPRequestParser(limits: .defaults).parse(head("\(name) / HTTP/1.1")).request)
            #expect(request.method == method)
            #expect(request.method.name == name)
        }
    }

    // MARK: Incremental input

    @Test func parsesRequestFedOneByteAtATime() throws {
        let bytes = head("POST /mcp HTTP/1.1", "Host: localhost", "Mcp-Session-Id: abc", "Content-Length: 4")
            + Array("ping".utf8)
        let parser = HTTPRequestParser(limits: .defaults)
        for byte in bytes.dropLast() {
            #expect(parser.parse([byte]).isNeedMore)
            #expect(parser.isMidRequest)
        }
        let event = parser.parse([bytes.last!])
        let request = try #require(event.request)
        #expect(event.consumed == 1)
        #expect(request.body == Array("ping".utf8))
        #expect(request.headers.host == "localhost")
        #expect(request.headers.mcpSessionID == "abc")
        #expect(!parser.isMidRequest)
    }

    @Test(arguments: [false, true])
    func parsesRequestSplitAtEveryPosition(chunked: Bool) throws {
        let bytes = chunked
            ? head("POST /x HTTP/1.1", "Accept: application/json", "Transfer-Encoding: chunked")
                + Array("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8)
            : head("POST /x HTTP/1.1", "Accept: application/json", "Content-Length: 5") + Array("abcde".utf8)
        for split in 1..<bytes.count {
            let parser = HTTPRequestParser(limits: .defaults)
            #expect(parser.parse(Array(bytes[..<split])).isNeedMore, "split at \(split)")
            let event = parser.parse(Array(bytes[split...]))
            let request = try #require(event.request, "split at \(split)")
            #expect(event.consumed == bytes.count - split)
            #expect(request.body == Array("abcde".utf8))
            #expect(request.headers.accept == "application/json")
        }
    }

    @Test func parsesPipelinedRequestsOneAtATime() throws {
        let first = head("POST /a HTTP/1.1", "Host: localhost", "Content-Length: 3") + Array("one".utf8)
        let second = head("GET /b HTTP/1.1", "Host: localhost")
        let parser = HTTPRequestParser(limits: .defaults)

        let event1 = parser.parse(first + second)
        let request1 = try #require(event1.request)
        #expect(event1.consumed == first.count)
        #expect(request1.target == "/a")
        #expect(request1.body == Array("one".utf8))

        let event2 = parser.parse(second)
        let request2 = try #require(event2.request)
        #expect(event2.consumed == second.count)
        #expect(request2.target == "/b")
        #expect(request2.method == .get)
        #expect(request2.body.isEmpty)
    }

    @Test func waitsForTheRestOfAPipelinedRequest() throws {
        let first = head("GET /a HTTP/1.1")
        let second = head("GET /b HTTP/1.1", "Host: localhost")
        let parser = HTTPRequestParser(limits: .defaults)
        let event1 = parser.parse(first + second.prefix(10))
        #expect(event1.consumed == first.count)
        #expect(parser.parse(Array(second.prefix(10))).isNeedMore)
        #expect(parser.isMidRequest)
        let request2 = try #require(parser.parse(Array(second.dropFirst(10))).request)
        #expect(request2.target == "/b")
    }

    @Test func treatsEmptyInputAsNeedMore() {
        #expect(HTTPRequestParser(limits: .defaults).parse([]).isNeedMore)
    }

    // MARK: Keep-alive

    @Test func keepsHTTP11ConnectionsAliveByDefault() throws {
        let request = try #require(HTTPRequestParser(limits: .defaults).parse(head("GET / HTTP/1.1")).request)
        #expect(request.keepAlive)
    }

    @Test func closesAfterConnectionClose() throws {
        let request = try #require(
            HTTPRequestParser(limits: .defaults).parse(head("GET / HTTP/1.1", "Connection: close")).request)
        #expect(!request.keepAlive)
        #expect(request.headers.connection == "close")
    }

    @Test func closesHTTP10ConnectionsUnlessKeepAliveIsAsked() throws {
        let plain = try #require(HTTPRequestParser(limits: .defaults).parse(head("GET / HTTP/1.0")).request)
        #expect(!plain.keepAlive)
        let asked = try #require(
            HTTPRequestParser(limits: .defaults).parse(head("GET / HTTP/1.0", "Connection: keep-alive")).request)
        #expect(asked.keepAlive)
    }

    // MARK: Captured headers

    @Test func capturesHeadersCaseInsensitively() throws {
        let bytes = head(
            "POST /mcp HTTP/1.1",
            "hOST: localhost:8080",
            "ORIGIN: http://localhost:3000",
            "content-type: application/json; charset=utf-8",
            "Accept: application/json",
            "X-Unrelated: ignored",
            "ACCEPT: text/event-stream",
            "authorization: Bearer t0ken",
            "mcp-session-id: 0123456789abcdef0123456789abcdef",
            "Mcp-Protocol-Version: 2025-06-18",
            "MCP-METHOD: tools/call",
            "mcp-name: pods_list",
            "LAST-EVENT-ID: 42",
            "access-control-request-method: POST",
            "Content-Length: 2") + Array("{}".utf8)
        let headers = try #require(HTTPRequestParser(limits: .defaults).parse(bytes).request).headers
        #expect(headers.host == "localhost:8080")
        #expect(headers.origin == "http://localhost:3000")
        #expect(headers.contentType == "application/json; charset=utf-8")
        #expect(headers.accept == "application/json, text/event-stream")
        #expect(headers.authorization == "Bearer t0ken")
        #expect(headers.mcpSessionID == "0123456789abcdef0123456789abcdef")
        #expect(headers.mcpProtocolVersion == "2025-06-18")
        #expect(headers.mcpMethod == "tools/call")
        #expect(headers.mcpName == "pods_list")
        #expect(headers.lastEventID == "42")
        #expect(headers.accessControlRequestMethod == "POST")
    }

    @Test func trimsSpacesAroundHeaderValues() throws {
        let headers = try #require(
            HTTPRequestParser(limits: .defaults).parse(head("GET / HTTP/1.1", "Host: \t localhost:8080 \t ")).request
        ).headers
        #expect(headers.host == "localhost:8080")
    }

    @Test func keepsTheFirstOfRepeatedSingleValueHeaders() throws {
        let headers = try #require(HTTPRequestParser(limits: .defaults).parse(
            head("GET / HTTP/1.1", "Mcp-Session-Id: first", "Mcp-Session-Id: second")).request).headers
        #expect(headers.mcpSessionID == "first")
    }

    /// RFC 9112 §3.2: a request with more than one Host field line MUST be answered with 400.
    @Test func rejectsSecondHost() {
        let event = HTTPRequestParser(limits: .defaults).parse(
            head("GET / HTTP/1.1", "Host: localhost:8080", "Host: evil.example.com"))
        #expect(event.error?.status.code == 400)
    }

    @Test func leavesAbsentHeadersNil() throws {
        let headers = try #require(HTTPRequestParser(limits: .defaults).parse(head("GET / HTTP/1.1")).request).headers
        #expect(headers == HTTPRequestHeaders())
    }

    @Test func startsEachPipelinedRequestWithFreshHeaders() throws {
        let first = head("GET /a HTTP/1.1", "Host: one", "Mcp-Session-Id: abc")
        let second = head("GET /b HTTP/1.1", "Host: two")
        let parser = HTTPRequestParser(limits: .defaults)
        _ = parser.parse(first + second)
        let headers = try #require(parser.parse(second).request).headers
        #expect(headers.host == "two")
        #expect(headers.mcpSessionID == nil)
    }

    // MARK: Limits

    @Test func rejectsTargetLongerThanTheRequestLineLimit() throws {
        var limits = HTTPLimits.defaults
        limits.maxRequestLineBytes = 64
        let event = HTTPRequestParser(limits: limits).parse(Array("GET /\(String(repeating: "a", count: 100))".utf8))
        let error = try #require(event.error)
        #expect(error == .requestLineTooLong(limit: 64))
        #expect(error.status == .uriTooLong)
        #expect(error.status.code == 414)
    }

    @Test func acceptsRequestLineOfExactlyTheLimit() throws {
        var limits = HTTPLimits.defaults
        limits.maxRequestLineBytes = 64
        let line = "GET /" + String(repeating: "a", count: 64 - 14) + " HTTP/1.1"
        #expect(line.utf8.count == 64)
        let request = try #require(HTTPRequestParser(limits: limits).parse(head(line)).request)
        #expect(request.target.utf8.count == 51)
    }

    /// `HTTPLimits.maxRequestLineBytes` is documented as the whole line (method, target, version).
    @Test func countsMethodAndVersionTowardsTheRequestLineLimit() throws {
        var limits = HTTPLimits.defaults
        limits.maxRequestLineBytes = 64
        let line = "GET /" + String(repeating: "a", count: 64 - 13) + " HTTP/1.1"
        #expect(line.utf8.count == 65)
        let event = HTTPRequestParser(limits: limits).parse(head(line))
        #expect(event.error == .requestLineTooLong(limit: 64))
    }

    @Test func rejectsMoreHeadersThanAllowed() throws {
        var limits = HTTPLimits.defaults
        limits.maxHeaderCount = 3
        let accepted = HTTPRequestParser(limits: limits).parse(head("GET / HTTP/1.1", "A: 1", "B: 2", "C: 3"))
        #expect(accepted.request != nil)
        let event = HTTPRequestParser(limits: limits).parse(head("GET / HTTP/1.1", "A: 1", "B: 2", "C: 3", "D: 4"))
        let error = try #require(event.error)
        #expect(error == .tooManyHeaders(limit: 3))
        #expect(error.status.code == 431)
    }

    @Test func countsHeadersSplitAcrossFeedsOnce() throws {
        var limits = HTTPLimits.defaults
        limits.maxHeaderCount = 2
        let bytes = head("GET / HTTP/1.1", "Some-Long-Header-Name: 1", "Other-Long-Header-Name: 2")
        let parser = HTTPRequestParser(limits: limits)
        var last: HTTPRequestParser.Event = .needMore
        for byte in bytes { last = parser.parse([byte]); if last.error != nil { break } }
        #expect(last.request != nil)
    }

    @Test func rejectsHeaderSectionLargerThanAllowed() throws {
        var limits = HTTPLimits.defaults
        limits.maxHeaderBytes = 100
        let event = HTTPRequestParser(limits: limits).parse(
            head("GET / HTTP/1.1", "X-Big: \(String(repeating: "v", count: 200))"))
        let error = try #require(event.error)
        #expect(error == .headersTooLarge(limit: 100))
        #expect(error.status.code == 431)
    }

    @Test func rejectsManySmallHeadersAddingUpPastTheByteLimit() throws {
        var limits = HTTPLimits.defaults
        limits.maxHeaderBytes = 100
        let fields = (0..<20).map { "H\($0): value" }
        let event = HTTPRequestParser(limits: limits).parse(head(["GET / HTTP/1.1"] + fields))
        #expect(event.error == .headersTooLarge(limit: 100))
    }

    @Test func rejectsDeclaredBodyOverTheLimitBeforeItArrives() throws {
        var limits = HTTPLimits.defaults
        limits.maxBodyBytes = 10
        let event = HTTPRequestParser(limits: limits).parse(head("POST / HTTP/1.1", "Content-Length: 11"))
        let error = try #require(event.error)
        #expect(error == .bodyTooLarge(limit: 10))
        #expect(error.status.code == 413)
    }

    @Test func acceptsBodyOfExactlyTheLimit() throws {
        var limits = HTTPLimits.defaults
        limits.maxBodyBytes = 10
        let bytes = head("POST / HTTP/1.1", "Content-Length: 10") + Array("0123456789".utf8)
        let request = try #require(HTTPRequestParser(limits: limits).parse(bytes).request)
        #expect(request.body.count == 10)
    }

    @Test func rejectsChunkedBodyGrowingPastTheLimit() throws {
        var limits = HTTPLimits.defaults
        limits.maxBodyBytes = 10
        let parser = HTTPRequestParser(limits: limits)
        #expect(parser.parse(head("POST / HTTP/1.1", "Transfer-Encoding: chunked") + Array("8\r\n12345678\r\n".utf8))
            .isNeedMore)
        let error = try #require(parser.parse(Array("8\r\n12345678\r\n0\r\n\r\n".utf8)).error)
        #expect(error == .bodyTooLarge(limit: 10))
        #expect(error.status.code == 413)
    }

    // MARK: Framing

    @Test(arguments: [
        ["Content-Length: 5", "Transfer-Encoding: chunked"],
        ["Transfer-Encoding: chunked", "Content-Length: 5"],
    ])
    func rejectsContentLengthWithTransferEncoding(fields: [String]) throws {
        let bytes = head(["POST / HTTP/1.1"] + fields) + Array("5\r\nhello\r\n0\r\n\r\n".utf8)
        let error = try #require(HTTPRequestParser(limits: .defaults).parse(bytes).error)
        #expect(error.status.code == 400)
        #expect(error == .contentLengthWithTransferEncoding)
    }

    @Test func rejectsSecondContentLength() throws {
        for second in ["Content-Length: 3", "Content-Length: 4"] {
            let bytes = head("POST / HTTP/1.1", "Content-Length: 3", second) + Array("abc".utf8)
            let error = try #require(HTTPRequestParser(limits: .defaults).parse(bytes).error)
            #expect(error == .conflictingContentLength)
            #expect(error.status.code == 400)
        }
    }

    @Test func rejectsTransferEncodingOtherThanChunked() throws {
        let bytes = head("POST / HTTP/1.1", "Transfer-Encoding: gzip") + Array("abc".utf8)
        let error = try #require(HTTPRequestParser(limits: .defaults).parse(bytes).error)
        #expect(error == .unsupportedTransferEncoding("gzip"))
        #expect(error.status.code == 400)
    }

    @Test(arguments: [
        "HELLO WORLD\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        "GET / HTTP/9.x\r\n\r\n",
        "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}",
    ])
    func rejectsGarbage(text: String) throws {
        let error = try #require(HTTPRequestParser(limits: .defaults).parse(Array(text.utf8)).error)
        guard case .malformed = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(error.status.code == 400)
    }

    @Test func rejectsInvalidContentLength() throws {
        let error = try #require(HTTPRequestParser(limits: .defaults).parse(
            head("POST / HTTP/1.1", "Content-Length: abc")).error)
        #expect(error.status.code == 400)
    }
}

// MARK: Helpers

/// A request head: the lines joined with CRLF plus the blank line.
private func head(_ lines: String...) -> [UInt8] { head(lines) }

private func head(_ lines: [String]) -> [UInt8] {
    Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
}

extension HTTPRequestParser.Event {
    fileprivate var request: HTTPRequest? {
        if case .request(let request, _) = self { return request }
        return nil
    }

    fileprivate var consumed: Int? {
        if case .request(_, let consumed) = self { return consumed }
        return nil
    }

    fileprivate var error: HTTPParseError? {
        if case .error(let error) = self { return error }
        return nil
    }

    fileprivate var isNeedMore: Bool {
        if case .needMore = self { return true }
        return false
    }
}
