import Testing
@testable import Server

@Suite struct KubeRequestPolicyTests {
    static let secrets = APIResourceInfo(group: "", version: "v1", kind: "Secret", plural: "secrets",
                                         singular: "secret", namespaced: true)
    static let deploymentsV1 = APIResourceInfo(group: "apps", version: "v1", kind: "Deployment",
                                               plural: "deployments", singular: "deployment", namespaced: true)
    static let deploymentsV1beta2 = APIResourceInfo(group: "apps", version: "v1beta2", kind: "Deployment",
                                                    plural: "deployments", singular: "deployment", namespaced: true,
                                                    preferred: false)
    static let crds = APIResourceInfo(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition",
                                      plural: "customresourcedefinitions", singular: "customresourcedefinition",
                                      namespaced: false)
    /// A resource whose plural looks nothing like its kind.
    static let oddPlural = APIResourceInfo(group: "", version: "v1", kind: "Secret", plural: "sekrits",
                                           singular: "sekrit", namespaced: true)
    static let known: [APIResourceInfo] = [.pods, .namespaces, .nodes, .events, secrets, deploymentsV1,
                                           deploymentsV1beta2, crds, oddPlural]

    /// The refusal (nil: allowed) and the resources the policy looked up.
    private func check(_ policy: KubeRequestPolicy, _ method: String, _ path: String,
                       discovery: [APIResourceInfo] = known) async throws -> (KubeError?, [String]) {
        var looked: [String] = []
        let refusal = try await policy.refusal(method: method, path: path) {
            (p: KubeResourcePath) async throws(KubeError) -> APIResourceInfo? in
            looked.append(p.qualifiedResource)
            return discovery.first { $0.group == p.group && $0.version == p.version && $0.plural == p.resource }
        }
        return (refusal, looked)
    }

    private func rule(_ error: KubeError?) -> String? {
        if case .refused(let rule, _)? = error { return rule }
        return nil
    }

    // MARK: Unrestricted

    @Test func unrestrictedPolicyAllowsEverythingWithoutLooking() async throws {
        let (refusal, looked) = try await check(KubeRequestPolicy(), "DELETE", "/api/v1/namespaces/../secrets")
        #expect(refusal == nil && looked.isEmpty)
    }

    // MARK: --read-only

    @Test(arguments: ["POST", "PUT", "PATCH", "DELETE", "post", "OPTIONS"])
    func readOnlyRefusesEveryMethodButGetAndHead(method: String) async throws {
        let (refusal, looked) = try await check(KubeRequestPolicy(readOnly: true), method,
                                                "/api/v1/namespaces/default/pods/x")
        #expect(rule(refusal) == "--read-only")
        #expect(refusal?.description.contains("restart it without --read-only") == true)
        #expect(looked.isEmpty)
    }

    @Test func readOnlyAllowsReadsOfResourcesDiscoveryAndVersion() async throws {
        let policy = KubeRequestPolicy(readOnly: true)
        for (method, path) in [("GET", "/api/v1/namespaces/default/pods"), ("HEAD", "/api/v1/nodes"),
                               ("GET", "/api"), ("GET", "/apis/apps/v1"), ("GET", "/version"),
                               ("GET", "/api/v1/namespaces/default/pods/x/log"),
                               ("GET", "/api/v1/pods?watch=true")] {
            #expect(try await check(policy, method, path).0 == nil, "\(method) \(path)")
        }
    }

    @Test(arguments: ["/api/v1/namespaces/default/pods/x/exec?command=ls", "/api/v1/namespaces/default/pods/x/attach",
                      "/api/v1/namespaces/default/pods/x/portforward", "/api/v1/namespaces/default/services/s/proxy/",
                      "/api/v1/nodes/node-1/proxy/metrics", "/api/v1/proxy/namespaces/default/pods/x"])
    func readOnlyRefusesExecAttachPortForwardAndProxyEvenAsGet(path: String) async throws {
        let (refusal, _) = try await check(KubeRequestPolicy(readOnly: true), "GET", path)
        #expect(rule(refusal) == "--read-only", "\(path)")
    }

