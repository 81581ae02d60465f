import Foundation

/// `resources/read` for each `k8s://` form: the context list and a context's summary (from the kubeconfig plus
/// a few live reads), an object as redacted YAML, a pod's log as text.
///
/// Plain extension; any task (runs off the loop).
extension KubeResourceProvider {
    public func read(uri: String) async throws -> [ResourceContents]? {
        guard let parsed = try Self.parse(uri) else { return nil }
        let text: String
        let mimeType: String
        switch parsed {
        case .contexts:
            (text, mimeType) = (try readContexts(), Self.yaml)
        case .context(let context):
            (text, mimeType) = (try await readContext(context, uri: uri), Self.yaml)
        case .object(let context, let namespace, let resource, let name):
            (text, mimeType) = (try await readObject(context: context, namespace: namespace, resource: resource,
                                                     name: name, uri: uri), Self.yaml)
        case .log(let context, let namespace, let pod, let options):
            (text, mimeType) = (try await readLog(context: context, namespace: namespace, pod: pod, options: options,
                                                  uri: uri), "text/plain")
        }
        return [ResourceContents(uri: uri, mimeType: mimeType, text: text)]
    }

    /// The context the server uses when a tool names none.
    var serverContext: String? {
        guard case .success(let loaded) = kubeConfig else { return nil }
        return contextOverride ?? loaded.config.currentContext
    }

    func readContexts() throws(JSONRPCError) -> String {
        let config: KubeConfig
        switch kubeConfig {
        case .success(let loaded): config = loaded.config
        case .failure(let error):
            throw JSONRPCError.internalError("no kubeconfig is loaded, so there are no contexts: \(error)")
        }
        let current = serverContext
        var document = JSONObject()
        if let current { document["currentContext"] = .string(current) }
        document["contexts"] = .array(config.contexts.sorted { $0.name < $1.name }.map { named in
            contextFacts(named, config: config, current: current)
        })
        return YAMLWriter.string(.object(document))
    }

    /// What the kubeconfig says of one context, without credentials.
    private func contextFacts(_ named: KubeConfig.NamedContext, config: KubeConfig, current: String?) -> JSONValue {
        let clusterName = named.context.cluster ?? ""
        var o = JSONObject([("name", .string(named.name)), ("current", .bool(named.name == current))])
        o["cluster"] = .string(clusterName)
        o["server"] = .string(Self.safeServerURL(config.cluster(named: clusterName)?.cluster.server ?? ""))
        o["namespace"] = .string(named.context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default")
        if let user = named.context.user { o["user"] = .string(user) }
        o["uri"] = .string(KubeResourceURI.context(named.name).string)
        return .object(o)
    }

    /// A server URL without user information, query or fragment (they may carry credentials).
    static func safeServerURL(_ raw: String) -> String {
        guard !raw.isEmpty else { return "" }
        guard var components = URLComponents(string: raw) else { return "(unparseable URL)" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? "(unparseable URL)"
    }

    func readContext(_ context: String, uri: String) async throws(JSONRPCError) -> String {
        guard case .success(let loaded) = kubeConfig,
            let named = loaded.config.contexts.first(where: { $0.name == context })
        else {
            throw Self.notFound(uri, "the kubeconfig has no context \"\(context)\" (see k8s://contexts)")
        }
        guard case .object(var o) = contextFacts(named, config: loaded.config, current: serverContext) else {
            return ""
        }
        let connection = try await connection(context, uri: uri)
        o["namespace"] = .string(connection.defaultNamespace)
        // Three independent reads; each failure is reported in place.
        async let versionCall = Self.attempt { () async throws(KubeError) -> JSONValue in
            try await connection.client.send(KubeRequest(path: "/version",
                                                         timeoutMilliseconds: KubeNames.lookupTimeoutMilliseconds)).json()
        }
        async let nodesCall = Self.attempt { () async throws(KubeError) -> JSONValue in
            try await connection.client.send(KubeRequest(path: APIResourceInfo.nodes.path(),
                                                         timeoutMilliseconds: KubeNames.lookupTimeoutMilliseconds)).json()
        }
        async let namespacesCall = Self.attempt { () async throws(KubeError) -> [String] in
            try await KubeNames.names(connection, .namespaces, namespace: nil)
        }
        switch await versionCall {
        case .success(let version):
            o["kubernetes"] = ["version": .string(version["gitVersion"]?.stringValue ?? "unknown"),
                               "platform": .string(version["platform"]?.stringValue ?? "unknown")]
        case .failure(let error):
            o["kubernetes"] = ["error": .string("\(error)")]
        }
        switch await nodesCall {
        case .success(let list):
            let nodes = list["items"]?.arrayValue ?? []
            o["nodes"] = ["total": .int(nodes.count), "ready": .int(nodes.filter(ClusterInfoTool.isReady).count)]
        case .failure(let error):
            o["nodes"] = ["error": .string("\(error)")]
        }
        switch await namespacesCall {
        case .success(let names):
            o["namespaces"] = ["count": .int(names.count),
                               "uri": .string("k8s://\(KubeResourceURI.encode(context))/_cluster/namespaces/{name}")]
        case .failure(let error):
            o["namespaces"] = ["error": .string("\(error)")]
        }
        return YAMLWriter.string(.object(o))
    }

    static func attempt<T: Sendable>(_ body: @Sendable () async throws(KubeError) -> T) async -> Result<T, KubeError> {
        do throws(KubeError) {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }

    func readObject(context: String, namespace: String?, resource: String, name: String, uri: String)
        async throws(JSONRPCError) -> String
    {
        let connection = try await connection(context, uri: uri)
        let info = try await resolve(resource, namespace: namespace, context: context, connection: connection, uri: uri)
        let object: JSONValue
        do throws(KubeError) {
            object = try await connection.get(info, name: name, namespace: namespace)
        } catch {
            throw Self.rpcError(error, uri: uri)
        }
        let settings = environment.output
        let formatted = ResultFormatter(format: .yaml, maxBytes: settings.maxBytes,
                                        redaction: KubeRedaction(showSecrets: settings.showSecrets), now: Date())
            .render(object)
        // Notes (cuts, redactions) as YAML comments, so that the text stays one valid YAML document.
        let comments = formatted.notes.flatMap { $0.split(separator: "\n") }.map { "# \($0)\n" }.joined()
        return comments + formatted.body
    }

    func readLog(context: String, namespace: String, pod: String, options query: KubeResourceURI.LogQuery, uri: String)
        async throws(JSONRPCError) -> String
    {
        let connection = try await connection(context, uri: uri)
        let options = KubeClients.Connection.LogOptions(
            container: query.container, tailLines: query.tail ?? KubeResourceURI.defaultTailLines,
            previous: query.previous, limitBytes: Self.maxLogBytes)
        do throws(KubeError) {
            let bytes = try await connection.logs(pod: pod, namespace: namespace, options: options)
            return String(decoding: bytes, as: UTF8.self)
        } catch {
            throw Self.rpcError(error, uri: uri)
        }
    }
}
