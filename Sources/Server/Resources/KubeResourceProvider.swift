/// Kubernetes as MCP resources under `k8s://` (grammar in `KubeResourceURI`): the kubeconfig's contexts, a
/// summary per context and the namespaces of the server's context are listed; templates cover any object, any
/// cluster-scoped object and pod logs; reads return redacted YAML (Secret values REDACTED unless
/// `--show-secrets`, no managedFields) or log text; object URIs can be subscribed (a watch per subscription).
///
/// Immutable and `Sendable`; its methods run off the loop. Every API request goes through the context's
/// `KubeClient`, so the request policy (read-only, denied resources, allowed namespaces) applies to it as to
/// any tool.
public struct KubeResourceProvider: ResourceProvider {
    public static let yaml = "application/yaml"
    /// Namespaces listed by `resources/list` at most.
    public static let maxListedNamespaces = 500
    /// Contexts listed by `resources/list` at most.
    public static let maxListedContexts = 500
    /// The most log bytes one read returns.
    public static let maxLogBytes = 256 * 1024

    public static let contextTemplate = "k8s://{context}"
    public static let objectTemplate = "k8s://{context}/{namespace}/{resource}/{name}"
    public static let clusterObjectTemplate = "k8s://{context}/_cluster/{resource}/{name}"
    public static let logTemplate = "k8s://{context}/{namespace}/pods/{name}/log{?container,tail,previous}"

    let environment: KubeToolEnvironment
    let kubeConfig: Result<LoadedKubeConfig, KubeConfigError>
    /// `--context`: the context the server uses instead of `current-context`.
    let contextOverride: String?
    let names: KubeNames

    public init(environment: KubeToolEnvironment, kubeConfig: Result<LoadedKubeConfig, KubeConfigError>,
                contextOverride: String?, names: KubeNames) {
        self.environment = environment
        self.kubeConfig = kubeConfig
        self.contextOverride = contextOverride.flatMap { $0.isEmpty ? nil : $0 }
        self.names = names
    }

    // MARK: Lists

    public var templates: [ResourceTemplateDefinition] {
        [
            ResourceTemplateDefinition(
                uriTemplate: Self.objectTemplate, name: "kubernetes-object", title: "Kubernetes object",
                description: """
                    Any namespaced object as YAML (Secret values redacted, no managedFields). {resource} is a plural, \
                    singular, kind or short name, optionally with its group: pods, deploy, Service, \
                    deployments.apps. Subscribe to be told when it changes.
                    """,
                mimeType: Self.yaml),
            ResourceTemplateDefinition(
                uriTemplate: Self.clusterObjectTemplate, name: "kubernetes-cluster-object",
                title: "Kubernetes cluster-scoped object",
                description: """
                    Any cluster-scoped object (nodes, namespaces, clusterroles, CRDs, ...) as YAML; _cluster stands \
                    where a namespace would be. Subscribe to be told when it changes.
                    """,
                mimeType: Self.yaml),
            ResourceTemplateDefinition(
                uriTemplate: Self.logTemplate, name: "kubernetes-pod-log", title: "Pod log",
                description: """
                    The last lines of a pod's log as text (default \(KubeResourceURI.defaultTailLines) lines, at most \
                    \(Self.maxLogBytes / 1024) KiB). container is required when the pod has several; previous=true \
                    reads the last terminated run (a crash).
                    """,
                mimeType: "text/plain"),
            ResourceTemplateDefinition(
                uriTemplate: Self.contextTemplate, name: "kubernetes-context", title: "Kubernetes context",
                description: "One kubeconfig context: API server, default namespace, Kubernetes version, node and "
                    + "namespace counts.",
                mimeType: Self.yaml),
        ]
    }

    public func list() async -> [ResourceDefinition] {
        var resources = [ResourceDefinition(
            uri: KubeResourceURI.contexts.string, name: "kubernetes-contexts", title: "Kubeconfig contexts",
            description: "The kubeconfig's contexts with their API servers and namespaces; the server's is marked.",
            mimeType: Self.yaml)]
        guard case .success(let loaded) = kubeConfig else { return resources }
        for context in loaded.config.contexts.map(\.name).sorted().prefix(Self.maxListedContexts) {
            resources.append(ResourceDefinition(
                uri: KubeResourceURI.context(context).string, name: context, title: "Context \(context)",
                description: "API server, default namespace, Kubernetes version and counts of the context \(context).",
                mimeType: Self.yaml))
        }
        guard let connection = try? await environment.clients.connection(context: nil) else { return resources }
        let context = connection.contextName
        for namespace in await names.namespaces(context: context).sorted().prefix(Self.maxListedNamespaces) {
            resources.append(ResourceDefinition(
                uri: KubeResourceURI.objectURI(context: context, namespace: nil, resource: "namespaces", name: namespace),
                name: namespace, title: "Namespace \(namespace)",
                description: "The namespace \(namespace) of context \(context). Its objects: "
                    + "k8s://\(KubeResourceURI.encode(context))/\(namespace)/{resource}/{name}",
                mimeType: Self.yaml))
        }
        return resources
    }

