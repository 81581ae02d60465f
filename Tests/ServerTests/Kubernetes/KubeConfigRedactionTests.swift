import Testing
@testable import Server

@Suite struct KubeConfigRedactionTests {
    @Test func redactsEveryCredentialLikeKubectlConfigView() throws {
        let config = try KubeConfigFixture.mergedAll().config.redacted
        let inline = try #require(config.user(named: "inline-user")?.user)
        #expect(inline.clientCertificateData == "DATA+OMITTED")
        #expect(inline.clientKeyData == "DATA+OMITTED")
        #expect(config.cluster(named: "inline-cluster")?.cluster.certificateAuthorityData == "DATA+OMITTED")
        #expect(config.user(named: "token-user")?.user.token == "REDACTED")
        #expect(config.user(named: "basic-user")?.user.password == "REDACTED")
        #expect(config.user(named: "basic-user")?.user.username == "admin")
        #expect(config.user(named: "eks-user")?.user.exec?.env == [.init(name: "AWS_PROFILE", value: "REDACTED")])
        #expect(config.user(named: "eks-user")?.user.exec?.command == "aws")
        let provider = try #require(config.user(named: "oidc-user")?.user.authProvider)
        #expect(provider.name == "oidc")
        #expect(provider.config?.values.allSatisfy { $0 == "REDACTED" } == true)
        #expect(provider.config?.keys.sorted() == ["client-id", "id-token", "idp-issuer-url", "refresh-token"])
        #expect(config.cluster(named: "sni-cluster")?.cluster.proxyURL
            == "http://proxyuser:REDACTED@proxy.example.com:3128")
        #expect(config.user(named: "tokenfile-user")?.user.tokenFile == "tokens/token")
    }

    @Test func leavesUnsetFieldsUnset() throws {
        let config = try KubeConfigFixture.load("token.yaml").config.redacted
        let user = try #require(config.users.first?.user)
        #expect(user.password == nil)
        #expect(user.clientKeyData == nil)
        #expect(config.clusters.first?.cluster.certificateAuthorityData == nil)
    }

    @Test func minifiesToTheCurrentContextItsClusterAndUser() throws {
        let merged = try KubeConfigFixture.mergedAll().config
        let minified = try merged.minified(context: nil)
        #expect(minified.currentContext == merged.currentContext)
        #expect(minified.contexts.map(\.name) == ["files"])
        #expect(minified.clusters.map(\.name) == ["files-cluster"])
        #expect(minified.users.map(\.name) == ["files-user"])
    }

    @Test func minifiesToAnOverriddenContext() throws {
        let merged = try KubeConfigFixture.mergedAll().config
        let minified = try merged.minified(context: "sni")
        #expect(minified.currentContext == "sni")
        #expect(minified.contexts.map(\.name) == ["sni"])
        #expect(minified.clusters.map(\.name) == ["sni-cluster"])
        #expect(minified.users.isEmpty)
    }

    @Test func refusesToMinifyToAContextWithAMissingCluster() throws {
        let config = try KubeConfigFixture.load("errors/unknown-cluster.yaml").config
        #expect(throws: KubeConfigError.unknownCluster(
            context: .init(path: KubeConfigFixture.path("errors/unknown-cluster.yaml"), section: .contexts, index: 0,
                           name: "dev"),
            cluster: "nope")) {
            try config.minified(context: nil)
        }
    }

    @Test func makesRelativePathsAbsolute() throws {
        let config = try KubeConfigFixture.load("exec-v1beta1.yaml").config.withAbsolutePaths
        #expect(config.users.first?.user.exec?.command == KubeConfigFixture.directory + "/bin/plugin")
        let files = try KubeConfigFixture.load("client-cert-files.yaml").config.withAbsolutePaths
        #expect(files.users.first?.user.clientKey == KubeConfigFixture.directory + "/certs/client.key")
        #expect(files.clusters.first?.cluster.certificateAuthority == KubeConfigFixture.directory + "/certs/ca.crt")
    }
}
