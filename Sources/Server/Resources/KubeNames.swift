/// Live name lists for completion and `resources/list`: kubeconfig contexts, namespaces, resource types, object
/// names and a pod's containers, each fetched with a short deadline and reused for a few seconds.
///
/// Immutable and `Sendable`; any task. Lookups that fail answer an empty list (completion is a convenience:
/// a failure must not turn into an error the user sees while typing).
public struct KubeNames: Sendable {
    /// The deadline of each lookup request.
    public static let lookupTimeoutMilliseconds = 5_000
    /// The most objects one name lookup lists (`limit`).
    public static let maxListedNames = 500

    let clients: KubeClients
    let kubeConfig: Result<LoadedKubeConfig, KubeConfigError>
    let cache: KubeLookupCache
    /// `--context`, else the kubeconfig's current context: named explicitly, it still maps to the tools' client.
    let serverContext: String?

    public init(clients: KubeClients, kubeConfig: Result<LoadedKubeConfig, KubeConfigError>, contextOverride: String?,
                cache: KubeLookupCache = KubeLookupCache()) {
        self.clients = clients
        self.kubeConfig = kubeConfig
        self.cache = cache
        if let contextOverride, !contextOverride.isEmpty {
            serverContext = contextOverride
        } else if case .success(let loaded) = kubeConfig {
            serverContext = loaded.config.currentContext
        } else {
            serverContext = nil
        }
    }

    /// The connection for a context argument (nil or the server's own: the tools' client).
    func connection(_ context: String?) async throws(KubeError) -> KubeClients.Connection {
        try await clients.connection(context: context == serverContext ? nil : context)
    }

    /// The values that start with `prefix` (case-sensitive, as Kubernetes names are), sorted, without duplicates.
    public static func matching(_ values: [String], prefix: String) -> [String] {
        Array(Set(values.filter { $0.hasPrefix(prefix) })).sorted()
    }

    /// Every context of the kubeconfig.
    public func contexts() -> [String] {
        guard case .success(let loaded) = kubeConfig else { return [] }
        return loaded.config.contexts.map(\.name)
    }

    /// The namespaces of `context` (nil: the server's).
    public func namespaces(context: String?) async -> [String] {
        (try? await namespacesOrThrow(context: context)) ?? []
    }

    /// Like `namespaces`, but says why the list could not be read.
    public func namespacesOrThrow(context: String?) async throws(KubeError) -> [String] {
        let connection = try await connection(context)
        return try await cache.values("\(connection.contextName)\u{0}namespaces") { () async throws(KubeError) in
            try await Self.names(connection, .namespaces, namespace: nil)
        }
    }

    /// Resource types for a URI's `{resource}`: plural names of the types that can be read, namespaced or
    /// cluster-scoped; qualified (`deployments.apps`) when the prefix has a dot.
    public func resourceTypes(context: String?, namespaced: Bool, prefix: String) async -> [String] {
        guard let connection = try? await connection(context),
            let mapper = try? await connection.discovery.restMapper()
        else { return [] }
        let readable = mapper.resources.filter { $0.preferred && $0.namespaced == namespaced && $0.verbs.contains("get") }
        let values = prefix.contains(".") ? readable.map(\.qualifiedPlural) : readable.map(\.plural)
        return Self.matching(values, prefix: prefix)
    }

    /// Names of the objects of `resource` (any spelling kubectl accepts) in `namespace` (nil: the context's
    /// default namespace; ignored for cluster-scoped types).
    public func objectNames(context: String?, namespace: String?, resource: String) async -> [String] {
        guard let connection = try? await connection(context),
            let info = try? await connection.discovery.resolve(resource)
        else { return [] }
        let ns = info.namespaced ? (namespace.flatMap { $0.isEmpty ? nil : $0 } ?? connection.defaultNamespace) : nil
        let key = "\(connection.contextName)\u{0}\(ns ?? "")\u{0}\(info.qualifiedPlural)"
        return (try? await cache.values(key) { () async throws(KubeError) in
            try await Self.names(connection, info, namespace: ns)
        }) ?? []
    }

    /// The container names (init containers included) of one pod.
    public func containers(context: String?, namespace: String?, pod: String) async -> [String] {
        guard let connection = try? await connection(context) else { return [] }
        let ns = namespace.flatMap { $0.isEmpty ? nil : $0 } ?? connection.defaultNamespace
        let key = "\(connection.contextName)\u{0}\(ns)\u{0}pod-containers\u{0}\(pod)"
        return (try? await cache.values(key) { () async throws(KubeError) in
            let object = try await connection.client.send(KubeRequest(
                path: APIResourceInfo.pods.path(namespace: ns, name: pod),
                timeoutMilliseconds: Self.lookupTimeoutMilliseconds)).json()
            let spec = object["spec"]
            return ((spec?["initContainers"]?.arrayValue ?? []) + (spec?["containers"]?.arrayValue ?? []))
                .compactMap { $0["name"]?.stringValue }
        }) ?? []
    }

    /// `metadata.name` of up to `maxListedNames` objects, asking for metadata only.
    static func names(_ connection: KubeClients.Connection, _ resource: APIResourceInfo, namespace: String?)
        async throws(KubeError) -> [String]
    {
        let request = KubeRequest(
            path: resource.path(namespace: namespace), query: [("limit", String(maxListedNames))],
            accept: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json",
            timeoutMilliseconds: lookupTimeoutMilliseconds)
        let list = try await connection.client.send(request).json()
        return (list["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
    }
}
