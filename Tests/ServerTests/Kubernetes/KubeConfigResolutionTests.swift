import Foundation
import Testing
import Yams
@testable import Server

@Suite struct KubeConfigResolutionTests {
    let dir = KubeConfigFixture.directory

    @Test func fixturesAreFoundThroughBundleModule() {
        #expect(FileManager.default.fileExists(atPath: KubeConfigFixture.path("token.yaml")))
        #expect(KubeConfigFixture.directory.hasPrefix("/"))
    }

    @Test func resolvesClientCertificateFilesRelativeToTheKubeconfig() throws {
        let resolved = try KubeConfigFixture.load("client-cert-files.yaml").resolvedContext(named: nil)
        #expect(resolved.contextName == "files")
        #expect(resolved.namespace == "files-ns")
        #expect(resolved.cluster.name == "files-cluster")
        #expect(resolved.cluster.server.absoluteString == "https://files.example.com:6443")
        #expect(resolved.cluster.certificateAuthority == .file(dir + "/certs/ca.crt"))
        let expected = ResolvedContext.ClientCertificate(certificate: .file(dir + "/certs/client.crt"),
                                                         key: .file(dir + "/certs/client.key"))
        #expect(resolved.user.name == "files-user")
        #expect(resolved.user.auth == .clientCertificate(expected))
        #expect(resolved.user.clientCertificate == expected)
    }

    @Test func decodesInlineClientCertificateAndCAData() throws {
        let resolved = try KubeConfigFixture.load("client-cert-inline.yaml").resolvedContext(named: nil)
        #expect(resolved.namespace == "default")
        #expect(resolved.cluster.certificateAuthority == .inline(Array("FAKE-CA-CERT-PUBLIC-DATA".utf8)))
        guard case .clientCertificate(let cert) = resolved.user.auth else {
            Issue.record("expected client certificate auth, got \(resolved.user.auth.kindName)")
            return
        }
        #expect(cert.certificate == .inline(Array("FAKE-CLIENT-CERT-SECRET-DATA-7f3a".utf8)))
        #expect(cert.key == .inline(Array("FAKE-CLIENT-KEY-SECRET-DATA-9b2c".utf8)))
        #expect(resolved.user.auth.kindName == "client certificate (inline)")
    }

    @Test func resolvesBearerTokenAndAssumesHTTPSForBareHostPort() throws {
        let resolved = try KubeConfigFixture.load("token.yaml").resolvedContext(named: nil)
        #expect(resolved.user.auth == .token("bearer-token-secret-5d1e"))
        #expect(resolved.cluster.server.absoluteString == "https://token.example.com:8443")
        #expect(resolved.namespace == "team-a")
        #expect(resolved.user.clientCertificate == nil)
    }

    @Test func resolvesTokenFileRelativeToTheKubeconfig() throws {
        let resolved = try KubeConfigFixture.load("token-file.yaml").resolvedContext(named: nil)
        #expect(resolved.user.auth == .tokenFile(dir + "/tokens/token"))
    }

    @Test func resolvesExecPluginV1WithAllFields() throws {
        let resolved = try KubeConfigFixture.load("exec-v1.yaml").resolvedContext(named: nil)
        guard case .exec(let exec) = resolved.user.auth else {
            Issue.record("expected exec auth, got \(resolved.user.auth.kindName)")
            return
        }
        #expect(exec.apiVersion == "client.authentication.k8s.io/v1")
        #expect(exec.command == "aws")
        #expect(exec.args == ["eks", "get-token", "--cluster-name", "prod"])
        #expect(exec.env == [KubeConfig.EnvVar(name: "AWS_PROFILE", value: "exec-env-secret-profile-42")])
        #expect(exec.installHint == "Install the AWS CLI.")
        #expect(exec.provideClusterInfo)
        #expect(exec.interactiveMode == "Never")
    }

    @Test func resolvesExecPluginV1Beta1WithRelativeCommandAndDefaultMode() throws {
        let resolved = try KubeConfigFixture.load("exec-v1beta1.yaml").resolvedContext(named: nil)
        guard case .exec(let exec) = resolved.user.auth else {
            Issue.record("expected exec auth, got \(resolved.user.auth.kindName)")
            return
        }
        #expect(exec.apiVersion == "client.authentication.k8s.io/v1beta1")
        #expect(exec.command == dir + "/bin/plugin")
        #expect(exec.args == ["--json"])
        #expect(exec.env.isEmpty)
        #expect(!exec.provideClusterInfo)
        #expect(exec.interactiveMode == "IfAvailable")
    }

    @Test func resolvesInsecureSkipTLSVerifyWithAnonymousUser() throws {
        let resolved = try KubeConfigFixture.load("tls-options.yaml").resolvedContext(named: nil)
        #expect(resolved.contextName == "insecure")
        #expect(resolved.cluster.insecureSkipTLSVerify)
        #expect(resolved.cluster.certificateAuthority == nil)
        #expect(resolved.user.name == "anonymous")
        #expect(resolved.user.auth == .none)
    }

