import Foundation

/// `pods_top`: CPU and memory use of pods (optionally per container) from metrics.k8s.io, like
/// `kubectl top pod`.
///
/// Immutable; any thread. One read per call (PodMetrics list or get).
struct PodsTopTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "pods_top", title: "Pods: top",
        description: """
            Shows the CPU and memory use of running pods (from metrics-server, like kubectl top pod): NAME, \
            CPU(cores), MEMORY(bytes), in the context's namespace, another namespace, or all (allNamespaces). \
            Optionally one pod by name or pods matching a label selector; containers: true for one row per \
            container; sortBy cpu or memory.
            """,
        inputSchema: ToolSchema.object(properties: [
            "namespace": ToolSchema.string("The namespace (default: the context's namespace)."),
            "allNamespaces": ToolSchema.boolean("Pods of every namespace (namespace is then ignored).", default: false),
            "name": ToolSchema.string("Optional pod name; all pods when omitted."),
            "labelSelector": KubeToolSchema.labelSelector,
            "containers": ToolSchema.boolean("One row per container instead of per pod.", default: false),
            "sortBy": TopSchema.sortBy,
            "context": KubeToolSchema.context,
        ]),
        outputSchema: ToolSchema.object(properties: [
            ("pods", ToolSchema.array("One entry per pod, in the order of the text.", items: ToolSchema.object(
                properties: [
                    "namespace": ToolSchema.type("string"),
                    "name": ToolSchema.type("string"),
                    "cpuMillicores": TopSchema.cpuMillicores,
                    "memoryBytes": TopSchema.memoryBytes,
                    "containers": ToolSchema.array("Per-container use (with containers: true).", items: ToolSchema.object(
                        properties: [
                            "name": ToolSchema.type("string"),
                            "cpuMillicores": TopSchema.cpuMillicores,
                            "memoryBytes": TopSchema.memoryBytes,
                        ], required: ["name", "cpuMillicores", "memoryBytes"], additionalProperties: true)),
                    "timestamp": ToolSchema.type("string", description: "When metrics-server sampled the pod."),
                    "window": ToolSchema.type("string", description: "The sampling window, e.g. 15.012s."),
                ], required: ["namespace", "name", "cpuMillicores", "memoryBytes"], additionalProperties: true))),
            ("total", ToolSchema.object(properties: [
                "cpuMillicores": TopSchema.cpuMillicores, "memoryBytes": TopSchema.memoryBytes,
            ], required: ["cpuMillicores", "memoryBytes"], additionalProperties: true,
               description: "The sum over every pod found (shown or not).")),
            ("namespace", ToolSchema.type("string", description: "The namespace read; absent for all namespaces.")),
        ] + TopSchema.common, required: ["pods", "total", "count", "truncated"], additionalProperties: true),
        annotations: .readOnly(title: "Pods: top"))

    /// One container's use.
    struct Usage {
        var name: String
        var cpuMillicores: Int
        var memoryBytes: Int
    }

    /// One pod's row: the sum of its containers.
    struct Row {
        var namespace: String
        var name: String
        var containers: [Usage]
        var timestamp: String?
        var window: String?

        var cpuMillicores: Int { containers.reduce(0) { $0 + $1.cpuMillicores } }
        var memoryBytes: Int { containers.reduce(0) { $0 + $1.memoryBytes } }
    }

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        let connection: KubeClients.Connection
        do {
            connection = try await environment.clients.connection(context: arguments.string("context"))
        } catch {
            return .error("Reading pod metrics failed: \(error)")
        }
        let all = arguments["allNamespaces"]?.boolValue ?? false
        let name = arguments.string("name")
        if all && name != nil {
            return .error("name and allNamespaces cannot be combined: a pod name needs its namespace.")
        }
        let namespace = all ? nil : (arguments.string("namespace") ?? connection.defaultNamespace)
        let metrics: JSONValue
        do {
            metrics = try await MetricsAPI.read(connection, MetricsAPI.podMetrics, namespace: namespace, name: name,
                                                labelSelector: arguments.string("labelSelector"))
        } catch {
            return .error(error.message)
        }
        let items = name == nil ? metrics["items"]?.arrayValue ?? [] : [metrics]
        let rows = TopRows.sorted(Self.rows(items), by: arguments.string("sortBy"), cpu: \.cpuMillicores,
                                  memory: \.memoryBytes, name: { "\($0.namespace)/\($0.name)" })
        return Self.render(rows, namespace: namespace, containers: arguments["containers"]?.boolValue ?? false,
                           maxBytes: environment.output.maxBytes)
    }

    static func rows(_ items: [JSONValue]) -> [Row] {
        items.map { item in
            let containers = (item["containers"]?.arrayValue ?? []).map { c in
                Usage(name: c["name"]?.stringValue ?? "",
                      cpuMillicores: c["usage"]?["cpu"]?.stringValue.flatMap(KubeQuantity.init)?.milliValue ?? 0,
                      memoryBytes: c["usage"]?["memory"]?.stringValue.flatMap(KubeQuantity.init)?.integerValue ?? 0)
            }
            return Row(namespace: item["metadata"]?["namespace"]?.stringValue ?? "",
                       name: item["metadata"]?["name"]?.stringValue ?? "", containers: containers,
                       timestamp: item["timestamp"]?.stringValue, window: item["window"]?.stringValue)
        }
    }

    /// The table (capped; per container with `containers`) and the structured pods shown in it.
    static func render(_ rows: [Row], namespace: String?, containers: Bool, maxBytes: Int) -> ToolResult {
        let withNamespace = namespace == nil
        var header = containers ? ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"] : ["NAME", "CPU(cores)", "MEMORY(bytes)"]
        if withNamespace { header.insert("NAMESPACE", at: 0) }
        var lines: [[String]] = []
        var podOfLine: [Int] = []
        for (index, row) in rows.enumerated() {
            let prefix = withNamespace ? [row.namespace] : []
            if containers {
                for c in row.containers {
                    lines.append(prefix + [row.name, c.name, KubeQuantity.cpuText(millicores: c.cpuMillicores),
                                           KubeQuantity.memoryText(bytes: c.memoryBytes)])
                    podOfLine.append(index)
                }
            } else {
                lines.append(prefix + [row.name, KubeQuantity.cpuText(millicores: row.cpuMillicores),
                                       KubeQuantity.memoryText(bytes: row.memoryBytes)])
                podOfLine.append(index)
            }
        }
        let table = TableRenderer.layout(header: header, rows: lines)
        let output = OutputLimiter(maxBytes: maxBytes).limit(
            table: table, context: .init(resource: containers ? "containers" : "pods"))
        // A pod is in the structured content when its first line is shown.
        let podsShown = output.shown == 0 ? 0 : podOfLine[output.shown - 1] + 1
        let truncated = output.truncated

        var structured = JSONObject()
        structured["pods"] = .array(rows.prefix(podsShown).map { r in
            var o = JSONObject()
            o["namespace"] = .string(r.namespace)
            o["name"] = .string(r.name)
            o["cpuMillicores"] = .int(r.cpuMillicores)
            o["memoryBytes"] = .int(r.memoryBytes)
            if containers {
                o["containers"] = .array(r.containers.map { c in
                    ["name": .string(c.name), "cpuMillicores": .int(c.cpuMillicores), "memoryBytes": .int(c.memoryBytes)]
                })
            }
            if let t = r.timestamp { o["timestamp"] = .string(t) }
            if let w = r.window { o["window"] = .string(w) }
            return .object(o)
        })
        let totalCPU = rows.reduce(0) { $0 + $1.cpuMillicores }
        let totalMemory = rows.reduce(0) { $0 + $1.memoryBytes }
        structured["total"] = ["cpuMillicores": .int(totalCPU), "memoryBytes": .int(totalMemory)]
        if let namespace { structured["namespace"] = .string(namespace) }
        structured["count"] = .int(podsShown)
        structured["truncated"] = .bool(truncated)

        guard !rows.isEmpty else {
            let scope = namespace.map { "in namespace \($0)" } ?? "in any namespace"
            return ToolResult(content: [.text("No pod metrics found \(scope) (metrics-server reports running pods only).\n")],
                              structuredContent: .object(structured))
        }
        var notes: [String] = []
        if let note = output.note { notes.append(note) }
        notes.append("Total of \(rows.count) \(rows.count == 1 ? "pod" : "pods"): CPU "
                     + "\(KubeQuantity.cpuText(millicores: totalCPU)), memory \(KubeQuantity.memoryText(bytes: totalMemory)).")
        return ToolResult(content: [.text(output.text), .text(notes.joined(separator: "\n"))],
                          structuredContent: .object(structured))
    }
}
