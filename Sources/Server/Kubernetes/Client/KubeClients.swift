import Logging

/// The clients of every kubeconfig context, created lazily on first use: tools take an optional `context`
/// and get the client, the discovery cache and the default namespace for it.
///
/// Actor; any task. Holds the loaded kubeconfig (or why it could not be loaded).
public actor KubeClients {
    /// What a tool needs to talk to one cluster.
    public struct Connection: Sendable {
        public let contextName: String
        public let client: KubeClient
        public let discovery: DiscoveryCache
        /// The namespace used when a tool is given none (`--namespace`, else the context's).
        public let defaultNamespace: String
    }

    private let kubeConfig: Result<LoadedKubeConfig, KubeConfigError>
    private let contextOverride: String?
    private let namespaceOverride: String?
    private let options: KubeClient.Options
    private let makeCredentials: @Sendable (ResolvedContext) throws(KubeError) -> any CredentialSource
    private let logger: Logger
    private var connections: [String: Connection] = [:]

    public init(kubeConfig: Result<LoadedKubeConfig, KubeConfigError>, contextOverride: String?,
                namespaceOverride: String?, options: KubeClient.Options, logger: Logger,
                makeCredentials: @escaping @Sendable (ResolvedContext) throws(KubeError) -> any CredentialSource) {
        self.kubeConfig = kubeConfig
        self.contextOverride = contextOverride.flatMap { $0.isEmpty ? nil : $0 }
        self.namespaceOverride = namespaceOverride.flatMap { $0.isEmpty ? nil : $0 }
        self.options = options
        self.logger = logger
        self.makeCredentials = makeCredentials
    }

    /// The connection for `context` (nil: the server's context — `--context`, else the kubeconfig's current).
    public func connection(context requested: String?) throws(KubeError) -> Connection {
        let loaded: LoadedKubeConfig
        switch kubeConfig {
        case .success(let value): loaded = value
        case .failure(let error): throw .configuration("no kubeconfig is loaded: \(error)")
        }
        var name = requested.flatMap { $0.isEmpty ? nil : $0 } ?? contextOverride
        // Naming the server's own context explicitly shares its client (one connection pool, one discovery cache).
        let serverContext = contextOverride ?? loaded.config.currentContext
        let isServerContext = name == nil || name == serverContext
        if isServerContext { name = contextOverride }
        let key = isServerContext ? "" : name ?? ""
        if let existing = connections[key] { return existing }
        let resolved: ResolvedContext
        do {
            // --namespace applies to the server's own context only; other contexts keep theirs.
            let namespace = isServerContext ? namespaceOverride : nil
            resolved = try loaded.resolvedContext(named: name, namespace: namespace)
        } catch {
            let known = loaded.config.contexts.map(\.name).joined(separator: ", ")
            throw .configuration("\(error) (contexts in the kubeconfig: \(known))")
        }
        let client = KubeClient(context: resolved, credentials: try makeCredentials(resolved), options: options,
                                logger: logger)
        let connection = Connection(contextName: resolved.contextName, client: client,
                                    discovery: client.discovery, defaultNamespace: resolved.namespace)
        connections[key] = connection
        logger.debug("k8s.client.created", metadata: ["k8s.context": "\(resolved.contextName)"])
        return connection
    }
}
