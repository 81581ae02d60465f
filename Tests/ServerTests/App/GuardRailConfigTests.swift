import Testing
@testable import Server

@Suite struct GuardRailConfigTests {
    private func resolve(_ arguments: [String] = [], _ environment: [String: String] = [:]) throws -> Config {
        try ConfigResolution.resolve(arguments, environment)
    }

    private func failure(_ arguments: [String] = [], _ environment: [String: String] = [:]) -> String? {
        ConfigResolution.failure(arguments, environment)
    }

    @Test func everythingIsOffByDefault() throws {
        let config = try resolve()
        #expect(!config.disableDestructive && config.enabledTools.isEmpty && config.disabledTools.isEmpty)
        #expect(config.deniedResources.isEmpty && config.allowedNamespaces.isEmpty)
        #expect(config.kube.policy.isUnrestricted)
        #expect(config.toolRestrictions == ToolRestrictions())
    }

    @Test func disableDestructiveFromFlagOrEnvironment() throws {
        #expect(try resolve(["--disable-destructive"]).disableDestructive)
        #expect(try resolve([], ["MCP_DISABLE_DESTRUCTIVE": "yes"]).disableDestructive)
        #expect(try !resolve(["--no-disable-destructive"], ["MCP_DISABLE_DESTRUCTIVE": "1"]).disableDestructive)
        #expect(failure([], ["MCP_DISABLE_DESTRUCTIVE": "maybe"])?.contains("MCP_DISABLE_DESTRUCTIVE") == true)
        #expect(try resolve(["--disable-destructive"]).toolRestrictions.disableDestructive)
    }

    @Test func toolListsAreRepeatableCommaListsAndTheFlagBeatsTheEnvironment() throws {
        let config = try resolve(["--enabled-tools", "pods_list, pods_get", "--enabled-tools", "pods_log",
                                  "--disabled-tools=events_list"],
                                 ["MCP_ENABLED_TOOLS": "namespaces_list", "MCP_DISABLED_TOOLS": "x"])
        #expect(config.enabledTools == ["pods_list", "pods_get", "pods_log"])
        #expect(config.disabledTools == ["events_list"])
        let fromEnvironment = try resolve([], ["MCP_ENABLED_TOOLS": "a,b", "MCP_DISABLED_TOOLS": " c "])
        #expect(fromEnvironment.enabledTools == ["a", "b"] && fromEnvironment.disabledTools == ["c"])
        #expect(fromEnvironment.toolRestrictions.enabledTools == ["a", "b"])
    }

    @Test func toolListsRejectBadNamesAndOverlaps() {
        #expect(failure(["--enabled-tools", "pods list"])?.contains("--enabled-tools") == true)
        #expect(failure([], ["MCP_DISABLED_TOOLS": "a;b"])?.contains("MCP_DISABLED_TOOLS") == true)
        let both = failure(["--enabled-tools", "pods_list", "--disabled-tools", "pods_list"])
        #expect(both?.contains("pods_list") == true && both?.contains("both") == true)
    }

    @Test func unknownToolNamesAreReportedWithTheKnownOnes() throws {
        let config = try resolve(["--enabled-tools", "pods_list,nope"])
        #expect(throws: ConfigError.unknownTools(names: ["nope"], known: ["pods_list", "pods_get"])) {
            try config.checkToolNames(known: ["pods_list", "pods_get"])
        }
        let message = ConfigError.unknownTools(names: ["nope"], known: ["pods_list", "pods_get"]).description
        #expect(message.contains("\"nope\"") && message.contains("pods_list, pods_get"))
        try resolve(["--disabled-tools", "pods_get"]).checkToolNames(known: ["pods_list", "pods_get"])
    }

    @Test func catalogueNamesAreValid() throws {
        let config = try resolve()
        let known = ToolCatalog.definitions(config: config).map(\.name)
        try resolve(["--enabled-tools", known.joined(separator: ",")]).checkToolNames(known: known)
    }

    @Test func deniedResourcesParseIntoThePolicy() throws {
        let config = try resolve(["--denied-resources", "v1/Secret,/v1/ConfigMap", "--denied-resources",
                                  "rbac.authorization.k8s.io/*/ClusterRole", "--denied-resources", "core/v1/Secret"])
        #expect(config.deniedResources == [DeniedResource(group: "", version: "v1", kind: "Secret"),
                                           DeniedResource(group: "", version: "v1", kind: "ConfigMap"),
                                           DeniedResource(group: "rbac.authorization.k8s.io", kind: "ClusterRole")])
        #expect(config.kube.policy.deniedResources == config.deniedResources)
        #expect(try resolve([], ["MCP_DENIED_RESOURCES": "apps/v1/Deployment"]).deniedResources.first?.group == "apps")
    }

    @Test func deniedResourcesRejectMalformedEntries() {
        let message = failure(["--denied-resources", "v1/Secret,apps/Deployment"])
        #expect(message?.hasPrefix("--denied-resources: \"apps/Deployment\"") == true)
        #expect(failure([], ["MCP_DENIED_RESOURCES": "Secret"])?.hasPrefix("MCP_DENIED_RESOURCES") == true)
    }

    @Test func allowedNamespacesParseIntoThePolicy() throws {
        let config = try resolve(["--allowed-namespaces", "shop,monitoring", "--allowed-namespaces", "shop"])
        #expect(config.allowedNamespaces == ["shop", "monitoring"])
        #expect(config.kube.policy.allowedNamespaces == ["shop", "monitoring"])
        #expect(try resolve([], ["MCP_ALLOWED_NAMESPACES": "a-1"]).allowedNamespaces == ["a-1"])
        #expect(try resolve(["--allowed-namespaces", "shop", "--namespace", "shop"]).namespace == "shop")
    }

    @Test func allowedNamespacesRejectBadNamesAndAnOutsideDefaultNamespace() {
        for bad in ["Shop", "-shop", "shop-", "a_b", String(repeating: "a", count: 64)] {
            #expect(failure(["--allowed-namespaces=\(bad)"])?.contains("--allowed-namespaces") == true, "\(bad)")
        }
        #expect(failure(["--allowed-namespaces", "shop", "--namespace", "default"])?.hasPrefix("--namespace") == true)
        #expect(failure(["--allowed-namespaces", "shop"], ["K8S_NAMESPACE": "default"])?.hasPrefix("K8S_NAMESPACE") == true)
    }

    @Test func readOnlyReachesThePolicy() throws {
        #expect(try resolve(["--read-only"]).kube.policy.readOnly)
        #expect(try resolve(["--read-only"]).toolRestrictions.readOnly)
    }

    @Test func kubectlIsWithheldWhileResourcesAreDeniedOrNamespacesRestricted() throws {
        #expect(try resolve().toolRestrictions.withheld.isEmpty)
        #expect(try resolve(["--denied-resources", "v1/Secret"]).toolRestrictions.withheld["kubectl"]?
            .contains("--denied-resources") == true)
        #expect(try resolve(["--allowed-namespaces", "shop"]).toolRestrictions.withheld["kubectl"]?
            .contains("--allowed-namespaces") == true)
    }

    @Test func descriptionShowsTheGuardRails() throws {
        let text = try resolve(["--disable-destructive", "--denied-resources", "v1/Secret", "--allowed-namespaces",
                                "shop", "--disabled-tools", "pods_log"]).description
        #expect(text.contains("disableDestructive: true") && text.contains("deniedResources: v1/Secret"))
        #expect(text.contains("allowedNamespaces: shop") && text.contains("disabledTools: pods_log"))
    }
}
