/// The API operations tools use, on one connection: get, list (selectors, paging, server-side Table),
/// logs, create, update, patch (merge, JSON, strategic, server-side apply), delete, subresources.
///
/// Plain extension; any task. Responses are decoded in the calling task (off the event loop).
extension KubeClients.Connection {
    /// `Accept` for a server-side Table, with plain JSON as the fallback when the server has none.
    public static let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"

    /// The namespace to use: the one given, else the connection's default (namespaced resources only).
    public func namespace(for resource: APIResourceInfo, _ given: String?) -> String? {
        guard resource.namespaced else { return nil }
        if let given, !given.isEmpty { return given }
        return defaultNamespace
    }

    public func get(_ resource: APIResourceInfo, name: String, namespace: String?) async throws(KubeError) -> JSONValue {
        try await client.send(KubeRequest(path: resource.path(namespace: self.namespace(for: resource, namespace),
                                                              name: name))).json()
    }

    /// Options of a list call.
    public struct ListOptions: Sendable {
        public var labelSelector: String?
        public var fieldSelector: String?
        public var limit: Int?
        public var continueToken: String?
        public var asTable = false

        public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil,
                    continueToken: String? = nil, asTable: Bool = false) {
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
            self.limit = limit
            self.continueToken = continueToken
            self.asTable = asTable
        }

