import Testing
@testable import Server

@Suite struct KubeAPIPathTests {
    private func resource(_ path: String) -> KubeResourcePath? {
        if case .resource(let r) = KubeAPIPath.parse(path) { return r }
        return nil
    }

    @Test func readsCoreNamespacedObjectsAndSubresources() throws {
        let r = try #require(resource("/api/v1/namespaces/shop/pods/api-1/exec?command=sh"))
        #expect(r == KubeResourcePath(group: "", version: "v1", namespace: "shop", resource: "pods", name: "api-1",
                                      subresource: "exec"))
        #expect(resource("/api/v1/namespaces/shop/secrets") == KubeResourcePath(
            group: "", version: "v1", namespace: "shop", resource: "secrets"))
    }

    @Test func readsGroupedAndClusterScopedPaths() throws {
        #expect(resource("/apis/apps/v1/namespaces/shop/deployments/api/scale") == KubeResourcePath(
            group: "apps", version: "v1", namespace: "shop", resource: "deployments", name: "api", subresource: "scale"))
        #expect(resource("/apis/apps/v1/deployments") == KubeResourcePath(group: "apps", version: "v1",
                                                                         resource: "deployments"))
        #expect(resource("/api/v1/nodes/node-1/proxy/metrics") == KubeResourcePath(
            group: "", version: "v1", resource: "nodes", name: "node-1", subresource: "proxy"))
        #expect(resource("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/") == KubeResourcePath(
            group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions"))
    }

    @Test func readsNamespaceObjectsAsKubeAPIServerDoes() throws {
        // The namespaces collection has no namespace; a Namespace object's namespace is its own name.
        #expect(resource("/api/v1/namespaces") == KubeResourcePath(group: "", version: "v1", resource: "namespaces"))
        #expect(resource("/api/v1/namespaces/shop") == KubeResourcePath(
            group: "", version: "v1", namespace: "shop", resource: "namespaces", name: "shop"))
        #expect(resource("/api/v1/namespaces/shop/finalize") == KubeResourcePath(
            group: "", version: "v1", namespace: "shop", resource: "namespaces", name: "shop", subresource: "finalize"))
    }

    @Test func readsTheOldWatchPrefix() throws {
        #expect(resource("/api/v1/watch/namespaces/shop/secrets") == KubeResourcePath(
            group: "", version: "v1", namespace: "shop", resource: "secrets", watchPrefix: true))
    }

    @Test func decodesPercentEscapes() throws {
        #expect(resource("/api/v1/namespaces/%73hop/%73ecrets/a%2Fb")?.resource == "secrets")
        #expect(resource("/api/v1/namespaces/%73hop/pods")?.namespace == "shop")
        #expect(resource("/api/v1/namespaces/shop/pods/a%2Fb")?.name == "a/b")
    }

    @Test func tellsDiscoveryAndNonResourcePathsApart() {
        for path in ["/api", "/api/", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/apis/apps/v1/"] {
            #expect(KubeAPIPath.parse(path) == .discovery, "\(path)")
        }
        #expect(KubeAPIPath.parse("/version") == .nonResource("/version"))
        #expect(KubeAPIPath.parse("/openapi/v3?x=1") == .nonResource("/openapi/v3"))
        #expect(KubeAPIPath.parse("/") == .nonResource("/"))
    }

    @Test(arguments: ["/api/v1/namespaces/../secrets", "/api/v1/namespaces/shop/pods/..", "/api/v1//secrets",
                      "/api/v1/namespaces/%2E%2E/secrets", "/api/v1/namespaces/./pods", "api/v1/pods",
                      "/api/v1/pods/%zz", "", "/api/v1/watch"])
    func refusesToReadNonCanonicalPaths(path: String) {
        guard case .malformed = KubeAPIPath.parse(path) else {
            Issue.record("\(path) was read as \(KubeAPIPath.parse(path))")
            return
        }
    }
}