    @Test func refusesNonCanonicalPathsWhenAnyRuleIsSet() async throws {
        let (refusal, looked) = try await check(KubeRequestPolicy(readOnly: true), "GET",
                                                "/api/v1/namespaces/default/pods/..")
        #expect(rule(refusal) == "the request policy")
        #expect(refusal?.description.contains("--read-only") == true)
        #expect(looked.isEmpty)
    }

    // MARK: --denied-resources

    private let denySecrets = KubeRequestPolicy(deniedResources: [DeniedResource(group: "", version: "v1",
                                                                                 kind: "Secret")])

    @Test(arguments: [("GET", "/api/v1/namespaces/shop/secrets/db"), ("GET", "/api/v1/namespaces/shop/secrets"),
                      ("GET", "/api/v1/secrets"), ("GET", "/api/v1/secrets?watch=true"),
                      ("GET", "/api/v1/watch/namespaces/shop/secrets"), ("DELETE", "/api/v1/namespaces/shop/secrets/db"),
                      ("POST", "/api/v1/namespaces/shop/secrets"), ("PATCH", "/api/v1/namespaces/shop/secrets/db"),
                      ("GET", "/api/v1/namespaces/shop/%73ecrets/db"), ("GET", "/api/v1/namespaces/shop/Secrets"),
                      ("GET", "/api/v2/namespaces/shop/secrets/db"), ("GET", "/api/v1/namespaces/shop/sekrits/db")])
    func deniedKindIsRefusedEverywhere(method: String, path: String) async throws {
        let (refusal, _) = try await check(denySecrets, method, path)
        #expect(rule(refusal) == "--denied-resources", "\(method) \(path)")
        #expect(refusal?.description.contains("v1/Secret") == true)
        #expect(refusal?.description.contains("MCP_DENIED_RESOURCES") == true)
    }

    @Test func deniedKindLeavesOtherResourcesAndDiscoveryAlone() async throws {
        for path in ["/api/v1/namespaces/shop/configmaps", "/api", "/api/v1", "/apis", "/version",
                     "/apis/example.com/v1/namespaces/shop/secrets"] {
            #expect(try await check(denySecrets, "GET", path).0 == nil, "\(path)")
        }
    }

    @Test func discoveryRequestsNeedNoLookup() async throws {
        for path in ["/api", "/api/v1", "/apis", "/apis/apps/v1"] {
            #expect(try await check(denySecrets, "GET", path).1.isEmpty)
        }
    }

    @Test func deniedKindIsRefusedInEveryVersionOfItsGroup() async throws {
        let policy = KubeRequestPolicy(deniedResources: [DeniedResource(group: "apps", version: "v1", kind: "Deployment")])
        for path in ["/apis/apps/v1/namespaces/shop/deployments", "/apis/apps/v1beta2/namespaces/shop/deployments/x",
                     "/apis/apps/v1/namespaces/shop/deployments/x/scale"] {
            #expect(rule(try await check(policy, "GET", path).0) == "--denied-resources", "\(path)")
        }
        #expect(try await check(policy, "GET", "/apis/apps/v1/namespaces/shop/replicasets").0 == nil)
    }

    @Test func deniedKindIsFoundThroughDiscoveryWhenThePluralIsUnusual() async throws {
        let policy = KubeRequestPolicy(deniedResources: [DeniedResource(group: "", kind: "Secret")])
        let (refusal, looked) = try await check(policy, "GET", "/api/v1/namespaces/shop/sekrits")
        #expect(rule(refusal) == "--denied-resources")
        #expect(looked == ["sekrits"])
        // The plural's look alone decides without a lookup.
        #expect(try await check(policy, "GET", "/api/v1/namespaces/shop/secrets").1.isEmpty)
    }

    // MARK: --allowed-namespaces

    private let onlyShop = KubeRequestPolicy(allowedNamespaces: ["shop", "monitoring"])

