import Testing
@testable import Server

@Suite struct ToolRegistryTests {
    /// Test data: a tool that answers with its own name.
    private struct NamedTool: Tool {
        let definition: ToolDefinition

        init(_ name: String, readOnly: Bool) {
            definition = ToolDefinition(
                name: name, title: name, description: "Test tool \(name).", inputSchema: ["type": "object"],
                annotations: readOnly
                    ? .readOnly()
                    : ToolAnnotations(readOnlyHint: false, destructiveHint: true, idempotentHint: false))
        }

        func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
            .text(definition.name)
        }
    }

    private static let tools: [any Tool] = [
        NamedTool("pods_list", readOnly: true),
        NamedTool("pods_delete", readOnly: false),
        NamedTool("namespaces_list", readOnly: true),
        NamedTool("resources_create_or_update", readOnly: false),
    ]

    @Test func offersEveryToolInOrderWhenWritable() {
        let registry = ToolRegistry(tools: Self.tools, readOnly: false)
        #expect(!registry.readOnly)
        #expect(registry.enabled.map(\.definition.name)
            == ["pods_list", "pods_delete", "namespaces_list", "resources_create_or_update"])
        #expect(registry.all.map(\.definition.name) == registry.enabled.map(\.definition.name))
    }

    @Test func findsToolsByName() async throws {
        let registry = ToolRegistry(tools: Self.tools, readOnly: false)
        guard case .found(let tool) = registry.lookup("pods_delete") else {
            Issue.record("pods_delete not found")
            return
        }
        #expect(tool.definition.name == "pods_delete")
        let result = try await tool.call(arguments: JSONObject(), context: ToolContext())
        #expect(result == .text("pods_delete"))
    }

    @Test func readOnlyModeHidesToolsThatWrite() {
        let registry = ToolRegistry(tools: Self.tools, readOnly: true)
        #expect(registry.readOnly)
        #expect(registry.enabled.map(\.definition.name) == ["pods_list", "namespaces_list"])
        #expect(registry.all.count == 4)
    }

    @Test func readOnlyModeRefusesToolsThatWriteByName() {
        let registry = ToolRegistry(tools: Self.tools, readOnly: true)
        for name in ["pods_delete", "resources_create_or_update"] {
            guard case .disabled(let message) = registry.lookup(name) else {
                Issue.record("\(name) was not refused")
                continue
            }
            #expect(message.contains("--read-only"))
            #expect(message.contains(name))
        }
    }

    @Test func readOnlyModeStillFindsReadOnlyTools() {
        let registry = ToolRegistry(tools: Self.tools, readOnly: true)
        guard case .found(let tool) = registry.lookup("namespaces_list") else {
            Issue.record("namespaces_list not found")
            return
        }
        #expect(tool.definition.name == "namespaces_list")
    }

    @Test(arguments: [false, true])
    func reportsUnknownTools(readOnly: Bool) {
        let registry = ToolRegistry(tools: Self.tools, readOnly: readOnly)
        for name in ["pods_get", "", "PODS_LIST", "pods_list "] {
            guard case .unknown = registry.lookup(name) else {
                Issue.record("\(name) was not unknown")
                continue
            }
        }
    }

    @Test func emptyRegistryKnowsNothing() {
        let registry = ToolRegistry(tools: [], readOnly: true)
        #expect(registry.enabled.isEmpty)
        guard case .unknown = registry.lookup("pods_list") else {
            Issue.record("lookup in an empty registry found something")
            return
        }
    }
}
