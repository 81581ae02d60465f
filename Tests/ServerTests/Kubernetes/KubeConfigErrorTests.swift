import Foundation
import Testing
@testable import Server

/// Every rejected kubeconfig names its file and the entry at fault.
@Suite struct KubeConfigErrorTests {
    private func path(_ name: String) -> String { KubeConfigFixture.path(name) }

    private func loadMessage(_ name: String) -> String {
        KubeConfigFixture.loadError(name).map { "\($0)" } ?? "(loaded without error)"
    }

    private func resolveMessage(_ name: String, context: String? = nil) -> String {
        KubeConfigFixture.resolveError(name, context: context).map { "\($0)" } ?? "(resolved without error)"
    }

    @Test func reportsYAMLSyntaxErrorWithFileLineAndColumn() {
        let error = KubeConfigFixture.loadError("errors/syntax.yaml")
        guard case .yamlSyntax(let file, let line, let column, _)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(file == path("errors/syntax.yaml"))
        #expect(line != nil && column != nil)
        let message = loadMessage("errors/syntax.yaml")
        #expect(message.hasPrefix("kubeconfig \(path("errors/syntax.yaml")): YAML syntax error at line "))
        #expect(!message.contains("unclosed.example.com"), "the offending line is not quoted")
    }

    @Test func rejectsTopLevelThatIsNotAMapping() {
        #expect(loadMessage("errors/not-mapping.yaml")
            == "kubeconfig \(path("errors/not-mapping.yaml")): the top level must be a mapping, found a list")
    }

    @Test func rejectsEntryThatIsNotAMapping() {
        #expect(loadMessage("errors/entry-not-mapping.yaml")
            == "kubeconfig \(path("errors/entry-not-mapping.yaml")): clusters[1] must be a mapping, found a scalar")
    }

    @Test func rejectsFieldOfTheWrongTypeNamingEntryAndField() {
        let message = loadMessage("errors/wrong-type.yaml")
        #expect(message.hasPrefix("kubeconfig \(path("errors/wrong-type.yaml")): clusters[0] (\"typed\"): "
            + "cluster.insecure-skip-tls-verify: expected a boolean, found a list"), "\(message)")
        #expect(message.contains("(line 6)"))
    }

    @Test func rejectsInvalidBase64NamingUserAndField() {
        #expect(loadMessage("errors/bad-base64.yaml")
            == "kubeconfig \(path("errors/bad-base64.yaml")): users[2] (\"bob\"): client-certificate-data is not valid base64")
    }

    @Test func rejectsContextWithUnknownCluster() throws {
        #expect(resolveMessage("errors/unknown-cluster.yaml")
            == "kubeconfig \(path("errors/unknown-cluster.yaml")): contexts[0] (\"dev\") refers to cluster \"nope\" "
                + "which is not defined")
    }

    @Test func checksReferencesOnlyForTheContextInUseWhenLoading() throws {
        let loaded = try KubeConfigFixture.load("errors/unknown-cluster.yaml")
        #expect(try loaded.resolvedContext(named: "ok").cluster.name == "real")
        #expect(throws: KubeConfigError.self) { try loaded.config.validate() }
    }

    @Test func rejectsContextWithUnknownUser() {
        #expect(resolveMessage("errors/unknown-user.yaml")
            == "kubeconfig \(path("errors/unknown-user.yaml")): contexts[1] (\"staging\") refers to user \"ghost\" "
                + "which is not defined")
    }

    @Test func rejectsUnknownCurrentContext() {
        #expect(resolveMessage("errors/unknown-current-context.yaml")
            == "kubeconfig \(path("errors/unknown-current-context.yaml")): current-context \"vanished\" is not defined")
    }

    @Test func rejectsUnknownContextOverride() {
        #expect(resolveMessage("token.yaml", context: "elsewhere")
            == "context \"elsewhere\" is not defined in kubeconfig \(path("token.yaml"))")
    }

    @Test func explainsMissingCurrentContext() {
        #expect(resolveMessage("merge/first.yaml") == "kubeconfig \(path("merge/first.yaml")) sets no "
            + "current-context; choose one with --context or K8S_CONTEXT")
    }

    @Test func rejectsDuplicateNameWithinOneFile() {
        #expect(loadMessage("errors/duplicate-name.yaml")
            == "kubeconfig \(path("errors/duplicate-name.yaml")): clusters[2] (\"one\"): name \"one\" is already used "
                + "by clusters[0] in the same file")
    }

    @Test func rejectsExecWithoutCommand() {
        #expect(resolveMessage("errors/exec-without-command.yaml")
            == "kubeconfig \(path("errors/exec-without-command.yaml")): users[0] (\"plugin-user\"): exec has no command")
    }

    @Test func rejectsServerURLWithUnsupportedScheme() {
        #expect(loadMessage("errors/bad-server-url.yaml")
            == "kubeconfig \(path("errors/bad-server-url.yaml")): clusters[1] (\"ftp-cluster\"): server "
                + "\"ftp://files.example.com\" is not a valid URL: the scheme must be https or http")
    }

    @Test func rejectsEntryWithoutName() {
        #expect(loadMessage("errors/missing-name.yaml")
            == "kubeconfig \(path("errors/missing-name.yaml")): contexts[1] has no name")
    }

    @Test func rejectsTokenCombinedWithBasicAuth() {
        #expect(resolveMessage("errors/token-and-basic.yaml")
            == "kubeconfig \(path("errors/token-and-basic.yaml")): users[0] (\"mixed\"): token and username/password "
                + "cannot be used together")
    }

    @Test func rejectsClusterWithoutServerWhenUsed() {
        #expect(resolveMessage("errors/no-server.yaml")
            == "kubeconfig \(path("errors/no-server.yaml")): clusters[0] (\"serverless\") has no server")
    }

    @Test func reportsMissingExplicitFile() {
        let missing = path("errors/absent.yaml")
        #expect(loadMessage("errors/absent.yaml") == "kubeconfig \(missing): file does not exist")
    }

    @Test func reportsUnreadableFiles() throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let binary = try dir.write("binary", Data([0xFF, 0xFE, 0x00, 0xC3]))
        #expect(throws: KubeConfigError.unreadableFile(path: binary, reason: "it is not UTF-8 text")) {
            try KubeConfigLoader.load(explicitPath: binary, environment: [:])
        }
        try FileManager.default.createDirectory(atPath: dir.path + "/adir", withIntermediateDirectories: false)
        #expect(throws: KubeConfigError.unreadableFile(path: dir.path + "/adir", reason: "it is a directory")) {
            try KubeConfigLoader.load(explicitPath: dir.path + "/adir", environment: [:])
        }
    }

    @Test func reportsTheFileOfABrokenEntryInAMergedConfig() throws {
        let list = [path("token.yaml"), path("errors/unknown-user.yaml")].joined(separator: ":")
        let loaded = try KubeConfigLoader.load(explicitPath: nil, environment: ["KUBECONFIG": list],
                                               serviceAccountDirectory: "/nonexistent")
        // current-context comes from token.yaml; the broken context lives in the second file.
        #expect(try loaded.resolvedContext(named: nil).contextName == "token")
        #expect(throws: KubeConfigError.unknownUser(
            context: .init(path: path("errors/unknown-user.yaml"), section: .contexts, index: 1, name: "staging"),
            user: "ghost")) {
            try loaded.resolvedContext(named: "staging")
        }
    }

    // Inline documents for rules that need no fixture of their own.

    private func parseError(_ yaml: String) -> String {
        do {
            let config = try KubeConfigLoader.parse(yaml, file: "/virtual/config")
            _ = try config.resolvedContext(named: nil)
            return "(no error)"
        } catch {
            return "\(error)"
        }
    }

    @Test func rejectsCertificateWithoutKey() {
        let message = parseError("""
            clusters: [{name: c, cluster: {server: "https://c"}}]
            users: [{name: u, user: {client-certificate: cert.pem}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """)
        #expect(message == "kubeconfig /virtual/config: users[0] (\"u\"): client certificate authentication needs "
            + "client-key or client-key-data")
    }

    @Test func rejectsExecCombinedWithAuthProvider() {
        let message = parseError("""
            clusters: [{name: c, cluster: {server: "https://c"}}]
            users: [{name: u, user: {exec: {apiVersion: v1, command: x}, auth-provider: {name: oidc}}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """)
        #expect(message == "kubeconfig /virtual/config: users[0] (\"u\"): exec and auth-provider cannot be used together")
    }

    @Test func rejectsInvalidInteractiveMode() {
        let message = parseError("""
            clusters: [{name: c, cluster: {server: "https://c"}}]
            users: [{name: u, user: {exec: {apiVersion: v1, command: x, interactiveMode: Sometimes}}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """)
        #expect(message.hasSuffix("users[0] (\"u\"): exec interactiveMode \"Sometimes\" is not one of Never, "
            + "IfAvailable, Always"))
    }

    @Test func rejectsCAWithInsecureSkipTLSVerify() {
        let message = parseError("""
            clusters: [{name: c, cluster: {server: "https://c", insecure-skip-tls-verify: true, certificate-authority: ca}}]
            contexts: [{name: x, context: {cluster: c}}]
            current-context: x
            """)
        #expect(message.hasPrefix("kubeconfig /virtual/config: clusters[0] (\"c\"): insecure-skip-tls-verify and"))
    }

    @Test func rejectsServerWithoutHostAndProxyWithoutScheme() {
        #expect(parseError("clusters: [{name: c, cluster: {server: \"https://\"}}]")
            == "kubeconfig /virtual/config: clusters[0] (\"c\"): server \"https://\" is not a valid URL: it has no host")
        #expect(parseError("clusters: [{name: c, cluster: {server: \"https://c\", proxy-url: \"proxy:3128\"}}]")
            .hasPrefix("kubeconfig /virtual/config: clusters[0] (\"c\"): proxy-url is not a valid URL"))
    }

    @Test func rejectsContextWithoutCluster() {
        #expect(parseError("contexts: [{name: lonely, context: {user: u}}]\ncurrent-context: lonely")
            == "kubeconfig /virtual/config: contexts[0] (\"lonely\") has no cluster")
    }
}
