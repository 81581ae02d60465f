import Foundation
import Testing
@testable import Server

/// Credential kinds other than inline certificates, end to end against the fake: token files that rotate,
/// exec plugins, and the in-cluster service account.
@Suite(.serialized) final class FakeClusterCredentialTests {
    let cluster: FakeClusterProcess
    let tokensFile: URL

    init() throws {
        RunningLoop.ensure()
        let tokens = FileManager.default.temporaryDirectory.appendingPathComponent("kube-mcp-tokens-\(UUID().uuidString)")
        try "first-token\n".write(to: tokens, atomically: true, encoding: .utf8)
        tokensFile = tokens
        cluster = try FakeClusterProcess(extra: ["--tokens-file", tokens.path])
    }

    deinit {
        cluster.stop()
        try? FileManager.default.removeItem(at: tokensFile)
    }

    /// The generated kubeconfig's cluster section (server and CA) with a user of our choice.
    func kubeconfig(user: String) throws -> String {
        let text = try cluster.kubeconfigText()
        let server = try #require(text.split(separator: "\n").first { $0.contains("server:") })
        let ca = try #require(text.split(separator: "\n").first { $0.contains("certificate-authority-data:") })
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
            \(ca)
            \(server)
            users:
            - name: me
              user:
            \(user)
            contexts:
            - name: it
              context: {cluster: fake, user: me, namespace: shop}
            current-context: it

            """
    }

    func write(_ text: String, _ name: String, executable: Bool = false) throws -> String {
        let path = cluster.directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
        return path
    }

    @Test func tokenFileIsReadAgainAfterA401() async throws {
        let tokenFile = try write("first-token\n", "token")
        let path = try write(try kubeconfig(user: "    tokenFile: \(tokenFile)"), "kc-tokenfile")
        let connection = try await cluster.clients(kubeconfigPath: path).connection(context: nil)
        _ = try await connection.list(.pods, namespace: "shop")
        // Rotate: the server revokes the old token and accepts only the new one; the file now holds it.
        _ = try await connection.fake("POST", "/_fake/faults", ["kind": "expire-tokens"])
        try "second-token\n".write(to: tokensFile, atomically: true, encoding: .utf8)
        _ = try write("second-token\n", "token")
        let pods = try await connection.list(.pods, namespace: "shop")
        #expect(pods["items"]?.arrayValue?.isEmpty == false)
    }

    @Test func execPluginCredentialsAreUsed() async throws {
        let counter = cluster.directory.appendingPathComponent("runs").path
        let plugin = try write("""
            #!/bin/sh
            echo run >> \(counter)
            echo "$KUBERNETES_EXEC_INFO" > \(counter).info
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"first-token"}}'

            """, "plugin.sh", executable: true)
        let user = """
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: \(plugin)
                  interactiveMode: Never
            """
        let path = try write(try kubeconfig(user: user), "kc-exec")
        let connection = try await cluster.clients(kubeconfigPath: path, environment: ["PATH": "/usr/bin:/bin"])
            .connection(context: nil)
        _ = try await connection.list(.pods, namespace: "shop")
        _ = try await connection.list(.namespaces, namespace: nil)
        let runs = try String(contentsOfFile: counter, encoding: .utf8).split(separator: "\n").count
        #expect(runs == 1, "the credential is cached while it has no expiry")
        let info = try String(contentsOfFile: counter + ".info", encoding: .utf8)
        #expect(info.contains("\"kind\":\"ExecCredential\"") && info.contains("\"interactive\":false"))
    }

    @Test func inClusterServiceAccountIsUsed() async throws {
        // A service-account directory like the kubelet mounts, and the pod's environment variables.
        let directory = cluster.directory.appendingPathComponent("serviceaccount")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let text = try cluster.kubeconfigText()
        let caLine = try #require(text.split(separator: "\n").first { $0.contains("certificate-authority-data:") })
        let ca = try #require(Data(base64Encoded: String(caLine.split(separator: ":", maxSplits: 1)[1])
            .trimmingCharacters(in: .whitespaces)))
        try ca.write(to: directory.appendingPathComponent("ca.crt"))
        try "first-token".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "monitoring".write(to: directory.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        let serverLine = try #require(text.split(separator: "\n").first { $0.contains("server:") })
        let port = try #require(serverLine.split(separator: ":").last.map { String($0) })
        let environment = ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port]
        let loaded = try KubeConfigLoader.load(explicitPath: nil, environment: environment,
                                               serviceAccountDirectory: directory.path)
        let clients = KubeClients(kubeConfig: .success(loaded), contextOverride: nil, namespaceOverride: nil,
                                  options: KubeClient.Options(), logger: .init(label: "test"),
                                  makeCredentials: { context throws(KubeError) in
                                      try CredentialFactory.make(for: context, environment: environment)
                                  })
        let connection = try await clients.connection(context: nil)
        #expect(connection.defaultNamespace == "monitoring")
        let pods = try await connection.list(.pods, namespace: connection.defaultNamespace)
        #expect(pods["items"]?.arrayValue?.contains { $0["metadata"]?["name"]?.stringValue?.hasPrefix("prometheus") == true } == true)
    }
}
