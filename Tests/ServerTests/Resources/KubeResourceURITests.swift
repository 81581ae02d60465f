import Testing
@testable import Server

@Suite struct KubeResourceURITests {
    private func parse(_ uri: String) throws -> KubeResourceURI? { try KubeResourceURI.parse(uri) }

    private func refusal(_ uri: String) -> String? {
        do {
            _ = try KubeResourceURI.parse(uri)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func parsesEveryForm() throws {
        #expect(try parse("k8s://contexts") == .contexts)
        #expect(try parse("k8s://kind-dev") == .context("kind-dev"))
        #expect(try parse("k8s://kind-dev/shop/deployments.apps/web")
                == .object(context: "kind-dev", namespace: "shop", resource: "deployments.apps", name: "web"))
        #expect(try parse("k8s://kind-dev/_cluster/nodes/node-1")
                == .object(context: "kind-dev", namespace: nil, resource: "nodes", name: "node-1"))
        #expect(try parse("k8s://kind-dev/shop/pods/web-1/log")
                == .log(context: "kind-dev", namespace: "shop", pod: "web-1", options: .init()))
        #expect(try parse("k8s://kind-dev/shop/pods/web-1/log?container=app&tail=20&previous=true")
                == .log(context: "kind-dev", namespace: "shop", pod: "web-1",
                        options: .init(container: "app", tail: 20, previous: true)))
        #expect(try parse("K8S://kind-dev") == .context("kind-dev"))
    }

    @Test func otherSchemesAreNotOurs() throws {
        #expect(try parse("file:///etc/passwd") == nil)
        #expect(try parse("k8s:/x") == nil)
        #expect(try parse("") == nil)
    }

    @Test func decodesSegmentsAfterSplitting() throws {
        // An EKS-style context name with ':' and '/' stays one segment.
        let context = "arn:aws:eks:eu-west-1:123456789012:cluster/prod"
        let uri = KubeResourceURI.object(context: context, namespace: "shop", resource: "pods", name: "web")
        #expect(uri.string == "k8s://arn%3Aaws%3Aeks%3Aeu-west-1%3A123456789012%3Acluster%2Fprod/shop/pods/web")
        #expect(try parse(uri.string) == uri)
        // RBAC names may hold ':'.
        #expect(try parse("k8s://c/_cluster/clusterroles/system%3Acontroller%3Ajob-controller")
                == .object(context: "c", namespace: nil, resource: "clusterroles", name: "system:controller:job-controller"))
        // A context literally named "contexts" is reachable percent-encoded.
        #expect(try parse("k8s://%63ontexts") == .context("contexts"))
    }

    @Test func roundTripsLogQueries() throws {
        let uri = KubeResourceURI.log(context: "c", namespace: "ns", pod: "p",
                                      options: .init(container: "app", tail: 5, previous: true))
        #expect(uri.string == "k8s://c/ns/pods/p/log?container=app&tail=5&previous=true")
        #expect(try parse(uri.string) == uri)
    }

    @Test func refusesTraversalAndMalformedSegments() {
        let cases: [(String, String)] = [
            ("k8s://c/shop/pods/..", "not a valid object name"),
            ("k8s://c/shop/pods/.", "not a valid object name"),
            ("k8s://c/shop/pods/%2E%2E", "not a valid object name"),
            ("k8s://c/shop/pods/a%2Fb", "not a valid object name"),
            ("k8s://c/shop/pods/a%25b", "not a valid object name"),
            ("k8s://c/../pods/x", "not a valid namespace"),
            ("k8s://c/Shop/pods/x", "not a valid namespace"),
            ("k8s://c/shop/pods%2F/x", "not a resource type"),
            ("k8s://c//pods/x", "empty path segment"),
            ("k8s://c/shop/pods/x/", "empty path segment"),
            ("k8s:///shop/pods/x", "names no context"),
            ("k8s://c/shop/pods/%zz", "malformed percent-encoding"),
            ("k8s://c/shop/pods/%4", "malformed percent-encoding"),
            ("k8s://c/shop/pods/%FF", "UTF-8"),
            ("k8s://c/shop/pods/a%0Ab", "control characters"),
            ("k8s://c/shop/pods/x#frag", "fragment"),
            ("k8s://c/shop/pods/x?tail=1", "only pod log URIs"),
            ("k8s://c/shop/pods/x/log?tail=-1", "tail"),
            ("k8s://c/shop/pods/x/log?tail=10001", "tail"),
            ("k8s://c/shop/pods/x/log?previous=yes", "previous"),
            ("k8s://c/shop/pods/x/log?container=A", "container"),
            ("k8s://c/shop/pods/x/log?tail=1&tail=2", "repeated"),
            ("k8s://c/shop/pods/x/log?follow=true", "unknown log query parameter"),
            ("k8s://c/shop/pods/x/log?tail", "no value"),
            ("k8s://c/_cluster/pods/x/log", "namespaced"),
            ("k8s://c/shop", "1 path segments"),
            ("k8s://c/shop/pods", "2 path segments"),
            ("k8s://c/a/b/c/d/e", "5 path segments"),
            ("k8s://" + String(repeating: "a", count: 5000), "longer than"),
        ]
        for (uri, words) in cases {
            let message = refusal(uri)
            #expect(message?.contains(words) == true, "\(uri): \(message ?? "accepted")")
        }
    }

    @Test func segmentRulesForPromptArguments() {
        #expect(throws: KubeResourceURI.ParseError.self) { try KubeResourceURI.checkNamespace("-bad") }
        #expect(throws: KubeResourceURI.ParseError.self) { try KubeResourceURI.checkNamespace(String(repeating: "a", count: 64)) }
        #expect(throws: Never.self) { try KubeResourceURI.checkNamespace("kube-system") }
        #expect(throws: Never.self) { try KubeResourceURI.checkName("system:node:a", what: "name") }
        #expect(throws: KubeResourceURI.ParseError.self) { try KubeResourceURI.checkContext("") }
    }

    @Test func serverURLsLoseCredentials() {
        #expect(KubeResourceProvider.safeServerURL("https://admin:s3cret@k8s.example:6443/base?token=x#f")
                == "https://k8s.example:6443/base")
        #expect(KubeResourceProvider.safeServerURL("https://10.0.0.1:6443") == "https://10.0.0.1:6443")
        #expect(KubeResourceProvider.safeServerURL("") == "")
    }
}
