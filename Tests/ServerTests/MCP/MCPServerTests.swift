import Testing
@testable import Server

/// `MCPServer.checkModernMeta`: the `_meta` every 2026-07-28 request must carry.
@Suite struct MCPServerModernMetaTests {
    private static let version = "io.modelcontextprotocol/protocolVersion"
    private static let capabilities = "io.modelcontextprotocol/clientCapabilities"

    private func params(_ meta: JSONValue?) -> JSONObject {
        var params = JSONObject([("name", "pods_list")])
        if let meta { params["_meta"] = meta }
        return params
    }

    @Test func acceptsCompleteMeta() {
        let meta: JSONValue = [Self.version: "2026-07-28", Self.capabilities: [:],
                               "io.modelcontextprotocol/clientInfo": ["name": "t", "version": "1"]]
        #expect(MCPServer.checkModernMeta(params(meta)) == nil)
    }

    @Test func acceptsNonEmptyClientCapabilities() {
        let meta: JSONValue = [Self.version: "2026-07-28", Self.capabilities: ["elicitation": [:]]]
        #expect(MCPServer.checkModernMeta(params(meta)) == nil)
    }

    @Test(arguments: [nil, JSONValue.string("x"), .array([]), .null])
    func requiresMetaObject(meta: JSONValue?) {
        let error = MCPServer.checkModernMeta(params(meta))
        #expect(error?.code == -32602)
    }

    @Test(arguments: [JSONValue.object(JSONObject()), [capabilities: [:]], [version: 20260728, capabilities: [:]]])
    func requiresProtocolVersionString(meta: JSONValue) {
        let error = MCPServer.checkModernMeta(params(meta))
        #expect(error?.code == -32602)
        #expect(error?.message.contains("protocolVersion") == true)
    }

    @Test(arguments: ["2025-11-25", "2024-11-05", "2099-01-01", ""])
    func refusesOtherProtocolVersions(requested: String) throws {
        let error = try #require(MCPServer.checkModernMeta(params([Self.version: .string(requested),
                                                                   Self.capabilities: [:]])))
        #expect(error.code == -32022)
        #expect(error.data?["requested"] == .string(requested))
        #expect(error.data?["supported"]?.arrayValue?.contains("2026-07-28") == true)
    }

    @Test(arguments: [nil, JSONValue.array([]), .string("{}"), .null])
    func requiresClientCapabilitiesObject(capabilities: JSONValue?) {
        var meta = JSONObject([(Self.version, "2026-07-28")])
        if let capabilities { meta[Self.capabilities] = capabilities }
        let error = MCPServer.checkModernMeta(params(.object(meta)))
        #expect(error?.code == -32602)
        #expect(error?.message.contains("clientCapabilities") == true)
    }
}
