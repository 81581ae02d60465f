import Testing
@testable import Server

@Suite struct ConfigurationViewToolTests {
    private func text(_ result: ToolResult) -> String {
        result.content.map { block in
            switch block {
            case .text(let text): return text
            }
        }.joined()
    }

    private func call(_ tool: ConfigurationViewTool, _ arguments: JSONValue = [:]) async throws -> ToolResult {
        try await tool.call(arguments: arguments.objectValue ?? JSONObject(), context: ToolContext())
    }

    @Test func declaresAReadOnlyToolWithAMinifiedFlag() {
        let definition = ConfigurationViewTool.toolDefinition
        #expect(definition.name == "configuration_view")
        #expect(definition.annotations == .readOnly(title: "View kubeconfig"))
        #expect(definition.annotations.readOnlyHint && !definition.annotations.destructiveHint)
        #expect(definition.annotations.idempotentHint && !definition.annotations.openWorldHint)
        #expect(definition.inputSchema["properties"]?["minified"]?["type"] == "boolean")
        #expect(definition.inputSchema["properties"]?["minified"]?["default"] == true)
        #expect(definition.description.hasSuffix("."))
    }

    @Test func neverShowsACredentialFromAnyFixture() async throws {
        let loaded = try KubeConfigFixture.mergedAll()
        for minified in [true, false] {
            for contextName in [nil, "inline", "eks", "oidc", "basic", "token", "sni", "shared"] {
                let tool = ConfigurationViewTool(kubeConfig: .success(loaded), contextOverride: contextName)
                let result = try await call(tool, ["minified": .bool(minified)])
                #expect(!result.isError)
                let output = text(result)
                for secret in KubeConfigFixture.secrets {
                    #expect(!output.contains(secret), "\(secret) leaked (minified: \(minified), \(contextName ?? "-"))")
                }
            }
        }
    }

    @Test func showsWholeMergedConfigWhenNotMinifiedWithSourcesOnTop() async throws {
        let loaded = try KubeConfigFixture.mergedAll()
        let output = text(try await call(ConfigurationViewTool(kubeConfig: .success(loaded)), ["minified": false]))
        let firstLine = output.split(separator: "\n").first.map(String.init) ?? ""
        #expect(firstLine.hasPrefix("# Source: KUBECONFIG files \(KubeConfigFixture.path("client-cert-files.yaml")), "))
        for file in KubeConfigFixture.loadable {
            #expect(firstLine.contains(KubeConfigFixture.path(file)))
        }
        #expect(!output.contains("# Minified"))
        for name in ["files-cluster", "eks-user", "oidc-user", "third-only", "sni-cluster"] {
            #expect(output.contains("name: \(name)"))
        }
        #expect(output.contains("DATA+OMITTED"))
        #expect(output.contains("REDACTED"))
        #expect(output.contains("current-context: files"))
        #expect(output.contains("client-key: \(KubeConfigFixture.directory)/certs/client.key"))
    }

    @Test func minifiesByDefaultToTheContextInUse() async throws {
        let loaded = try KubeConfigFixture.mergedAll()
        let output = text(try await call(ConfigurationViewTool(kubeConfig: .success(loaded), contextOverride: "eks")))
        #expect(output.contains("# Minified to context \"eks\""))
        #expect(output.contains("name: eks-user"))
        #expect(output.contains("current-context: eks"))
        #expect(!output.contains("files-cluster"))
        #expect(!output.contains("oidc"))
        #expect(output.contains("command: aws"))
    }

    @Test func parsesBackAsAKubeconfig() async throws {
        let loaded = try KubeConfigFixture.load("client-cert-files.yaml")
        let output = text(try await call(ConfigurationViewTool(kubeConfig: .success(loaded))))
        let reparsed = try KubeConfigLoader.parse(output, file: "/virtual/view")
        #expect(reparsed.currentContext == "files")
        #expect(reparsed.users.first?.user.clientCertificate == KubeConfigFixture.directory + "/certs/client.crt")
    }

    @Test func reportsTheLoadErrorWhenNoKubeconfigWasLoaded() async throws {
        let failure = KubeConfigError.noConfiguration(searched: ["KUBECONFIG is not set"])
        let result = try await call(ConfigurationViewTool(kubeConfig: .failure(failure)))
        #expect(result.isError)
        #expect(text(result) == "No kubeconfig is loaded, so there is nothing to show: "
            + "no kubeconfig found; looked at: KUBECONFIG is not set")
    }

    @Test func reportsAnErrorWhenTheContextToMinifyIsBroken() async throws {
        let loaded = try KubeConfigFixture.load("errors/unknown-cluster.yaml")
        let tool = ConfigurationViewTool(kubeConfig: .success(loaded))
        let minified = try await call(tool)
        #expect(minified.isError)
        #expect(text(minified).contains("refers to cluster \"nope\" which is not defined"))
        #expect(!(try await call(tool, ["minified": false])).isError)
    }
}