    // MARK: Completion

    public func complete(template: String, argument: String, prefix: String, context: [String: String]) async
        -> [String]
    {
        let contextName = context["context"].flatMap { $0.isEmpty ? nil : $0 }
        switch argument {
        case "context":
            return KubeNames.matching(names.contexts(), prefix: prefix)
        case "namespace":
            return KubeNames.matching(await names.namespaces(context: contextName), prefix: prefix)
        case "resource":
            return await names.resourceTypes(context: contextName, namespaced: template != Self.clusterObjectTemplate,
                                             prefix: prefix)
        case "name":
            let resource = template == Self.logTemplate ? "pods" : context["resource"]
            guard let resource, !resource.isEmpty else { return [] }
            let namespace = template == Self.clusterObjectTemplate ? nil : context["namespace"]
            return KubeNames.matching(await names.objectNames(context: contextName, namespace: namespace,
                                                              resource: resource), prefix: prefix)
        case "container":
            guard let pod = context["name"], !pod.isEmpty else { return [] }
            return KubeNames.matching(await names.containers(context: contextName, namespace: context["namespace"],
                                                             pod: pod), prefix: prefix)
        case "previous":
            return KubeNames.matching(["false", "true"], prefix: prefix)
        default:
            return []
        }
    }

    // MARK: Errors

    /// Parses a URI, turning a malformed one into `-32602`.
    static func parse(_ uri: String) throws(JSONRPCError) -> KubeResourceURI? {
        do {
            return try KubeResourceURI.parse(uri)
        } catch {
            throw .invalidParams("invalid k8s:// URI \(uri): \(error.message)")
        }
    }

    /// `-32002` (resource not found) with the URI, as the handshake revisions define it.
    static func notFound(_ uri: String, _ why: String) -> JSONRPCError {
        JSONRPCError(code: JSONRPCError.resourceNotFoundCode, message: "Resource not found: \(why)",
                     data: ["uri": .string(uri)])
    }

    /// A Kubernetes failure as a JSON-RPC error: a missing object is "not found", a request the API server or
    /// the server's own rules refuse is invalid params, anything else (unreachable, 403, 5xx) an internal error;
    /// every message says why.
    static func rpcError(_ error: KubeError, uri: String) -> JSONRPCError {
        switch error {
        case .status(let status) where status.code == 404:
            return notFound(uri, status.message)
        case .status(let status) where status.code == 400 || status.code == 422:
            return .invalidParams("\(uri): \(status.message)")
        case .configuration(let message):
            return .invalidParams("\(uri): \(message)")
        case .refused:
            // A guard rail (--read-only, --denied-resources, --allowed-namespaces) refused the read.
            return .invalidParams("\(uri): \(error)")
        default:
            return .internalError("reading \(uri) failed: \(error)")
        }
    }

    /// The connection of a URI's context; an unknown context is "not found".
    func connection(_ context: String, uri: String) async throws(JSONRPCError) -> KubeClients.Connection {
        if case .success(let loaded) = kubeConfig, !loaded.config.contexts.contains(where: { $0.name == context }) {
            throw Self.notFound(uri, "the kubeconfig has no context \"\(context)\" (see k8s://contexts)")
        }
        do throws(KubeError) {
            // The server's own context shares the tools' client (one connection pool, one discovery cache).
            return try await environment.clients.connection(context: context == serverContext ? nil : context)
        } catch {
            throw Self.rpcError(error, uri: uri)
        }
    }

    /// The resource type a URI names, checked against the URI's scope; an unknown type is "not found".
    func resolve(_ resource: String, namespace: String?, context: String, connection: KubeClients.Connection,
                 uri: String) async throws(JSONRPCError) -> APIResourceInfo {
        let info: APIResourceInfo
        do throws(KubeError) {
            info = try await connection.discovery.resolve(resource)
        } catch .configuration(let message) {
            throw Self.notFound(uri, message)
        } catch {
            throw Self.rpcError(error, uri: uri)
        }
        let encodedContext = KubeResourceURI.encode(context)
        if info.namespaced && namespace == nil {
            throw .invalidParams("\(info.qualifiedPlural) are namespaced: use "
                                 + "k8s://\(encodedContext)/{namespace}/\(resource)/{name}")
        }
        if !info.namespaced && namespace != nil {
            throw .invalidParams("\(info.qualifiedPlural) are cluster-scoped: use "
                                 + "k8s://\(encodedContext)/\(KubeResourceURI.clusterSegment)/\(resource)/{name}")
        }
        return info
    }
}
