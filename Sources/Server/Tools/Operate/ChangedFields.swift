/// The field paths that differ between an object before and after a write, for "configured" answers:
/// `spec.replicas`, `spec.template.spec.containers[name=web].image`, `metadata.labels["app.kubernetes.io/name"]`.
///
/// Stateless; any thread. Fields the server maintains on every write are ignored (`metadata.managedFields`,
/// `resourceVersion`, `generation`, `uid`, `creationTimestamp`, and all of `status`), so that applying the same
/// manifest twice reports no change. Only paths come out, never values (a Secret's data stays unseen).
enum ChangedFields {
    /// Members of `metadata` that change on every write or never come from a manifest.
    static let ignoredMetadata: Set<String> = ["managedFields", "resourceVersion", "generation", "uid",
                                               "creationTimestamp", "selfLink"]

    /// Every path where `before` and `after` differ, in document order.
    static func paths(before: JSONValue, after: JSONValue) -> [String] {
        var out: [String] = []
        guard case .object(let b) = before, case .object(let a) = after else {
            return before == after ? [] : ["(the whole object)"]
        }
        for key in unionKeys(b, a) where key != "status" {
            let path = segment(key, first: true)
            if key == "metadata", case .object(let bm)? = b[key], case .object(let am)? = a[key] {
                for mkey in unionKeys(bm, am) where !ignoredMetadata.contains(mkey) {
                    diff(bm[mkey], am[mkey], path: path + segment(mkey, first: false), into: &out)
                }
            } else {
                diff(b[key], a[key], path: path, into: &out)
            }
        }
        return out
    }

    private static func diff(_ before: JSONValue?, _ after: JSONValue?, path: String, into out: inout [String]) {
        if before == after { return }
        switch (before, after) {
        case (.object(let b)?, .object(let a)?):
            for key in unionKeys(b, a) {
                diff(b[key], a[key], path: path + segment(key, first: false), into: &out)
            }
        case (.array(let b)?, .array(let a)?):
            if let bNames = names(b), let aNames = names(a) {
                // Lists of named elements (containers, ports, env, volumes) are matched by name.
                var order = bNames
                for n in aNames where !order.contains(n) { order.append(n) }
                for n in order {
                    let bi = bNames.firstIndex(of: n).map { b[$0] }
                    let ai = aNames.firstIndex(of: n).map { a[$0] }
                    diff(bi, ai, path: path + "[name=\(n)]", into: &out)
                }
            } else if b.count == a.count {
                for i in b.indices { diff(b[i], a[i], path: path + "[\(i)]", into: &out) }
            } else {
                out.append(path)
            }
        default:
            out.append(path)
        }
    }

    /// The `name` of every element when all are objects with distinct names, else nil.
    private static func names(_ elements: [JSONValue]) -> [String]? {
        var out: [String] = []
        for element in elements {
            guard let n = element["name"]?.stringValue, !out.contains(n) else { return nil }
            out.append(n)
        }
        return out
    }

    private static func unionKeys(_ b: JSONObject, _ a: JSONObject) -> [String] {
        var keys = b.keys
        for k in a.keys where b[k] == nil { keys.append(k) }
        return keys
    }

    /// `.name`, or `["app.kubernetes.io/name"]` for keys that are not plain identifiers.
    private static func segment(_ key: String, first: Bool) -> String {
        let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        if plain { return first ? key : "." + key }
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "[\"\(escaped)\"]"
    }
}
