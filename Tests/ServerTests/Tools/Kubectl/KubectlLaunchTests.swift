import Foundation
import Testing
@testable import Server

/// `KubectlLaunch` for an in-cluster service account: kubectl gets a generated kubeconfig that points at the
/// token and CA files, never the token itself.
@Suite struct KubectlLaunchTests {
    @Test func inClusterConfigIsWrittenWithFilePathsOnly() throws {
        let name = KubeConfigLoader.inClusterName
        let origin = KubeConfig.Origin(file: "/var/run/secrets/kubernetes.io/serviceaccount", index: 0)
        let config = KubeConfig(
            clusters: [KubeConfig.NamedCluster(name: name, cluster: KubeConfig.Cluster(
                server: "https://10.0.0.1:443", certificateAuthority: "/sa/ca.crt"), origin: origin)],
            users: [KubeConfig.NamedUser(name: name, user: KubeConfig.User(tokenFile: "/sa/token"), origin: origin)],
            contexts: [KubeConfig.NamedContext(name: name, context: KubeConfig.Context(
                cluster: name, user: name, namespace: "apps"), origin: origin)],
            currentContext: name)
        let launch = KubectlLaunch(executable: "/usr/bin/kubectl", searchPath: "/usr/bin",
                                   kubeConfig: LoadedKubeConfig(config: config, source: .inCluster(directory: "/sa")))
        let environment = try launch.environment()
        let path = try #require(environment["KUBECONFIG"])
        #expect(path.hasPrefix(try KubectlLaunch.privateHome.get()))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("server: https://10.0.0.1:443"))
        #expect(text.contains("certificate-authority: /sa/ca.crt"))
        #expect(text.contains("tokenFile: /sa/token"))
        #expect(text.contains("namespace: apps"))
        #expect(text.contains("current-context: in-cluster"))
        #expect(Set(environment.keys) == ["PATH", "HOME", "KUBECONFIG", "LANG", "KUBECTL_KUBERC",
                                          "KUBECTL_ENABLE_CMD_SHADOW"])
    }
}
