/// Finds the resource a person means: by kind (`Deployment`), plural (`deployments`), singular
/// (`deployment`), short name (`deploy`), any of those qualified by group (`deployments.apps`) or by
/// version and group (`deployment.v1.apps`), or by `apiVersion` + `kind` as in a manifest.
///
/// Immutable value built from discovery; any thread. When several groups serve the same name, the core
/// group wins, then the well-known built-in groups, then the rest in discovery order — as kubectl does.
public struct RESTMapper: Sendable {
    public let resources: [APIResourceInfo]

    public init(resources: [APIResourceInfo]) {
        self.resources = resources
    }

    /// Resolves a name as typed on a kubectl command line.
    public func resolve(_ raw: String) -> APIResourceInfo? {
        let text = raw.lowercased()
        var name = text
        var group: String?
        var version: String?
        if let dot = text.firstIndex(of: ".") {
            name = String(text[..<dot])
            let rest = String(text[text.index(after: dot)...])
            // deployment.v1.apps → version v1, group apps; deployments.apps → group apps.
            if let secondDot = rest.firstIndex(of: "."), Self.looksLikeVersion(String(rest[..<secondDot])) {
                version = String(rest[..<secondDot])
                group = String(rest[rest.index(after: secondDot)...])
            } else if Self.looksLikeVersion(rest) {
                version = rest
                group = ""
            } else {
                group = rest
            }
        }
        let candidates = resources.filter { r in
            (group == nil || r.group == group) && (version == nil || r.version == version)
                && (r.plural == name || r.singular == name || r.kind.lowercased() == name || r.shortNames.contains(name))
        }
        return best(candidates, versionGiven: version != nil)
    }

    /// Resolves `apiVersion` + `kind` (a manifest's header). The kind may also be spelled as kubectl accepts it
    /// within that group (`secrets`, `secret`, `deploy`), so a differently spelled kind finds the same resource.
    public func resolve(apiVersion: String, kind: String) -> APIResourceInfo? {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        var (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "")
        if group == "core" { group = "" }  // kubectl's name for the core group
        let lowered = kind.lowercased()
        func named(_ r: APIResourceInfo) -> Bool {
            r.kind.lowercased() == lowered || r.plural == lowered || r.singular == lowered || r.shortNames.contains(lowered)
        }
        return resources.first { $0.group == group && $0.version == version && $0.kind == kind }
            ?? resources.first { $0.group == group && $0.version == version && named($0) }
            ?? resources.first { $0.group == group && named($0) && $0.preferred }
    }

    private func best(_ candidates: [APIResourceInfo], versionGiven: Bool) -> APIResourceInfo? {
        guard !candidates.isEmpty else { return nil }
        let pool = versionGiven ? candidates : (candidates.filter(\.preferred).isEmpty ? candidates : candidates.filter(\.preferred))
        return pool.min { Self.groupRank($0.group) < Self.groupRank($1.group) } ?? pool.first
    }

    /// kubectl's preference among groups that serve the same name.
    static func groupRank(_ group: String) -> Int {
        let builtIn = ["", "apps", "batch", "autoscaling", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
                       "storage.k8s.io", "apiextensions.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
                       "events.k8s.io", "metrics.k8s.io"]
        return builtIn.firstIndex(of: group) ?? builtIn.count
    }

    static func looksLikeVersion(_ text: String) -> Bool {
        guard text.hasPrefix("v"), text.count >= 2 else { return false }
        let rest = text.dropFirst()
        guard let first = rest.first, first.isNumber else { return false }
        return rest.allSatisfy { $0.isNumber || $0.isLetter }
    }
}
