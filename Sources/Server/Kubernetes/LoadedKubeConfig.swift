/// A kubeconfig as the loader produced it: the merged config plus where it came from.
///
/// Plain value, safe on any thread; built once at startup and shared read-only by the tools and the client.
public struct LoadedKubeConfig: Sendable, Equatable {
    /// Which step of the lookup order produced the config.
    public enum Source: Sendable, Equatable {
        /// `--kubeconfig` or `K8S_KUBECONFIG_PATH`.
        case explicitPath(String)
        /// The files of `KUBECONFIG` that exist, merged in order.
        case kubeconfigVariable([String])
        /// `$HOME/.kube/config`.
        case homeDirectory(String)
        /// The pod's service account (`KUBERNETES_SERVICE_HOST`/`PORT` plus token and CA files in `directory`).
        case inCluster(directory: String)
    }

    /// The merged config, every entry carrying its origin file.
    public var config: KubeConfig
    public var source: Source

    public init(config: KubeConfig, source: Source) {
        self.config = config
        self.source = source
    }

    /// The files that were read, in merge order (the service-account directory for in-cluster).
    public var files: [String] {
        switch source {
        case .explicitPath(let path), .homeDirectory(let path): return [path]
        case .kubeconfigVariable(let paths): return paths
        case .inCluster(let directory): return [directory]
        }
    }

    /// One line saying where the config came from, e.g. `KUBECONFIG: /a/config, /b/config`.
    public var sourceDescription: String {
        switch source {
        case .explicitPath(let path): return "kubeconfig file \(path)"
        case .kubeconfigVariable(let paths): return "KUBECONFIG files " + paths.joined(separator: ", ")
        case .homeDirectory(let path): return "kubeconfig file \(path)"
        case .inCluster(let directory): return "in-cluster service account in \(directory)"
        }
    }

    /// `config.resolvedContext(named:)` with the namespace override applied (both nil for the defaults).
    public func resolvedContext(named name: String?, namespace: String? = nil) throws(KubeConfigError)
        -> ResolvedContext
    {
        try config.resolvedContext(named: name).overriding(namespace: namespace)
    }
}
