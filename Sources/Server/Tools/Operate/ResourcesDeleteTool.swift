/// `resources_delete`: deletes one object of any kind, with a propagation policy, grace period and dry run.
struct ResourcesDeleteTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "resources_delete", title: "Resources: delete",
        description: """
            Deletes one object of any kind, given apiVersion, kind and name. The propagationPolicy says what \
            happens to the objects it owns (Background: deleted afterwards, the default for most kinds; Foreground: \
            deleted first; Orphan: kept). Set dryRun to check without deleting.
            """,
        inputSchema: ToolSchema.object(properties: [
            "apiVersion": ToolSchema.string("The API version, e.g. v1 or apps/v1."),
            "kind": ToolSchema.string("The kind, e.g. Deployment."),
            "name": ToolSchema.string("The object's name."),
            "namespace": ToolSchema.string("The object's namespace (namespaced kinds; default: the context's)."),
            "propagationPolicy": ToolSchema.string("What happens to dependents (owned objects).",
                                                   allowed: ["Background", "Foreground", "Orphan"]),
            "gracePeriodSeconds": ToolSchema.integer(
                "Seconds the object (a pod) gets to shut down; 0 deletes at once. Default: the object's own.",
                minimum: 0, maximum: 86_400),
            "dryRun": ToolSchema.boolean("Server-side dry run: check the deletion, delete nothing.", default: false),
            "context": KubeToolSchema.context,
        ], required: ["apiVersion", "kind", "name"]),
        annotations: ToolAnnotations(title: "Resources: delete", readOnlyHint: false, destructiveHint: true,
                                     idempotentHint: true))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Deleting the object") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let resource = try await connection.discovery.resolve(apiVersion: try arguments.requiredString("apiVersion"),
                                                                  kind: try arguments.requiredString("kind"))
            let name = try arguments.requiredString("name")
            let namespace = connection.namespace(for: resource, arguments.string("namespace"))
            let policy = arguments.string("propagationPolicy")
            let dryRun = arguments["dryRun"]?.boolValue ?? false
            let answer = try await connection.delete(resource, name: name, namespace: namespace,
                                                     propagationPolicy: policy,
                                                     gracePeriodSeconds: arguments["gracePeriodSeconds"]?.intValue,
                                                     dryRun: dryRun)
            return .text(Self.describe(answer, label: ManifestApplier.label(resource, name: name), namespace: namespace,
                                       policy: policy, dryRun: dryRun))
        }
    }

    /// `deployment.apps/web deleted in namespace default (propagation Foreground)`, or that the deletion has
    /// started and what it waits for (finalizers, a grace period, dependents).
    static func describe(_ answer: JSONValue, label: String, namespace: String?, policy: String?, dryRun: Bool)
        -> String
    {
        var text = label
        let metadata = answer["kind"]?.stringValue == "Status" ? nil : answer["metadata"]
        let finalizers = metadata?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let pending = metadata?["deletionTimestamp"]?.stringValue != nil
        if dryRun {
            text += " would be deleted (dry run: nothing was deleted)"
        } else if pending && !finalizers.isEmpty {
            text += " is being deleted; it waits for the finalizers \(finalizers.joined(separator: ", "))"
        } else if pending, let grace = metadata?["deletionGracePeriodSeconds"]?.intValue, grace > 0 {
            text += " is being deleted (grace period \(grace) s)"
        } else {
            text += " deleted"
        }
        if let namespace { text += " in namespace \(namespace)" }
        if let policy { text += " (propagation \(policy))" }
        return text
    }
}
