import Testing
@testable import Server

@Suite struct ConfigurationContextsListToolTests {
    private func text(_ result: ToolResult) -> String {
        result.content.map { block in
            switch block {
            case .text(let text): return text
            }
        }.joined()
    }

    private func call(_ tool: ConfigurationContextsListTool) async throws -> ToolResult {
        try await tool.call(arguments: JSONObject(), context: ToolContext())
    }

    private func mergeLoaded() throws -> LoadedKubeConfig {
        let list = ["merge/first.yaml", "merge/second.yaml", "merge/third.yaml"].map(KubeConfigFixture.path)
        return try KubeConfigLoader.load(explicitPath: nil, environment: ["KUBECONFIG": list.joined(separator: ":")],
                                         serviceAccountDirectory: "/nonexistent")
    }

    @Test func declaresAReadOnlyToolWithAnOutputSchema() throws {
        let definition = ConfigurationContextsListTool.toolDefinition
        #expect(definition.name == "configuration_contexts_list")
        #expect(definition.annotations == .readOnly(title: "List kubeconfig contexts"))
        #expect(definition.inputSchema["required"] == nil)
        let output = try #require(definition.outputSchema)
        #expect(output["properties"]?["contexts"]?["type"] == "array")
        #expect(output["properties"]?["currentContext"]?["type"] == "string")
    }

    @Test func listsContextsAsAKubectlStyleTableWithServers() async throws {
        let result = try await call(ConfigurationContextsListTool(kubeConfig: .success(try mergeLoaded())))
        #expect(!result.isError)
        #expect(text(result) == """
            CURRENT   NAME     CLUSTER       SERVER                            USER          NAMESPACE
            *         second   second-only   https://second-only.example.com   shared-user   default
                      shared   shared        https://first.example.com         shared-user   from-first
                      third    third-only    https://third.example.com                       default

            """)
    }

    @Test func returnsStructuredContentMatchingTheTable() async throws {
        let result = try await call(ConfigurationContextsListTool(kubeConfig: .success(try mergeLoaded())))
        let structured = try #require(result.structuredContent)
        #expect(structured["currentContext"] == "second")
        let contexts = try #require(structured["contexts"]?.arrayValue)
        #expect(contexts.count == 3)
        #expect(contexts[1] == [
            "name": "shared", "cluster": "shared", "server": "https://first.example.com", "user": "shared-user",
            "namespace": "from-first", "current": false,
        ])
        #expect(contexts.map { $0["current"] } == [true, false, false])
        // Every row carries exactly the members the output schema requires.
        let required = ConfigurationContextsListTool.toolDefinition.outputSchema?["properties"]?["contexts"]?["items"]?[
            "required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        for row in contexts {
            #expect(row.objectValue?.keys.sorted() == required.sorted())
        }
    }

    @Test func marksTheOverriddenContextAsCurrent() async throws {
        let tool = ConfigurationContextsListTool(kubeConfig: .success(try mergeLoaded()), contextOverride: "third")
        let result = try await call(tool)
        #expect(result.structuredContent?["currentContext"] == "third")
        let current = result.structuredContent?["contexts"]?.arrayValue?.filter { $0["current"] == true }
        #expect(current?.map { $0["name"] } == ["third"])
        #expect(text(result).contains("*         third"))
    }

    @Test func omitsCurrentContextWhenNoneIsSet() async throws {
        let loaded = try KubeConfigFixture.load("merge/first.yaml")
        let result = try await call(ConfigurationContextsListTool(kubeConfig: .success(loaded)))
        #expect(!result.isError)
        #expect(result.structuredContent?["currentContext"] == nil)
        #expect(result.structuredContent?["contexts"]?.arrayValue?.count == 1)
    }

    @Test func neverShowsCredentials() async throws {
        let result = try await call(ConfigurationContextsListTool(kubeConfig: .success(try KubeConfigFixture.mergedAll())))
        let output = text(result) + JSONWriter.string(result.structuredContent ?? .null)
        for secret in KubeConfigFixture.secrets { #expect(!output.contains(secret)) }
    }

    @Test func reportsTheLoadErrorWhenNoKubeconfigWasLoaded() async throws {
        let failure = KubeConfigError.fileNotFound(path: "/etc/kube/config")
        let result = try await call(ConfigurationContextsListTool(kubeConfig: .failure(failure)))
        #expect(result.isError)
        #expect(result.structuredContent == nil)
        #expect(text(result) == "No kubeconfig is loaded, so there are no contexts to list: "
            + "kubeconfig /etc/kube/config: file does not exist")
    }
}
