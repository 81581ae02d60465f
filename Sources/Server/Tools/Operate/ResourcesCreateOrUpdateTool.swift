/// `resources_create_or_update`: server-side apply of YAML or JSON manifests, answering per object what changed.
struct ResourcesCreateOrUpdateTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "resources_create_or_update", title: "Resources: create or update",
        description: """
            Creates or updates objects of any kind from YAML or JSON (several YAML documents separated by ---, a \
            JSON object or array, or a List) with server-side apply (field manager kube-mcp), like kubectl apply \
            --server-side. Answers per object: created, configured (with the changed field paths) or unchanged. \
            Set dryRun to see what would change without changing anything; set force to take over fields another \
            manager owns. At most 100 objects and 1 MiB per call.
            """,
        inputSchema: ToolSchema.object(properties: [
            "resource": ToolSchema.string(
                "The manifest text: YAML (documents separated by ---) or JSON. Every object needs apiVersion, kind "
                    + "and metadata.name."),
            "namespace": ToolSchema.string(
                "Namespace for namespaced objects that name none (default: the context's namespace)."),
            "force": ToolSchema.boolean("Take over fields owned by another field manager (apply conflicts).",
                                        default: false),
            "dryRun": ToolSchema.boolean("Server-side dry run: validate and report what would change, change "
                                             + "nothing.", default: false),
            "context": KubeToolSchema.context,
        ], required: ["resource"]),
        outputSchema: ApplyOutcome.outputSchema,
        annotations: ToolAnnotations(title: "Resources: create or update", readOnlyHint: false, destructiveHint: true,
                                     idempotentHint: true))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        let manifests: [Manifest]
        do {
            manifests = try ManifestParser.parse(arguments["resource"]?.stringValue ?? "")
        } catch {
            return .error("Nothing was applied: \(error)")
        }
        let dryRun = arguments["dryRun"]?.boolValue ?? false
        let connection: KubeClients.Connection
        do {
            connection = try await environment.clients.connection(context: arguments.string("context"))
        } catch {
            return .error("Applying failed: \(error)")
        }
        let applier = ManifestApplier(connection: connection, namespace: arguments.string("namespace"),
                                      force: arguments["force"]?.boolValue ?? false, dryRun: dryRun)
        let outcomes = try await applier.apply(manifests)
        return Self.result(outcomes, dryRun: dryRun)
    }

    /// The answer: one line per object, a summary first; an error when any object failed (as kubectl exits 1),
    /// with the objects that were applied still listed.
    static func result(_ outcomes: [ApplyOutcome], dryRun: Bool) -> ToolResult {
        func count(_ action: ApplyOutcome.Action) -> Int { outcomes.filter { $0.action == action }.count }
        let failed = count(.failed)
        var summary: String
        if failed == 0 {
            summary = "Applied \(outcomes.count) object\(outcomes.count == 1 ? "" : "s")"
        } else {
            summary = "\(failed) of \(outcomes.count) object\(outcomes.count == 1 ? "" : "s") failed; "
                + "\(outcomes.count - failed) applied"
        }
        summary += dryRun ? " (server-side dry run: nothing was changed):" : " (server-side apply, field manager kube-mcp):"
        let text = ([summary] + outcomes.map { $0.line(dryRun: dryRun) }).joined(separator: "\n")
        let structured: JSONValue = [
            "dryRun": .bool(dryRun),
            "results": .array(outcomes.map(\.json)),
            "counts": ["created": .int(count(.created)), "configured": .int(count(.configured)),
                       "unchanged": .int(count(.unchanged)), "failed": .int(failed)],
        ]
        return ToolResult(content: [.text(text)], structuredContent: structured, isError: failed > 0)
    }
}