    @Test func resolvesTLSServerNameProxyAndIPv6ServerForANamedContext() throws {
        let resolved = try KubeConfigFixture.load("tls-options.yaml").resolvedContext(named: "sni")
        #expect(resolved.contextName == "sni")
        #expect(resolved.cluster.tlsServerName == "kubernetes.internal")
        #expect(!resolved.cluster.insecureSkipTLSVerify)
        #expect(resolved.cluster.server.absoluteString == "https://[fd00::10]:6443")
        #expect(resolved.cluster.proxyURL?.host == "proxy.example.com")
        #expect(resolved.cluster.proxyURL?.port == 3128)
        #expect(resolved.user.name == "")
        #expect(resolved.user.auth == .none)
    }

    @Test func resolvesBasicAuthOverPlainHTTP() throws {
        let resolved = try KubeConfigFixture.load("basic.yaml").resolvedContext(named: nil)
        #expect(resolved.user.auth == .basic(username: "admin", password: "basic-password-secret-3e9f"))
        #expect(resolved.cluster.server.scheme == "http")
    }

    @Test func resolvesAuthProviderWithItsConfig() throws {
        let resolved = try KubeConfigFixture.load("auth-provider.yaml").resolvedContext(named: nil)
        guard case .authProvider(let name, let config) = resolved.user.auth else {
            Issue.record("expected auth provider, got \(resolved.user.auth.kindName)")
            return
        }
        #expect(name == "oidc")
        #expect(config["client-id"] == "kubernetes")
        #expect(config["id-token"] == "oidc-id-token-secret-6a0b")
    }

    @Test func keepsClientCertificateNextToATokenCredential() throws {
        let resolved = try KubeConfigFixture.load("relative/nested/config").resolvedContext(named: nil)
        #expect(resolved.user.auth == .tokenFile("/absolute/token"))
        #expect(resolved.user.clientCertificate?.certificate == .file(dir + "/relative/nested/client.crt"))
        #expect(resolved.user.clientCertificate?.key == .file(dir + "/relative/nested/client.key"))
        #expect(resolved.cluster.certificateAuthority == .file(dir + "/certs/ca.crt"))
    }

    @Test func appliesNamespaceOverrideOnTheResolvedView() throws {
        let loaded = try KubeConfigFixture.load("token.yaml")
        #expect(try loaded.resolvedContext(named: nil, namespace: "override").namespace == "override")
        #expect(try loaded.resolvedContext(named: nil, namespace: "").namespace == "team-a")
        #expect(loaded.config.context(named: "token")?.context.namespace == "team-a")
    }

    @Test func describesResolvedContextWithoutCredentialValues() throws {
        let resolved = try KubeConfigFixture.load("token.yaml").resolvedContext(named: nil)
        #expect(resolved.description.contains("token"))
        #expect(!resolved.description.contains("bearer-token-secret-5d1e"))
        let basic = try KubeConfigFixture.load("basic.yaml").resolvedContext(named: nil)
        #expect(!basic.description.contains("basic-password-secret-3e9f"))
    }

    @Test func validatesEveryLoadableFixture() throws {
        for name in KubeConfigFixture.loadable {
            try KubeConfigFixture.load(name).config.validate()
        }
    }

    @Test func roundTripsThroughYAML() throws {
        let loaded = try KubeConfigFixture.load("exec-v1.yaml")
        let yaml = try YAMLEncoder().encode(loaded.config)
        let reparsed = try KubeConfigLoader.parse(yaml, file: loaded.files[0])
        var expected = loaded.config
        expected.preferences = .mapping([])  // written as `preferences: {}`, like kubectl
        #expect(reparsed == expected)
        #expect(yaml.contains("current-context: eks"))
        #expect(yaml.contains("certificate-authority-data: RkFLRS1DQS1DRVJULVBVQkxJQy1EQVRB"))
    }

    @Test func treatsAnEmptyFileAsAnEmptyConfig() throws {
        let loaded = try KubeConfigFixture.load("empty.yaml")
        #expect(loaded.config.contexts.isEmpty)
        #expect(loaded.config.clusters.isEmpty)
        #expect(KubeConfigFixture.resolveError("empty.yaml") == .noCurrentContext(paths: []))
    }

    @Test func toleratesUnknownFields() throws {
        let config = try KubeConfigLoader.parse("""
            apiVersion: v1
            kind: Config
            extensions:
            - name: something
              extension: {a: 1}
            clusters:
            - name: c
              cluster:
                server: https://c.example.com
                extensions: []
                some-future-field: true
            contexts:
            - name: c
              context: {cluster: c, extensions: []}
            current-context: c
            """, file: "/virtual/config")
        #expect(try config.resolvedContext(named: nil).cluster.name == "c")
    }
}
