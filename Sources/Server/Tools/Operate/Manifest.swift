/// One object of a manifest handed to `resources_create_or_update`, with where it came from for messages.
///
/// Plain value, any thread.
struct Manifest: Sendable, Equatable {
    var object: JSONObject
    /// `document 2` or `document 1, item 3` (1-based), for messages.
    var origin: String
    /// The 1-based line where the object starts, when the input was YAML.
    var line: Int?

    var apiVersion: String { object["apiVersion"]?.stringValue ?? "" }
    var kind: String { object["kind"]?.stringValue ?? "" }
    var name: String { object["metadata"]?["name"]?.stringValue ?? "" }
    var namespace: String? {
        guard let ns = object["metadata"]?["namespace"]?.stringValue, !ns.isEmpty else { return nil }
        return ns
    }

    /// Where the object is in the input, `document 2 (line 14)`.
    var place: String { line.map { "\(origin) (line \($0))" } ?? origin }

    /// What is missing for server-side apply, or nil when the object can be sent.
    var problem: String? {
        if object["apiVersion"]?.stringValue?.isEmpty ?? true { return "apiVersion is missing" }
        if object["kind"]?.stringValue?.isEmpty ?? true { return "kind is missing" }
        if object["metadata"]?.objectValue == nil { return "metadata is missing (metadata.name is required)" }
        if name.isEmpty {
            if object["metadata"]?["generateName"] != nil {
                return "metadata.name is missing; server-side apply needs a fixed name (generateName cannot be applied)"
            }
            return "metadata.name is missing"
        }
        return nil
    }
}
