/// One resource the API server serves: where it lives (group, version, plural), what it is called (kind,
/// singular, short names), whether it is namespaced, and what can be done with it.
///
/// Plain value, any thread.
public struct APIResourceInfo: Sendable, Equatable, Hashable {
    public var group: String
    public var version: String
    public var kind: String
    /// The plural, as in URLs (`deployments`).
    public var plural: String
    public var singular: String
    public var shortNames: [String]
    public var namespaced: Bool
    public var verbs: [String]
    public var categories: [String]
    /// Subresource names (`status`, `scale`, `log`, ...).
    public var subresources: [String]
    /// Whether `version` is the group's preferred version.
    public var preferred: Bool

    public init(group: String, version: String, kind: String, plural: String, singular: String,
                shortNames: [String] = [], namespaced: Bool, verbs: [String] = [], categories: [String] = [],
                subresources: [String] = [], preferred: Bool = true) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.singular = singular
        self.shortNames = shortNames
        self.namespaced = namespaced
        self.verbs = verbs
        self.categories = categories
        self.subresources = subresources
        self.preferred = preferred
    }

    /// `v1` or `apps/v1`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `deployments.apps`, `pods` for the core group.
    public var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The collection path, in a namespace or cluster-wide (`/apis/apps/v1/namespaces/ns/deployments`).
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace { path += "/namespaces/\(KubeRequest.escape(namespace))" }
        path += "/\(plural)"
        if let name { path += "/\(KubeRequest.escape(name))" }
        if let subresource { path += "/\(subresource)" }
        return path
    }
}
