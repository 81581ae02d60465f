import Testing
@testable import Server

@Suite struct HTTPRequestTests {
    @Test func splitsTargetIntoPathAndQuery() {
        let request = HTTPRequest(method: .post, target: "/mcp/messages?session_id=abc&x=1")
        #expect(request.path == "/mcp/messages")
        #expect(request.query == "session_id=abc&x=1")
    }

    @Test func hasEmptyQueryWithoutQuestionMark() {
        let request = HTTPRequest(method: .get, target: "/healthz")
        #expect(request.path == "/healthz")
        #expect(request.query.isEmpty)
        #expect(request.queryParameter("anything") == nil)
    }

    @Test func hasEmptyQueryAfterTrailingQuestionMark() {
        let request = HTTPRequest(method: .get, target: "/sse?")
        #expect(request.path == "/sse")
        #expect(request.query.isEmpty)
    }

    @Test func findsPercentDecodedQueryParameters() {
        let request = HTTPRequest(method: .get, target: "/x?a=1&path=%2Fapi%2Fv1&name=caf%C3%A9&flag&empty=&plus=a+b")
        #expect(request.queryParameter("a") == "1")
        #expect(request.queryParameter("path") == "/api/v1")
        #expect(request.queryParameter("name") == "café")
        #expect(request.queryParameter("flag") == "")
        #expect(request.queryParameter("empty") == "")
        #expect(request.queryParameter("plus") == "a+b")
        #expect(request.queryParameter("missing") == nil)
    }

    @Test func returnsTheFirstOfRepeatedQueryParameters() {
        let request = HTTPRequest(method: .get, target: "/x?session_id=first&session_id=second")
        #expect(request.queryParameter("session_id") == "first")
    }

    @Test func keepsEqualsSignsInsideQueryValues() {
        let request = HTTPRequest(method: .get, target: "/x?cursor=bzox==&b=c")
        #expect(request.queryParameter("cursor") == "bzox==")
    }

    @Test func matchesQueryParameterNamesExactly() {
        let request = HTTPRequest(method: .get, target: "/x?session_idx=1&Session_id=2")
        #expect(request.queryParameter("session_id") == nil)
    }

    @Test func defaultsToKeepAliveWithoutHeadersOrBody() {
        let request = HTTPRequest(method: .get, target: "/")
        #expect(request.keepAlive)
        #expect(request.body.isEmpty)
        #expect(request.headers == HTTPRequestHeaders())
    }
}

@Suite struct PercentDecodingTests {
    @Test func decodesEscapesInEitherCase() {
        #expect(PercentDecoding.decode("a%2Fb%2fc") == "a/b/c")
        #expect(PercentDecoding.decode("%41%62") == "Ab")
    }

    @Test func leavesPlainTextAndPlusAlone() {
        #expect(PercentDecoding.decode("") == "")
        #expect(PercentDecoding.decode("plain-text_1.2~") == "plain-text_1.2~")
        #expect(PercentDecoding.decode("a+b") == "a+b")
    }

    @Test func decodesMultiByteUTF8() {
        #expect(PercentDecoding.decode("%E2%9C%93%20ok") == "✓ ok")
        #expect(PercentDecoding.decode("%F0%9F%98%80") == "😀")
    }

    @Test(arguments: ["%", "%4", "abc%", "%zz", "%G0", "%0g"])
    func rejectsMalformedEscapes(text: String) {
        #expect(PercentDecoding.decode(text) == nil)
    }

    @Test(arguments: ["%FF", "%C3", "%C0%80", "%ED%A0%80"])
    func rejectsInvalidUTF8(text: String) {
        #expect(PercentDecoding.decode(text) == nil)
    }

    @Test func decodesSubstrings() {
        let text = "x=%2F"
        #expect(PercentDecoding.decode(text.dropFirst(2)) == "/")
    }
}