        var query: [(String, String)] {
            var q: [(String, String)] = []
            if let labelSelector, !labelSelector.isEmpty { q.append(("labelSelector", labelSelector)) }
            if let fieldSelector, !fieldSelector.isEmpty { q.append(("fieldSelector", fieldSelector)) }
            if let limit { q.append(("limit", String(limit))) }
            if let continueToken, !continueToken.isEmpty { q.append(("continue", continueToken)) }
            return q
        }
    }

    /// Lists in one namespace, or across all when `namespace` is nil (or the resource is cluster-scoped).
    /// Under `--allowed-namespaces` "all" means each allowed namespace, and Namespaces are only the allowed ones.
    public func list(_ resource: APIResourceInfo, namespace: String?, options: ListOptions = ListOptions())
        async throws(KubeError) -> JSONValue
    {
        let ns = resource.namespaced ? namespace.flatMap { $0.isEmpty ? nil : $0 } : nil
        let allowed = client.options.policy.allowedNamespaces
        if !allowed.isEmpty, resource.namespaced, ns == nil {
            return try await listNarrowed(resource, namespaces: allowed, options: options)
        }
        let request = KubeRequest(path: resource.path(namespace: ns), query: options.query,
                                  accept: options.asTable ? Self.tableAccept : "application/json")
        let document = try await client.send(request).json()
        if !allowed.isEmpty, resource.group.isEmpty, resource.plural == "namespaces" {
            return NarrowedList.keepNamespaces(allowed, in: document)
        }
        return document
    }

    /// Options of a log read.
    public struct LogOptions: Sendable {
        public var container: String?
        public var tailLines: Int?
        public var sinceSeconds: Int?
        public var previous = false
        public var timestamps = false
        public var limitBytes: Int?

        public init(container: String? = nil, tailLines: Int? = nil, sinceSeconds: Int? = nil, previous: Bool = false,
                    timestamps: Bool = false, limitBytes: Int? = nil) {
            self.container = container
            self.tailLines = tailLines
            self.sinceSeconds = sinceSeconds
            self.previous = previous
            self.timestamps = timestamps
            self.limitBytes = limitBytes
        }

        var query: [(String, String)] {
            var q: [(String, String)] = []
            if let container, !container.isEmpty { q.append(("container", container)) }
            if let tailLines { q.append(("tailLines", String(tailLines))) }
            if let sinceSeconds { q.append(("sinceSeconds", String(sinceSeconds))) }
            if previous { q.append(("previous", "true")) }
            if timestamps { q.append(("timestamps", "true")) }
            if let limitBytes { q.append(("limitBytes", String(limitBytes))) }
            return q
        }
    }

    /// A pod's log text (the `log` subresource).
    public func logs(pod: String, namespace: String?, options: LogOptions) async throws(KubeError) -> [UInt8] {
        let ns = namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
        let path = "/api/v1/namespaces/\(KubeRequest.escape(ns))/pods/\(KubeRequest.escape(pod))/log"
        return try await client.send(KubeRequest(path: path, query: options.query, accept: "text/plain, */*")).body
    }

    /// Creates an object from its JSON; with `dryRun` the server validates and answers without storing it.
    public func create(_ resource: APIResourceInfo, namespace: String?, object: JSONValue, dryRun: Bool = false)
        async throws(KubeError) -> JSONValue
    {
        try await client.send(KubeRequest(method: "POST", path: resource.path(namespace: self.namespace(for: resource, namespace)),
                                          query: dryRun ? [("dryRun", "All")] : [],
                                          contentType: "application/json", body: JSONWriter.encode(object))).json()
    }

    /// Replaces an object (its `metadata.resourceVersion` makes the update conditional).
    public func update(_ resource: APIResourceInfo, name: String, namespace: String?, object: JSONValue)
        async throws(KubeError) -> JSONValue
    {
        try await client.send(KubeRequest(method: "PUT",
                                          path: resource.path(namespace: self.namespace(for: resource, namespace), name: name),
                                          contentType: "application/json", body: JSONWriter.encode(object))).json()
    }

    /// The patch flavours the API server accepts.
    public enum PatchType: String, Sendable {
        case merge = "application/merge-patch+json"
        case json = "application/json-patch+json"
        case strategicMerge = "application/strategic-merge-patch+json"
        case apply = "application/apply-patch+yaml"
    }

    /// Patches an object (or a subresource); `apply` is server-side apply with field manager `kube-mcp`.
    public func patch(_ resource: APIResourceInfo, name: String, namespace: String?, type: PatchType, body: [UInt8],
                      subresource: String? = nil, force: Bool = false, dryRun: Bool = false) async throws(KubeError)
        -> JSONValue
    {
        var query: [(String, String)] = []
        if type == .apply {
            query.append(("fieldManager", "kube-mcp"))
            if force { query.append(("force", "true")) }
        }
        if dryRun { query.append(("dryRun", "All")) }
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name, subresource: subresource)
        return try await client.send(KubeRequest(method: "PATCH", path: path, query: query, contentType: type.rawValue,
                                                 body: body)).json()
    }

    /// Deletes an object with a propagation policy (`Background`, `Foreground`, `Orphan`) and grace period.
    public func delete(_ resource: APIResourceInfo, name: String, namespace: String?, propagationPolicy: String? = nil,
                       gracePeriodSeconds: Int? = nil) async throws(KubeError) -> JSONValue
    {
        var options = JSONObject([("kind", "DeleteOptions"), ("apiVersion", "v1")])
        if let propagationPolicy { options["propagationPolicy"] = .string(propagationPolicy) }
        if let gracePeriodSeconds { options["gracePeriodSeconds"] = .int(gracePeriodSeconds) }
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name)
        return try await client.send(KubeRequest(method: "DELETE", path: path, contentType: "application/json",
                                                 body: JSONWriter.encode(.object(options)))).json()
    }

    /// Reads a subresource (`status`, `scale`).
    public func getSubresource(_ resource: APIResourceInfo, name: String, namespace: String?, subresource: String)
        async throws(KubeError) -> JSONValue
    {
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name, subresource: subresource)
        return try await client.send(KubeRequest(path: path)).json()
    }

    /// Evicts a pod (policy/v1 Eviction), which honours PodDisruptionBudgets.
    public func evict(pod: String, namespace: String?) async throws(KubeError) -> JSONValue {
        let ns = namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
        let body: JSONValue = ["apiVersion": "policy/v1", "kind": "Eviction",
                               "metadata": ["name": .string(pod), "namespace": .string(ns)]]
        let path = "/api/v1/namespaces/\(KubeRequest.escape(ns))/pods/\(KubeRequest.escape(pod))/eviction"
        return try await client.send(KubeRequest(method: "POST", path: path, contentType: "application/json",
                                                 body: JSONWriter.encode(body))).json()
    }
}
