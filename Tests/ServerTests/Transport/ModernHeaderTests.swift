import Testing
@testable import Server

@Suite struct ModernHeaderTests {
    static func call(_ name: String) throws -> JSONRPCMessage {
        try JSONRPCMessage(JSONParser.parse(
            #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"\#(name)","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#))
    }

    static func headers(method: String?, name: String?, version: String? = "2026-07-28") -> HTTPRequestHeaders {
        var h = HTTPRequestHeaders()
        h.mcpMethod = method
        h.mcpName = name
        h.mcpProtocolVersion = version
        return h
    }

    @Test func acceptsMatchingHeaders() throws {
        #expect(StreamableHTTPTransport.checkModernHeaders(try Self.call("pods_list"),
                                                           headers: Self.headers(method: "tools/call", name: "pods_list")) == nil)
    }

    @Test func rejectsMissingOrWrongMethodHeader() throws {
        let message = try Self.call("x")
        #expect(StreamableHTTPTransport.checkModernHeaders(message, headers: Self.headers(method: nil, name: "x"))?.code == -32020)
        #expect(StreamableHTTPTransport.checkModernHeaders(message, headers: Self.headers(method: "tools/list", name: "x"))?.code == -32020)
    }

    @Test func rejectsMissingOrWrongNameHeader() throws {
        let message = try Self.call("x")
        #expect(StreamableHTTPTransport.checkModernHeaders(message, headers: Self.headers(method: "tools/call", name: nil))?.code == -32020)
        #expect(StreamableHTTPTransport.checkModernHeaders(message, headers: Self.headers(method: "tools/call", name: "y"))?.code == -32020)
    }

    @Test func rejectsVersionHeaderThatDisagreesWithMeta() throws {
        let message = try Self.call("x")
        let error = StreamableHTTPTransport.checkModernHeaders(
            message, headers: Self.headers(method: "tools/call", name: "x", version: "2025-11-25"))
        #expect(error?.code == -32020)
    }

    @Test func decodesBase64EncodedHeaderValues() throws {
        // "pöds" in UTF-8, standard base64 with padding.
        #expect(StreamableHTTPTransport.decodeHeaderValue("=?base64?cMO2ZHM=?=") == "pöds")
        #expect(StreamableHTTPTransport.decodeHeaderValue("plain") == "plain")
        let message = try Self.call("pöds")
        #expect(StreamableHTTPTransport.checkModernHeaders(
            message, headers: Self.headers(method: "tools/call", name: "=?base64?cMO2ZHM=?=")) == nil)
    }
}
