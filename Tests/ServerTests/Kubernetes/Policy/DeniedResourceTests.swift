import Testing
@testable import Server

@Suite struct DeniedResourceTests {
    private func parse(_ text: String) -> DeniedResource? { try? DeniedResource.parse(text).get() }

    @Test func readsEveryCoreGroupSpelling() {
        for text in ["v1/Secret", "/v1/Secret", "core/v1/Secret", "*/Secret", "/*/Secret", "//Secret", " v1/Secret "] {
            let entry = parse(text)
            #expect(entry?.group == "" && entry?.kind == "Secret", "\(text)")
        }
        #expect(parse("v1/Secret")?.version == "v1")
        #expect(parse("/*/Secret")?.version == nil)
    }

    @Test func readsGroupsAndWildcardVersions() {
        #expect(parse("apps/v1/Deployment") == DeniedResource(group: "apps", version: "v1", kind: "Deployment"))
        #expect(parse("apps/*/Deployment") == DeniedResource(group: "apps", kind: "Deployment"))
        #expect(parse("apps//Deployment") == DeniedResource(group: "apps", kind: "Deployment"))
        #expect(parse("rbac.authorization.k8s.io/v1/ClusterRole")?.group == "rbac.authorization.k8s.io")
        #expect(parse("example.com/v1beta1/Widget")?.version == "v1beta1")
    }

    @Test(arguments: ["Secret", "apps/Deployment", "a/b/c/d", "v1/", "v1/Sec-ret", "apps/one/Deployment",
                      "ap ps/v1/Deployment", "v1/9Lives", ""])
    func rejectsMalformedEntries(text: String) {
        guard case .failure(let failure) = DeniedResource.parse(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(!failure.expected.isEmpty)
    }

    @Test func explainsAMissingVersion() throws {
        guard case .failure(let failure) = DeniedResource.parse("apps/Deployment") else {
            Issue.record("accepted")
            return
        }
        #expect(failure.expected.contains("apps/v1/Deployment"))
    }

    @Test func matchesByGroupAndKindInAnyVersionAndCase() throws {
        let secret = try #require(parse("v1/Secret"))
        #expect(secret.matches(group: "", kind: "Secret"))
        #expect(secret.matches(group: "", kind: "secret"))
        #expect(!secret.matches(group: "example.com", kind: "Secret"))
        let deployment = try #require(parse("apps/v1/Deployment"))
        #expect(deployment.matches(group: "apps", kind: "Deployment"))
        #expect(!deployment.matches(group: "", kind: "Deployment"))
    }

    @Test func guessesPluralsForKindsDiscoveryDoesNotKnow() throws {
        #expect(try #require(parse("v1/Secret")).matches(group: "", plural: "secrets"))
        #expect(try #require(parse("v1/Secret")).matches(group: "", plural: "Secrets"))
        #expect(try #require(parse("v1/Endpoints")).matches(group: "", plural: "endpoints"))
        #expect(try #require(parse("networking.k8s.io/v1/IngressClass")).matches(group: "networking.k8s.io",
                                                                                  plural: "ingressclasses"))
        #expect(try #require(parse("example.com/v1/Policy")).matches(group: "example.com", plural: "policies"))
        // A plural written as the kind still denies that plural.
        #expect(try #require(parse("v1/secrets")).matches(group: "", plural: "secrets"))
        #expect(!(try #require(parse("v1/Secret")).matches(group: "", plural: "serviceaccounts")))
    }

    @Test func describesItselfAsWritten() throws {
        #expect(try #require(parse("/v1/Secret")).description == "v1/Secret")
        #expect(try #require(parse("apps/*/Deployment")).description == "apps/*/Deployment")
    }
}
