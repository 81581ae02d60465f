/// `configuration_contexts_list`: every kubeconfig context with its cluster, server URL, user and namespace,
/// marking the one in use (`kubectl config get-contexts` plus the server).
///
/// Immutable and `Sendable`, any thread. It owns a copy of the kubeconfig loaded at startup (or the reason
/// loading failed) and never contacts the API server.
public struct ConfigurationContextsListTool: Tool {
    public static let toolDefinition = ToolDefinition(
        name: "configuration_contexts_list",
        title: "List kubeconfig contexts",
        description: """
            Lists the contexts of the kubeconfig this server uses, sorted by name, as a table with the columns \
            CURRENT, NAME, CLUSTER, SERVER, USER and NAMESPACE; the context this server uses is marked with * \
            in the CURRENT column. NAMESPACE is the context's default namespace ("default" when it sets none). \
            The same data is returned as structured content. This server uses only the context chosen at \
            startup; listing does not switch contexts.
            """,
        inputSchema: ToolSchema.noArguments,
        outputSchema: ToolSchema.object(
            properties: [
                "contexts": ToolSchema.array(
                    "The contexts, sorted by name.",
                    items: ToolSchema.object(
                        properties: [
                            "name": ToolSchema.type("string", description: "The context's name."),
                            "cluster": ToolSchema.type("string", description: "The cluster the context uses."),
                            "server": ToolSchema.type(
                                "string", description: "The cluster's API server URL, empty when not defined."),
                            "user": ToolSchema.type("string", description: "The user the context uses."),
                            "namespace": ToolSchema.type("string", description: "The context's namespace."),
                            "current": ToolSchema.type("boolean", description: "True for the context in use."),
                        ],
                        required: ["name", "cluster", "server", "user", "namespace", "current"])),
                "currentContext": ToolSchema.type(
                    "string", description: "The context this server uses; absent when none is set."),
            ],
            required: ["contexts"],
            additionalProperties: true),
        annotations: .readOnly(title: "List kubeconfig contexts"))

    public var definition: ToolDefinition { Self.toolDefinition }

    /// The kubeconfig loaded at startup, or why none could be loaded.
    public let kubeConfig: Result<LoadedKubeConfig, KubeConfigError>
    /// `--context` / `K8S_CONTEXT`: the context marked current instead of `current-context`.
    public let contextOverride: String?

    public init(kubeConfig: Result<LoadedKubeConfig, KubeConfigError>, contextOverride: String? = nil) {
        self.kubeConfig = kubeConfig
        self.contextOverride = contextOverride.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// One row of the listing.
    struct Row {
        var name: String
        var cluster: String
        var server: String
        var user: String
        var namespace: String
        var current: Bool
    }

    public func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        let config: KubeConfig
        switch kubeConfig {
        case .success(let loaded): config = loaded.config
        case .failure(let error): return .error("No kubeconfig is loaded, so there are no contexts to list: \(error)")
        }
        let current = contextOverride ?? config.currentContext
        let rows = config.contexts
            .map { named -> Row in
                let clusterName = named.context.cluster ?? ""
                let server = config.cluster(named: clusterName)?.cluster.server ?? ""
                let namespace = named.context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
                return Row(name: named.name, cluster: clusterName, server: server, user: named.context.user ?? "",
                           namespace: namespace, current: named.name == current)
            }
            .sorted { $0.name < $1.name }

        var structured = JSONObject()
        structured["contexts"] = .array(rows.map { row in
            [
                "name": .string(row.name), "cluster": .string(row.cluster), "server": .string(row.server),
                "user": .string(row.user), "namespace": .string(row.namespace), "current": .bool(row.current),
            ]
        })
        if let current { structured["currentContext"] = .string(current) }

        var text = Self.table(rows)
        if rows.isEmpty { text += "(the kubeconfig defines no contexts)\n" }
        return .text(text, structured: .object(structured))
    }

    /// Columns padded to their widest cell plus three spaces, like kubectl's tab writer.
    static func table(_ rows: [Row]) -> String {
        let header = ["CURRENT", "NAME", "CLUSTER", "SERVER", "USER", "NAMESPACE"]
        let cells = [header] + rows.map {
            [$0.current ? "*" : "", $0.name, $0.cluster, $0.server, $0.user, $0.namespace]
        }
        var widths = Array(repeating: 0, count: header.count)
        for line in cells {
            for (column, cell) in line.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var out = ""
        for line in cells {
            var rendered = ""
            for (column, cell) in line.enumerated() {
                if column == line.count - 1 {
                    rendered += cell
                } else {
                    rendered += cell + String(repeating: " ", count: widths[column] - cell.count + 3)
                }
            }
            while rendered.hasSuffix(" ") { rendered.removeLast() }
            out += rendered + "\n"
        }
        return out
    }
}