    @Test func allowedNamespacesAllowRequestsInside() async throws {
        for (method, path) in [("GET", "/api/v1/namespaces/shop/pods"), ("DELETE", "/api/v1/namespaces/shop/pods/x"),
                               ("POST", "/apis/apps/v1/namespaces/monitoring/deployments"),
                               ("GET", "/api/v1/namespaces/shop"), ("GET", "/api/v1/namespaces")] {
            #expect(try await check(onlyShop, method, path).0 == nil, "\(method) \(path)")
        }
    }

    @Test func allowedNamespacesRefuseOtherNamespaces() async throws {
        for path in ["/api/v1/namespaces/default/pods", "/api/v1/namespaces/kube-system/secrets/x",
                     "/api/v1/namespaces/default", "/api/v1/watch/namespaces/default/pods",
                     "/api/v1/namespaces/kube-system/pods/x/log"] {
            let (refusal, _) = try await check(onlyShop, "GET", path)
            #expect(rule(refusal) == "--allowed-namespaces", "\(path)")
            #expect(refusal?.description.contains("shop, monitoring") == true)
        }
    }

    @Test func allowedNamespacesRefuseAllNamespaceRequestsForNamespacedResources() async throws {
        for path in ["/api/v1/pods", "/api/v1/pods?watch=true", "/apis/apps/v1/deployments", "/api/v1/events"] {
            let (refusal, _) = try await check(onlyShop, "GET", path)
            #expect(rule(refusal) == "--allowed-namespaces", "\(path)")
            #expect(refusal?.description.contains("every namespace") == true)
        }
    }

    @Test func allowedNamespacesAllowClusterScopedReadsButNoClusterScopedWrites() async throws {
        for path in ["/api/v1/nodes", "/api/v1/nodes/node-1", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                     "/version", "/api", "/apis"] {
            #expect(try await check(onlyShop, "GET", path).0 == nil, "\(path)")
        }
        for (method, path) in [("DELETE", "/api/v1/nodes/node-1"), ("POST", "/api/v1/namespaces"),
                               ("DELETE", "/api/v1/namespaces/shop"), ("PUT", "/api/v1/namespaces/shop/finalize"),
                               ("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"),
                               ("POST", "/version")] {
            let (refusal, _) = try await check(onlyShop, method, path)
            #expect(rule(refusal) == "--allowed-namespaces", "\(method) \(path)")
            #expect(refusal?.description.contains("cluster-scoped") == true)
        }
    }

    @Test func allowedNamespacesFailClosedForResourcesDiscoveryDoesNotKnow() async throws {
        let (refusal, _) = try await check(onlyShop, "GET", "/apis/example.com/v1/widgets")
        #expect(rule(refusal) == "--allowed-namespaces")
        #expect(try await check(onlyShop, "GET", "/apis/example.com/v1/namespaces/shop/widgets").0 == nil)
    }

    @Test func rulesCombine() async throws {
        let policy = KubeRequestPolicy(readOnly: true, deniedResources: [DeniedResource(group: "", kind: "Secret")],
                                       allowedNamespaces: ["shop"])
        #expect(rule(try await check(policy, "DELETE", "/api/v1/namespaces/shop/pods/x").0) == "--read-only")
        #expect(rule(try await check(policy, "GET", "/api/v1/namespaces/shop/secrets").0) == "--denied-resources")
        #expect(rule(try await check(policy, "GET", "/api/v1/namespaces/default/pods").0) == "--allowed-namespaces")
        #expect(try await check(policy, "GET", "/api/v1/namespaces/shop/pods").0 == nil)
    }

    @Test func failedLookupsPropagate() async throws {
        await #expect(throws: KubeError.self) {
            _ = try await onlyShop.refusal(method: "GET", path: "/api/v1/pods") {
                (_: KubeResourcePath) async throws(KubeError) -> APIResourceInfo? in
                throw .transport("down")
            }
        }
    }
}
