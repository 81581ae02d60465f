/// What server-side apply did to one object: created, configured (with the changed field paths), unchanged,
/// or failed (with the reason), as `resources_create_or_update` reports it.
///
/// Plain value, any thread. Holds names and paths only, never field values.
struct ApplyOutcome: Sendable, Equatable {
    enum Action: String, Sendable {
        case created, configured, unchanged, failed
    }

    /// The most changed paths listed per object; the rest are counted.
    static let maxListedPaths = 20

    var apiVersion: String
    var kind: String
    var name: String
    var namespace: String?
    /// kubectl's `deployment.apps/web` (or the kind when the resource was not resolved).
    var label: String
    var action: Action
    var changedFields: [String] = []
    /// Why it failed.
    var error: String?
    /// Where it is in the input (`document 2 (line 14)`), for failures.
    var place: String

    /// `deployment.apps/web configured (namespace default): spec.replicas, ...`
    func line(dryRun: Bool) -> String {
        var text = label + " " + action.rawValue
        if dryRun && action != .failed { text += " (dry run)" }
        if let namespace { text += " in namespace \(namespace)" }
        switch action {
        case .configured:
            let listed = changedFields.prefix(Self.maxListedPaths)
            text += "; changed: " + listed.joined(separator: ", ")
            if changedFields.count > listed.count { text += " and \(changedFields.count - listed.count) more" }
        case .failed:
            text += " (\(place)): " + (error ?? "unknown error")
        case .created, .unchanged:
            break
        }
        return text
    }

    var json: JSONValue {
        var o = JSONObject([("apiVersion", .string(apiVersion)), ("kind", .string(kind)), ("name", .string(name))])
        if let namespace { o["namespace"] = .string(namespace) }
        o["action"] = .string(action.rawValue)
        if action == .configured {
            o["changedFields"] = .array(changedFields.prefix(Self.maxListedPaths).map(JSONValue.string))
            if changedFields.count > Self.maxListedPaths {
                o["moreChangedFields"] = .int(changedFields.count - Self.maxListedPaths)
            }
        }
        if let error { o["error"] = .string(error) }
        return .object(o)
    }

    /// The `outputSchema` of `resources_create_or_update`.
    static let outputSchema: JSONValue = ToolSchema.object(properties: [
        "dryRun": ToolSchema.boolean("Whether this was a server-side dry run (nothing was changed)."),
        "results": ToolSchema.array("One entry per object, in input order.", items: ToolSchema.object(properties: [
            "apiVersion": ToolSchema.type("string"), "kind": ToolSchema.type("string"),
            "name": ToolSchema.type("string"), "namespace": ToolSchema.type("string"),
            "action": ToolSchema.string("What happened.", allowed: ["created", "configured", "unchanged", "failed"]),
            "changedFields": ToolSchema.array("Changed field paths (at most 20).", items: ToolSchema.type("string")),
            "moreChangedFields": ToolSchema.integer("Changed paths beyond the listed ones.", minimum: 1),
            "error": ToolSchema.string("Why the object failed."),
        ], required: ["apiVersion", "kind", "name", "action"])),
        "counts": ToolSchema.object(properties: [
            "created": ToolSchema.type("integer"), "configured": ToolSchema.type("integer"),
            "unchanged": ToolSchema.type("integer"), "failed": ToolSchema.type("integer"),
        ], required: ["created", "configured", "unchanged", "failed"]),
    ], required: ["dryRun", "results", "counts"])
}
