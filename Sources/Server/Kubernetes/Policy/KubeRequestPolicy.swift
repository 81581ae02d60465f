/// The guard rails every Kubernetes API request passes before it is sent: `--read-only`, `--denied-resources`
/// and `--allowed-namespaces`, the second line of defence behind the tool-level restrictions.
///
/// Plain value, any thread. `refusal(method:path:resource:)` is pure apart from the `resource` lookup it calls
/// when a rule needs to know the resource's kind or scope, so every rule can be tested without a loop.
///
/// - read-only: only GET and HEAD; and not even GET of the `exec`, `attach`, `portforward` and `proxy`
///   subresources (a WebSocket upgrade is a GET).
/// - denied resources: any request for a denied group and kind, in any version, subresources, lists and
///   watches included; discovery documents stay readable.
/// - allowed namespaces: requests in other namespaces are refused, and so are requests across all namespaces
///   for a namespaced resource (the list operation narrows those itself), GETs of other Namespace objects and
///   every cluster-scoped write. Cluster-scoped reads (nodes, CRDs, discovery, `/version`) stay allowed.
public struct KubeRequestPolicy: Sendable, Equatable {
    public var readOnly: Bool
    public var deniedResources: [DeniedResource]
    /// The namespaces requests may address, in the order given; empty: every namespace.
    public var allowedNamespaces: [String]

    public init(readOnly: Bool = false, deniedResources: [DeniedResource] = [], allowedNamespaces: [String] = []) {
        self.readOnly = readOnly
        self.deniedResources = deniedResources
        self.allowedNamespaces = allowedNamespaces
    }

    /// No rule is set: requests are not even parsed.
    public var isUnrestricted: Bool { !readOnly && deniedResources.isEmpty && allowedNamespaces.isEmpty }

    /// True when `namespace` may be addressed.
    public func allows(namespace: String) -> Bool {
        allowedNamespaces.isEmpty || allowedNamespaces.contains(namespace)
    }

    /// Subresources that open a shell, a stream or a tunnel into the cluster; refused in read-only mode.
    public static let interactiveSubresources: Set<String> = ["exec", "attach", "portforward", "proxy"]

    /// The refusal for a request, or nil when every rule allows it.
    ///
    /// - Parameter resource: looks the request's resource up in discovery (nil when discovery does not know it);
    ///   called only when a rule needs the kind or the scope, never for discovery or non-resource paths.
    public func refusal(
        method rawMethod: String, path rawPath: String,
        resource: (KubeResourcePath) async throws(KubeError) -> APIResourceInfo?
    ) async throws(KubeError) -> KubeError? {
        guard !isUnrestricted else { return nil }
        let method = rawMethod.uppercased()
        let reads = method == "GET" || method == "HEAD"
        let target = KubeAPIPath.parse(rawPath)
        let shown = "\(method) \(rawPath.prefix { $0 != "?" })"

        if case .malformed(let why) = target {
            return .refused(rule: "the request policy", message: "refused: \(shown): \(why), so the server's "
                + "guard rails (\(activeFlags)) cannot check it; use a canonical API path")
        }

        // --read-only
        if readOnly {
            if !reads {
                return .refused(rule: "--read-only", message: "refused by --read-only: \(shown) would change the "
                    + "cluster and the server only reads; restart it without --read-only (MCP_READ_ONLY) to allow "
                    + "changes")
            }
            if case .resource(let r) = target, let sub = r.resource == "proxy" ? "proxy" : r.subresource,
               Self.interactiveSubresources.contains(sub)
            {
                return .refused(rule: "--read-only", message: "refused by --read-only: \(shown) opens \(sub) into "
                    + "the cluster, which is not read-only; restart the server without --read-only (MCP_READ_ONLY) "
                    + "to allow it")
            }
        }

        guard case .resource(let path) = target else {
            // Discovery and non-resource paths: readable; writes to them are cluster-scoped writes.
            if !allowedNamespaces.isEmpty, !reads {
                return clusterScopedWrite(shown)
            }
            return nil
        }

        var looked = false
        var info: APIResourceInfo?
        func lookup() async throws(KubeError) -> APIResourceInfo? {
            if !looked {
                info = try await resource(path)
                looked = true
            }
            return info
        }

        // --denied-resources: first by the plural's look, then by the kind discovery maps it to.
        if !deniedResources.isEmpty {
            let plural = path.resource.lowercased()
            var hit = deniedResources.first { $0.matches(group: path.group, plural: plural) }.map { ($0, $0.kind) }
            if hit == nil, let known = try await lookup() {
                hit = deniedResources.first { $0.matches(group: known.group, kind: known.kind) }.map { ($0, known.kind) }
            }
            if let (rule, kind) = hit {
                return .refused(rule: "--denied-resources", message: "refused by --denied-resources: \(shown) "
                    + "addresses \(path.qualifiedResource) (kind \(kind)), and \(rule) is denied in every version; "
                    + "restart the server without \(rule) in --denied-resources (MCP_DENIED_RESOURCES) to allow it")
            }
        }

        // --allowed-namespaces
        if !allowedNamespaces.isEmpty {
            let allowedList = allowedNamespaces.joined(separator: ", ")
            if !reads {
                let known = try await lookup()
                let clusterScoped = known.map { !$0.namespaced } ?? (path.group.isEmpty && path.resource == "namespaces")
                if clusterScoped { return clusterScopedWrite(shown) }
            }
            if let namespace = path.namespace {
                if !allows(namespace: namespace) {
                    let what = path.resource == "namespaces" && path.group.isEmpty
                        ? "the namespace \"\(namespace)\"" : "namespace \"\(namespace)\""
                    return .refused(rule: "--allowed-namespaces", message: "refused by --allowed-namespaces: \(shown) "
                        + "addresses \(what), which is not one of the allowed namespaces (\(allowedList)); use one "
                        + "of those, or restart the server with \(namespace) added to --allowed-namespaces "
                        + "(MCP_ALLOWED_NAMESPACES)")
                }
            } else if let known = try await lookup() {
                if known.namespaced {
                    return .refused(rule: "--allowed-namespaces", message: "refused by --allowed-namespaces: \(shown) "
                        + "addresses \(path.qualifiedResource) in every namespace, but only \(allowedList) may be "
                        + "used; give one of those namespaces")
                }
            } else {
                return .refused(rule: "--allowed-namespaces", message: "refused by --allowed-namespaces: \(shown) "
                    + "addresses \(path.qualifiedResource), which the cluster's discovery does not list, so the "
                    + "server cannot tell whether it is namespaced; give a namespace (\(allowedList))")
            }
        }
        return nil
    }

    private func clusterScopedWrite(_ shown: String) -> KubeError {
        .refused(rule: "--allowed-namespaces", message: "refused by --allowed-namespaces: \(shown) would change a "
            + "cluster-scoped resource, and while --allowed-namespaces is set only objects in "
            + "\(allowedNamespaces.joined(separator: ", ")) may change; restart the server without "
            + "--allowed-namespaces (MCP_ALLOWED_NAMESPACES) to allow it")
    }

    /// The flags in force, for messages.
    var activeFlags: String {
        var flags: [String] = []
        if readOnly { flags.append("--read-only") }
        if !deniedResources.isEmpty { flags.append("--denied-resources") }
        if !allowedNamespaces.isEmpty { flags.append("--allowed-namespaces") }
        return flags.joined(separator: ", ")
    }
}
