import Foundation

/// What an API request path addresses, read the way kube-apiserver reads it (its `RequestInfoFactory`):
/// a non-resource path, a discovery document, or a resource (collection, object or subresource) with its
/// group, version, namespace, plural, name and subresource.
///
/// Plain value, any thread. `parse` never fails: a path the guard rails cannot read safely (empty, `.` or
/// `..` segments, bad percent escapes) is `.malformed`, and the policy refuses it.
public enum KubeAPIPath: Sendable, Equatable {
    /// `/version`, `/healthz`, `/openapi/v3`, `/metrics`: no API resource.
    case nonResource(String)
    /// `/api`, `/api/v1`, `/apis`, `/apis/apps`, `/apis/apps/v1`: discovery documents.
    case discovery
    /// A collection, an object or one of its subresources.
    case resource(KubeResourcePath)
    /// A path that is not canonical; the text says why.
    case malformed(String)

    /// Subresources of a Namespace object (`/api/v1/namespaces/<name>/status`), as kube-apiserver knows them.
    static let namespaceSubresources: Set<String> = ["status", "finalize"]

    /// Reads the path part of `raw` (anything from `?` or `#` on is ignored).
    public static func parse(_ raw: String) -> KubeAPIPath {
        let pathPart = raw.prefix { $0 != "?" && $0 != "#" }
        guard pathPart.hasPrefix("/") else { return .malformed("the path does not start with /") }
        var rawSegments = pathPart.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if rawSegments.count > 1, rawSegments.last == "" { rawSegments.removeLast() }  // one trailing slash
        if rawSegments == [""] { return .nonResource("/") }
        var segments: [String] = []
        for raw in rawSegments {
            guard !raw.isEmpty else { return .malformed("the path has an empty segment") }
            guard let decoded = String(raw).removingPercentEncoding else {
                return .malformed("the path has an invalid percent escape")
            }
            guard decoded != ".", decoded != "..", raw != ".", raw != ".." else {
                return .malformed("the path has a \".\" or \"..\" segment")
            }
            segments.append(decoded)
        }

        let group: String, version: String, rest: ArraySlice<String>
        switch segments[0] {
        case "api":
            guard segments.count > 2 else { return .discovery }
            (group, version, rest) = ("", segments[1], segments[2...])
        case "apis":
            guard segments.count > 3 else { return .discovery }
            (group, version, rest) = (segments[1], segments[2], segments[3...])
        default:
            return .nonResource(String(pathPart))
        }

        var parts = rest
        var watchPrefix = false
        if parts.first == "watch" {
            watchPrefix = true
            parts = parts.dropFirst()
        }
        guard let first = parts.first else { return .malformed("the path names no resource after /watch") }
        var namespace: String?
        if first == "namespaces", parts.count >= 2 {
            let name = parts[parts.startIndex + 1]
            namespace = name
            // /namespaces/<ns>/<resource>/... addresses a resource in <ns>; /namespaces/<ns>[/status|/finalize]
            // addresses the Namespace object itself, whose namespace is its own name.
            if parts.count > 2, !namespaceSubresources.contains(parts[parts.startIndex + 2]) {
                parts = parts.dropFirst(2)
            }
        }
        let items = Array(parts)
        return .resource(KubeResourcePath(
            group: group, version: version, namespace: namespace, resource: items[0],
            name: items.count > 1 ? items[1] : nil, subresource: items.count > 2 ? items[2] : nil,
            watchPrefix: watchPrefix))
    }
}

/// The resource part of an API path: `/apis/apps/v1/namespaces/shop/deployments/api/scale` is group `apps`,
/// version `v1`, namespace `shop`, resource `deployments`, name `api`, subresource `scale`.
///
/// Plain value, any thread. Segments are percent-decoded.
public struct KubeResourcePath: Sendable, Equatable {
    /// `""` for the core group.
    public var group: String
    public var version: String
    /// The namespace the request addresses; for a Namespace object, its own name (as kube-apiserver reads it).
    public var namespace: String?
    /// The plural as in URLs (`pods`).
    public var resource: String
    public var name: String?
    public var subresource: String?
    /// The path used the old `/watch/` prefix.
    public var watchPrefix: Bool

    public init(group: String, version: String, namespace: String? = nil, resource: String, name: String? = nil,
                subresource: String? = nil, watchPrefix: Bool = false) {
        self.group = group
        self.version = version
        self.namespace = namespace
        self.resource = resource
        self.name = name
        self.subresource = subresource
        self.watchPrefix = watchPrefix
    }

    /// `secrets` for the core group, `deployments.apps` otherwise.
    public var qualifiedResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
}
