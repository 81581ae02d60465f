import Foundation

/// How the kubectl tool starts kubectl: the executable found on the server's `PATH`, the kubeconfig files the
/// server loaded, and a minimal environment with a private home directory.
///
/// Immutable; any thread. The child sees only `PATH`, `HOME` (a directory of its own, created once per server
/// process with mode 0700, which also holds kubectl's discovery cache), `KUBECONFIG`, `LANG=C` and the two
/// switches that keep kubectl from reading preference files (`KUBECTL_KUBERC=false`) or running subcommand
/// plugins (`KUBECTL_ENABLE_CMD_SHADOW=false`); nothing else of the server's environment, so tokens in the
/// server's environment do not reach it. Exec credential plugins named in the kubeconfig see the same
/// environment plus what their `exec.env` sets.
struct KubectlLaunch: Sendable, Equatable {
    /// The absolute path of kubectl.
    var executable: String
    /// The server's `PATH`, for kubectl's exec credential plugins and `diff`.
    var searchPath: String
    /// The kubeconfig files, in merge order; empty for an in-cluster service account (a generated file is used).
    var kubeconfigFiles: [String]
    /// The in-cluster service account as a kubeconfig, when that is the server's source.
    var inClusterConfig: KubeConfig?

    /// Finds kubectl on `environment["PATH"]`; nil when it is not there.
    static func locate(environment: [String: String]) -> String? {
        UVProcess.locate("kubectl", baseDirectory: nil, environment: environment)
    }

    init(executable: String, searchPath: String, kubeConfig: LoadedKubeConfig?) {
        self.executable = executable
        self.searchPath = searchPath
        switch kubeConfig?.source {
        case .inCluster:
            kubeconfigFiles = []
            inClusterConfig = kubeConfig?.config
        case .some:
            kubeconfigFiles = kubeConfig?.files ?? []
            inClusterConfig = nil
        case nil:
            kubeconfigFiles = []
            inClusterConfig = nil
        }
    }

    /// Why the environment could not be prepared.
    struct Failure: Error, Sendable, Equatable {
        var message: String
    }

    /// The child's whole environment; creates the private home (once) and, in-cluster, its kubeconfig file.
    func environment() throws(Failure) -> [String: String] {
        let home = try Self.privateHome.get()
        var files = kubeconfigFiles
        if let inClusterConfig {
            files = [try Self.writeInClusterKubeconfig(inClusterConfig, home: home)]
        }
        return [
            "PATH": searchPath,
            "HOME": home,
            "KUBECONFIG": files.joined(separator: ":"),
            "LANG": "C",
            "KUBECTL_KUBERC": "false",
            "KUBECTL_ENABLE_CMD_SHADOW": "false",
        ]
    }

    /// The private home directory, made once with `mkdtemp` (mode 0700) under the temporary directory on first
    /// use, and removed with its contents (kubectl's cache) when the process exits normally.
    static let privateHome: Result<String, Failure> = {
        let base = NSTemporaryDirectory()
        let template = (base.hasSuffix("/") ? base : base + "/") + "kube-mcp-kubectl-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = bytes.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            return .failure(Failure(message: "could not create a private directory for kubectl under \(base): "
                                    + String(cString: strerror(errno))))
        }
        atexit { KubectlLaunch.removePrivateHome() }
        return .success(String(cString: made))
    }()

    /// Removes the private home directory; registered with `atexit` once it exists.
    private static func removePrivateHome() {
        guard case .success(let path) = privateHome else { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes the in-cluster config (server, CA file, token file, namespace) as `in-cluster.kubeconfig` in `home`.
    private static func writeInClusterKubeconfig(_ config: KubeConfig, home: String) throws(Failure) -> String {
        let path = home + "/in-cluster.kubeconfig"
        var clusters: [JSONValue] = []
        for named in config.clusters {
            var cluster = JSONObject()
            if let server = named.cluster.server { cluster["server"] = .string(server) }
            if let ca = named.cluster.certificateAuthority { cluster["certificate-authority"] = .string(ca) }
            clusters.append(["name": .string(named.name), "cluster": .object(cluster)])
        }
        var users: [JSONValue] = []
        for named in config.users {
            var user = JSONObject()
            if let tokenFile = named.user.tokenFile { user["tokenFile"] = .string(tokenFile) }
            users.append(["name": .string(named.name), "user": .object(user)])
        }
        var contexts: [JSONValue] = []
        for named in config.contexts {
            var context = JSONObject()
            if let cluster = named.context.cluster { context["cluster"] = .string(cluster) }
            if let user = named.context.user { context["user"] = .string(user) }
            if let namespace = named.context.namespace { context["namespace"] = .string(namespace) }
            contexts.append(["name": .string(named.name), "context": .object(context)])
        }
        let document: JSONValue = [
            "apiVersion": "v1", "kind": "Config", "clusters": .array(clusters), "users": .array(users),
            "contexts": .array(contexts), "current-context": .string(config.currentContext ?? ""),
        ]
        let data = Data(YAMLWriter.encode(document))
        guard FileManager.default.createFile(atPath: path, contents: data,
                                             attributes: [.posixPermissions: 0o600]) else {
            throw Failure(message: "could not write \(path)")
        }
        return path
    }
}
