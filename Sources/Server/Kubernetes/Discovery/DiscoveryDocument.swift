/// Reads the API server's discovery documents into `APIResourceInfo`s: the aggregated form
/// (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`, one request for everything) and the classic form
/// (`APIResourceList` per group version).
///
/// Stateless, any thread.
public enum DiscoveryDocument {
    /// The `Accept` header that asks for aggregated discovery and accepts the classic answer.
    public static let aggregatedAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
        + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

    /// True when a document is an aggregated discovery list.
    public static func isAggregated(_ document: JSONValue) -> Bool {
        document["kind"]?.stringValue == "APIGroupDiscoveryList"
    }

    /// Resources from an `APIGroupDiscoveryList` (of `/api` or `/apis`). Versions are listed preferred first.
    public static func parseAggregated(_ document: JSONValue) -> [APIResourceInfo] {
        var out: [APIResourceInfo] = []
        for group in document["items"]?.arrayValue ?? [] {
            let groupName = group["metadata"]?["name"]?.stringValue ?? ""
            for (index, version) in (group["versions"]?.arrayValue ?? []).enumerated() {
                let versionName = version["version"]?.stringValue ?? ""
                for r in version["resources"]?.arrayValue ?? [] {
                    guard let plural = r["resource"]?.stringValue else { continue }
                    let kind = r["responseKind"]?["kind"]?.stringValue ?? ""
                    out.append(APIResourceInfo(
                        group: groupName, version: versionName, kind: kind, plural: plural,
                        singular: r["singularResource"]?.stringValue ?? kind.lowercased(),
                        shortNames: strings(r["shortNames"]), namespaced: r["scope"]?.stringValue == "Namespaced",
                        verbs: strings(r["verbs"]), categories: strings(r["categories"]),
                        subresources: (r["subresources"]?.arrayValue ?? []).compactMap { $0["subresource"]?.stringValue },
                        preferred: index == 0))
                }
            }
        }
        return out
    }

    /// Resources from one classic `APIResourceList` (`/api/v1`, `/apis/apps/v1`).
    public static func parseResourceList(_ document: JSONValue, preferred: Bool) -> [APIResourceInfo] {
        let groupVersion = document["groupVersion"]?.stringValue ?? ""
        let parts = groupVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "")
        var byPlural: [String: Int] = [:]
        var out: [APIResourceInfo] = []
        for r in document["resources"]?.arrayValue ?? [] {
            guard let name = r["name"]?.stringValue else { continue }
            if let slash = name.firstIndex(of: "/") {
                // "deployments/scale": a subresource of an entry that came before.
                let parent = String(name[..<slash])
                if let i = byPlural[parent] { out[i].subresources.append(String(name[name.index(after: slash)...])) }
                continue
            }
            let kind = r["kind"]?.stringValue ?? ""
            byPlural[name] = out.count
            out.append(APIResourceInfo(
                group: group, version: version, kind: kind, plural: name,
                singular: r["singularName"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? kind.lowercased(),
                shortNames: strings(r["shortNames"]), namespaced: r["namespaced"]?.boolValue ?? false,
                verbs: strings(r["verbs"]), categories: strings(r["categories"]), preferred: preferred))
        }
        return out
    }

    /// Group versions to fetch from an `APIGroupList` (`/apis`): (groupVersion path part, preferred).
    public static func groupVersions(_ document: JSONValue) -> [(groupVersion: String, preferred: Bool)] {
        var out: [(String, Bool)] = []
        for group in document["groups"]?.arrayValue ?? [] {
            let preferred = group["preferredVersion"]?["groupVersion"]?.stringValue
            for version in group["versions"]?.arrayValue ?? [] {
                guard let gv = version["groupVersion"]?.stringValue else { continue }
                out.append((gv, gv == preferred))
            }
        }
        return out
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
