import Testing
@testable import Server

@Suite struct ToolRestrictionsTests {
    private struct NamedTool: Tool {
        let definition: ToolDefinition

        init(_ name: String, _ annotations: ToolAnnotations) {
            definition = ToolDefinition(name: name, title: name, description: "Test tool \(name).",
                                        inputSchema: ["type": "object"], annotations: annotations)
        }

        func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult { .text(definition.name) }
    }

    private static let tools: [any Tool] = [
        NamedTool("pods_list", .readOnly()),
        NamedTool("pods_delete", ToolAnnotations(readOnlyHint: false, destructiveHint: true, idempotentHint: true)),
        NamedTool("pods_run", ToolAnnotations(readOnlyHint: false, destructiveHint: false, idempotentHint: false)),
        NamedTool("kubectl", ToolAnnotations(readOnlyHint: false, destructiveHint: true, idempotentHint: false)),
        // Contradictory hints: readOnly wins, as the MCP spec says destructiveHint is meaningful only for writers.
        NamedTool("odd_reader", ToolAnnotations(readOnlyHint: true, destructiveHint: true, idempotentHint: true)),
    ]

    private func names(_ restrictions: ToolRestrictions) -> [String] {
        ToolRegistry(tools: Self.tools, restrictions: restrictions).enabled.map(\.definition.name)
    }

    private func refusal(_ restrictions: ToolRestrictions, _ name: String) -> String? {
        if case .disabled(let message) = ToolRegistry(tools: Self.tools, restrictions: restrictions).lookup(name) {
            return message
        }
        return nil
    }

    @Test func noRestrictionsOfferEverything() {
        #expect(names(ToolRestrictions()) == ["pods_list", "pods_delete", "pods_run", "kubectl", "odd_reader"])
    }

    @Test func readOnlyHidesAndRefusesWriters() throws {
        let r = ToolRestrictions(readOnly: true)
        #expect(names(r) == ["pods_list", "odd_reader"])
        let message = try #require(refusal(r, "pods_run"))
        #expect(message.contains("\"pods_run\"") && message.contains("--read-only") && message.contains("MCP_READ_ONLY"))
        #expect(message.contains("restart the server without --read-only"))
    }

    @Test func disableDestructiveHidesOnlyDestructiveWriters() throws {
        let r = ToolRestrictions(disableDestructive: true)
        #expect(names(r) == ["pods_list", "pods_run", "odd_reader"])
        let message = try #require(refusal(r, "pods_delete"))
        #expect(message == "tool \"pods_delete\" is disabled: the server runs with --disable-destructive "
            + "(MCP_DISABLE_DESTRUCTIVE) and this tool can delete or overwrite; restart the server without "
            + "--disable-destructive to allow destructive tools")
    }

    @Test func enabledToolsIsAnAllowList() throws {
        let r = ToolRestrictions(enabledTools: ["pods_list", "pods_delete"])
        #expect(names(r) == ["pods_list", "pods_delete"])
        let message = try #require(refusal(r, "pods_run"))
        #expect(message.contains("--enabled-tools") && message.contains("MCP_ENABLED_TOOLS"))
    }

    @Test func disabledToolsIsADenyList() throws {
        let r = ToolRestrictions(disabledTools: ["pods_delete"])
        #expect(names(r) == ["pods_list", "pods_run", "kubectl", "odd_reader"])
        let message = try #require(refusal(r, "pods_delete"))
        #expect(message.contains("--disabled-tools") && message.contains("MCP_DISABLED_TOOLS"))
    }

    @Test func withheldToolsGiveTheirReason() throws {
        let r = ToolRestrictions(withheld: ["kubectl": "because of a test"])
        #expect(!names(r).contains("kubectl"))
        #expect(refusal(r, "kubectl") == "tool \"kubectl\" is disabled: because of a test")
    }

    @Test func rulesCombineAndTheFirstOneExplains() throws {
        let r = ToolRestrictions(readOnly: true, enabledTools: ["pods_list", "pods_delete"],
                                 disabledTools: ["odd_reader"])
        #expect(names(r) == ["pods_list"])
        #expect(try #require(refusal(r, "pods_delete")).contains("--read-only"))
        #expect(try #require(refusal(r, "odd_reader")).contains("--enabled-tools"))
    }

    @Test func unknownNamesAreReportedOnce() {
        let r = ToolRestrictions(enabledTools: ["pods_list", "nope"], disabledTools: ["nope", "other"])
        #expect(r.unknownToolNames(known: Self.tools.map(\.definition.name)) == ["nope", "other"])
        #expect(ToolRestrictions().unknownToolNames(known: []) == [])
    }

    @Test func unknownToolsStayUnknown() {
        guard case .unknown = ToolRegistry(tools: Self.tools, restrictions: ToolRestrictions(readOnly: true))
            .lookup("nope") else {
            Issue.record("nope was found")
            return
        }
    }
}
