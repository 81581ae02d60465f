import Foundation
import Testing
@testable import Server

@Suite struct KubeConfigLoaderTests {
    let fixtures = KubeConfigFixture.directory
    let noServiceAccount = "/nonexistent/serviceaccount"

    private func path(_ name: String) -> String { KubeConfigFixture.path(name) }

    // MARK: Lookup order

    @Test func explicitPathWinsOverKUBECONFIGAndHome() throws {
        let loaded = try KubeConfigLoader.load(
            explicitPath: path("token.yaml"),
            environment: ["KUBECONFIG": path("basic.yaml"), "HOME": fixtures],
            serviceAccountDirectory: noServiceAccount)
        #expect(loaded.source == .explicitPath(path("token.yaml")))
        #expect(loaded.config.currentContext == "token")
    }

    @Test func missingExplicitPathIsAnErrorEvenWhenOthersExist() {
        let missing = fixtures + "/does-not-exist.yaml"
        #expect(throws: KubeConfigError.fileNotFound(path: missing)) {
            try KubeConfigLoader.load(explicitPath: missing, environment: ["KUBECONFIG": path("token.yaml")],
                                      serviceAccountDirectory: noServiceAccount)
        }
    }

    @Test func relativeExplicitPathResolvesAgainstTheCurrentDirectory() throws {
        let loaded = try KubeConfigLoader.load(explicitPath: "token-file.yaml", environment: [:],
                                               serviceAccountDirectory: noServiceAccount,
                                               currentDirectory: fixtures)
        #expect(loaded.files == [path("token-file.yaml")])
        #expect(try loaded.resolvedContext(named: nil).user.auth == .tokenFile(fixtures + "/tokens/token"))
    }

    @Test func mergesKUBECONFIGFilesWithFirstDefinitionWinning() throws {
        let list = [path("merge/first.yaml"), fixtures + "/missing.yaml", path("merge/second.yaml"),
                    path("merge/third.yaml")]
        let loaded = try KubeConfigLoader.load(explicitPath: nil,
                                               environment: ["KUBECONFIG": list.joined(separator: ":")],
                                               serviceAccountDirectory: noServiceAccount)
        #expect(loaded.source == .kubeconfigVariable([list[0], list[2], list[3]]))
        let config = loaded.config
        #expect(config.clusters.map(\.name) == ["shared", "second-only", "third-only"])
        #expect(config.cluster(named: "shared")?.cluster.server == "https://first.example.com")
        #expect(config.cluster(named: "shared")?.origin == KubeConfig.Origin(file: list[0], index: 0))
        #expect(config.cluster(named: "second-only")?.origin == KubeConfig.Origin(file: list[2], index: 1))
        #expect(config.user(named: "shared-user")?.user.token == "first-token-secret")
        #expect(config.context(named: "shared")?.context.namespace == "from-first")
        #expect(config.contexts.map(\.name) == ["shared", "second", "third"])
        // current-context comes from the first file that sets it: second, not third.
        #expect(config.currentContext == "second")
        #expect(config.currentContextOrigin == list[2])

        let resolved = try loaded.resolvedContext(named: nil)
        #expect(resolved.cluster.server.absoluteString == "https://second-only.example.com")
        #expect(resolved.user.auth == .token("first-token-secret"))
        #expect(try loaded.resolvedContext(named: "shared").namespace == "from-first")
    }

    @Test func mergeOrderDecidesWhichDefinitionWins() throws {
        let list = [path("merge/second.yaml"), path("merge/first.yaml")].joined(separator: ":")
        let loaded = try KubeConfigLoader.load(explicitPath: nil, environment: ["KUBECONFIG": list],
                                               serviceAccountDirectory: noServiceAccount)
        #expect(loaded.config.cluster(named: "shared")?.cluster.server == "https://second.example.com")
        #expect(try loaded.resolvedContext(named: "shared").namespace == "from-second")
    }

    @Test func deduplicatesAndSkipsEmptyKUBECONFIGElements() throws {
        let list = "::\(path("token.yaml")):\(path("token.yaml")):"
        let loaded = try KubeConfigLoader.load(explicitPath: nil, environment: ["KUBECONFIG": list],
                                               serviceAccountDirectory: noServiceAccount)
        #expect(loaded.files == [path("token.yaml")])
    }

    @Test func resolvesRelativePathsAgainstEachFilesOwnDirectory() throws {
        let list = [path("client-cert-files.yaml"), path("relative/nested/config")].joined(separator: ":")
        let loaded = try KubeConfigLoader.load(explicitPath: nil, environment: ["KUBECONFIG": list],
                                               serviceAccountDirectory: noServiceAccount)
        let files = try loaded.resolvedContext(named: "files")
        #expect(files.user.clientCertificate?.certificate == .file(fixtures + "/certs/client.crt"))
        let relative = try loaded.resolvedContext(named: "relative")
        #expect(relative.user.clientCertificate?.certificate == .file(fixtures + "/relative/nested/client.crt"))
        #expect(relative.cluster.certificateAuthority == .file(fixtures + "/certs/ca.crt"))
    }

    @Test func relativeKUBECONFIGEntriesResolveAgainstTheCurrentDirectory() throws {
        let loaded = try KubeConfigLoader.load(explicitPath: nil, environment: ["KUBECONFIG": "merge/third.yaml"],
                                               serviceAccountDirectory: noServiceAccount,
                                               currentDirectory: fixtures)
        #expect(loaded.files == [path("merge/third.yaml")])
    }

    @Test func fallsBackToHomeKubeConfigWhenKUBECONFIGIsUnset() throws {
        let home = try KubeTestDirectory()
        defer { home.remove() }
        let contents = try String(contentsOfFile: path("basic.yaml"), encoding: .utf8)
        let file = try home.write(".kube/config", contents)
        let loaded = try KubeConfigLoader.load(explicitPath: nil, environment: ["HOME": home.path],
                                               serviceAccountDirectory: noServiceAccount)
        #expect(loaded.source == .homeDirectory(file))
        #expect(try loaded.resolvedContext(named: nil).contextName == "basic")
    }

    @Test func doesNotFallBackToHomeWhenKUBECONFIGNamesOnlyMissingFiles() throws {
        let home = try KubeTestDirectory()
        defer { home.remove() }
        try home.write(".kube/config", try String(contentsOfFile: path("basic.yaml"), encoding: .utf8))
        let env = ["HOME": home.path, "KUBECONFIG": home.path + "/nothing-here"]
        guard let error = loadError(environment: env) else {
            Issue.record("expected an error")
            return
        }
        guard case .noConfiguration(let searched) = error else {
            Issue.record("expected noConfiguration, got \(error)")
            return
        }
        #expect(searched.first == "KUBECONFIG=\(home.path)/nothing-here: none of its files exist")
    }

    @Test func reportsEveryPlaceLookedAtWhenNothingIsFound() throws {
        let home = try KubeTestDirectory()
        defer { home.remove() }
        let error = loadError(environment: ["HOME": home.path])
        let message = error.map { String(describing: $0) } ?? ""
        #expect(message.hasPrefix("no kubeconfig found; looked at: "))
        #expect(message.contains("KUBECONFIG is not set"))
        #expect(message.contains("\(home.path)/.kube/config does not exist"))
        #expect(message.contains("in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both set"))
        #expect(loadError(environment: [:]).map { "\($0)" }?.contains("HOME is not set") == true)
    }

    @Test func loadFromConfigReturnsAResultInsteadOfThrowing() throws {
        let options = try ServerOptions.parse(["--kubeconfig", path("token.yaml")])
        let config = try Config.resolve(options: options, environment: [:])
        let loaded = try KubeConfigLoader.load(config: config, environment: [:]).get()
        #expect(loaded.config.currentContext == "token")

        let missing = try Config.resolve(options: ServerOptions.parse([]),
                                         environment: ["K8S_KUBECONFIG_PATH": fixtures + "/nope"])
        let result = KubeConfigLoader.load(config: missing, environment: [:])
        #expect(throws: KubeConfigError.fileNotFound(path: fixtures + "/nope")) { try result.get() }
    }

    // MARK: In-cluster

    @Test func buildsInClusterConfigFromTheServiceAccount() throws {
        let sa = try KubeTestDirectory()
        defer { sa.remove() }
        try sa.write("token", "in-cluster-token\n")
        try sa.write("ca.crt", "CA")
        try sa.write("namespace", "team-x\n")
        let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let loaded = try KubeConfigLoader.load(explicitPath: nil, environment: env, serviceAccountDirectory: sa.path)
        #expect(loaded.source == .inCluster(directory: sa.path))
        let config = loaded.config
        #expect(config.currentContext == "in-cluster")
        #expect(config.clusters.map(\.name) == ["in-cluster"])
        #expect(config.users.map(\.name) == ["in-cluster"])
        #expect(config.contexts.map(\.name) == ["in-cluster"])
        let resolved = try loaded.resolvedContext(named: nil)
        #expect(resolved.cluster.server.absoluteString == "https://10.96.0.1:443")
        #expect(resolved.cluster.certificateAuthority == .file(sa.path + "/ca.crt"))
        #expect(resolved.user.auth == .tokenFile(sa.path + "/token"))
        #expect(resolved.namespace == "team-x")
    }

    @Test func bracketsIPv6InClusterHostAndDefaultsNamespaceAndCA() throws {
        let sa = try KubeTestDirectory()
        defer { sa.remove() }
        try sa.write("token", "t")
        let env = ["KUBERNETES_SERVICE_HOST": "fd00:10:96::1", "KUBERNETES_SERVICE_PORT": "6443"]
        let config = try KubeConfigLoader.inClusterConfig(environment: env, serviceAccountDirectory: sa.path)
        #expect(config.clusters.first?.cluster.server == "https://[fd00:10:96::1]:6443")
        let resolved = try config.resolvedContext(named: nil)
        #expect(resolved.cluster.server.port == 6443)
        #expect(resolved.cluster.certificateAuthority == nil)
        #expect(resolved.namespace == "default")
    }

    @Test func kubeconfigFileWinsOverInCluster() throws {
        let sa = try KubeTestDirectory()
        defer { sa.remove() }
        try sa.write("token", "t")
        let env = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443",
                   "KUBECONFIG": path("token.yaml")]
        let loaded = try KubeConfigLoader.load(explicitPath: nil, environment: env, serviceAccountDirectory: sa.path)
        #expect(loaded.source == .kubeconfigVariable([path("token.yaml")]))
    }

    @Test func explainsInClusterWithoutATokenFile() throws {
        let sa = try KubeTestDirectory()
        defer { sa.remove() }
        let env = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let message = loadError(environment: env, serviceAccountDirectory: sa.path).map { "\($0)" } ?? ""
        #expect(message.contains("in-cluster: KUBERNETES_SERVICE_HOST is set but \(sa.path)/token is not readable"))
    }

    @Test func rejectsNonNumericInClusterPort() {
        let env = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "https"]
        let message = loadError(environment: env).map { "\($0)" } ?? ""
        #expect(message.contains("KUBERNETES_SERVICE_PORT \"https\" is not a port number"))
    }

    private func loadError(environment: [String: String], serviceAccountDirectory: String? = nil) -> KubeConfigError? {
        do {
            _ = try KubeConfigLoader.load(explicitPath: nil, environment: environment,
                                          serviceAccountDirectory: serviceAccountDirectory ?? noServiceAccount)
            return nil
        } catch {
            return error
        }
    }
}
