import Logging
import Testing
@testable import Server

/// A writer tool that must never run in these tests.
private struct DeleteTool: Tool {
    var definition = ToolDefinition(
        name: "pods_delete", title: "Delete", description: "Deletes.", inputSchema: ["type": "object"],
        annotations: ToolAnnotations(readOnlyHint: false, destructiveHint: true, idempotentHint: true))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        Issue.record("a refused tool ran")
        return .text("deleted")
    }
}

@Suite struct MCPServerRefusalTests {
    init() { RunningLoop.ensure() }

    @Test(arguments: [ProtocolVersion.v2025_03_26, .v2025_11_25])
    @LoopActor func restrictedToolIsHiddenAndItsCallIsAToolErrorNamingTheRule(version: ProtocolVersion) async throws {
        let server = MCPServer(tools: ToolRegistry(tools: [DeleteTool()],
                                                   restrictions: ToolRestrictions(disableDestructive: true)),
                               pageSize: 100, logger: Logger(label: "test"), validateArguments: { _, _ in nil })
        let reply = CollectingReply()
        let context = MCPRequestContext(version: version)
        server.handle(try JSONRPCMessage(["jsonrpc": "2.0", "id": 1, "method": "tools/list"]), session: nil,
                      context: context, reply: reply)
        #expect(reply.responses.last?["result"]?["tools"]?.arrayValue?.isEmpty == true)
        server.handle(try JSONRPCMessage(["jsonrpc": "2.0", "id": 2, "method": "tools/call",
                                          "params": ["name": "pods_delete"]]),
                      session: nil, context: context, reply: reply)
        let answer = try #require(reply.responses.last)
        #expect(answer["id"] == 2 && answer["error"] == nil)
        #expect(answer["result"]?["isError"] == true)
        let text = answer["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
        #expect(text.contains("--disable-destructive") && text.contains("pods_delete"))
    }
}
