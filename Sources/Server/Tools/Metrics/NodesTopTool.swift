import Foundation

/// `nodes_top`: CPU and memory use of nodes from metrics.k8s.io, with the share of each node's allocatable
/// resources, like `kubectl top node`.
///
/// Immutable; any thread. Two reads per call: NodeMetrics and the Nodes (for allocatable).
struct NodesTopTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "nodes_top", title: "Nodes: top",
        description: """
            Shows the CPU and memory use of nodes (from metrics-server, like kubectl top node): NAME, CPU(cores), \
            CPU(%), MEMORY(bytes), MEMORY(%), percentages of each node's allocatable resources. Optionally one \
            node by name, or nodes matching a label selector; sortBy cpu or memory.
            """,
        inputSchema: ToolSchema.object(properties: [
            "name": ToolSchema.string("Optional node name; all nodes when omitted."),
            "labelSelector": KubeToolSchema.labelSelector,
            "sortBy": TopSchema.sortBy,
            "context": KubeToolSchema.context,
        ]),
        outputSchema: ToolSchema.object(properties: [
            ("nodes", ToolSchema.array("One entry per node, in the order of the text.", items: ToolSchema.object(
                properties: [
                    "name": ToolSchema.type("string"),
                    "cpuMillicores": TopSchema.cpuMillicores,
                    "cpuPercent": ToolSchema.type("integer", description: "CPU use in % of allocatable; absent when unknown."),
                    "memoryBytes": TopSchema.memoryBytes,
                    "memoryPercent": ToolSchema.type("integer", description: "Memory use in % of allocatable; absent when unknown."),
                    "cpuAllocatableMillicores": ToolSchema.type("integer"),
                    "memoryAllocatableBytes": ToolSchema.type("integer"),
                    "timestamp": ToolSchema.type("string", description: "When metrics-server sampled the node."),
                    "window": ToolSchema.type("string", description: "The sampling window, e.g. 20.027s."),
                ], required: ["name", "cpuMillicores", "memoryBytes"], additionalProperties: true))),
        ] + TopSchema.common, required: ["nodes", "count", "truncated"], additionalProperties: true),
        annotations: .readOnly(title: "Nodes: top"))

    /// One node's row.
    struct Row {
        var name: String
        var cpuMillicores: Int
        var memoryBytes: Int
        var cpuAllocatable: Int?
        var memoryAllocatable: Int?
        var timestamp: String?
        var window: String?

        var cpuPercent: Int? {
            guard let cpuAllocatable, cpuAllocatable > 0 else { return nil }
            return cpuMillicores * 100 / cpuAllocatable
        }

        var memoryPercent: Int? {
            guard let memoryAllocatable, memoryAllocatable > 0 else { return nil }
            return memoryBytes * 100 / memoryAllocatable
        }
    }

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        let connection: KubeClients.Connection
        do {
            connection = try await environment.clients.connection(context: arguments.string("context"))
        } catch {
            return .error("Reading node metrics failed: \(error)")
        }
        let name = arguments.string("name")
        let selector = arguments.string("labelSelector")
        let metrics: JSONValue
        do {
            metrics = try await MetricsAPI.read(connection, MetricsAPI.nodeMetrics, namespace: nil, name: name,
                                                labelSelector: selector)
        } catch {
            return .error(error.message)
        }
        // Allocatable from the Nodes; a failure here only loses the percentages.
        var nodes: [JSONValue] = []
        do {
            if let name {
                nodes = [try await connection.get(.nodes, name: name, namespace: nil)]
            } else {
                nodes = try await connection.list(.nodes, namespace: nil,
                                                  options: .init(labelSelector: selector))["items"]?.arrayValue ?? []
            }
        } catch {
            nodes = []
        }
        let items = name == nil ? metrics["items"]?.arrayValue ?? [] : [metrics]
        let rows = Self.rows(metrics: items, nodes: nodes)
        return Self.render(TopRows.sorted(rows, by: arguments.string("sortBy"), cpu: \.cpuMillicores,
                                          memory: \.memoryBytes, name: \.name),
                           maxBytes: environment.output.maxBytes)
    }

    /// Joins NodeMetrics with the Nodes' allocatable resources.
    static func rows(metrics: [JSONValue], nodes: [JSONValue]) -> [Row] {
        var allocatable: [String: (cpu: Int?, memory: Int?)] = [:]
        for node in nodes {
            guard let name = node["metadata"]?["name"]?.stringValue else { continue }
            let resources = node["status"]?["allocatable"]
            allocatable[name] = (resources?["cpu"]?.stringValue.flatMap(KubeQuantity.init)?.milliValue,
                                 resources?["memory"]?.stringValue.flatMap(KubeQuantity.init)?.integerValue)
        }
        return metrics.map { item in
            let name = item["metadata"]?["name"]?.stringValue ?? ""
            let usage = item["usage"]
            return Row(name: name,
                       cpuMillicores: usage?["cpu"]?.stringValue.flatMap(KubeQuantity.init)?.milliValue ?? 0,
                       memoryBytes: usage?["memory"]?.stringValue.flatMap(KubeQuantity.init)?.integerValue ?? 0,
                       cpuAllocatable: allocatable[name]?.cpu, memoryAllocatable: allocatable[name]?.memory,
                       timestamp: item["timestamp"]?.stringValue, window: item["window"]?.stringValue)
        }
    }

    /// The table (capped) and the structured rows shown in it.
    static func render(_ rows: [Row], maxBytes: Int) -> ToolResult {
        func percent(_ p: Int?) -> String { p.map { "\($0)%" } ?? "<unknown>" }
        let table = TableRenderer.layout(
            header: ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"],
            rows: rows.map { r in
                [r.name, KubeQuantity.cpuText(millicores: r.cpuMillicores), percent(r.cpuPercent),
                 KubeQuantity.memoryText(bytes: r.memoryBytes), percent(r.memoryPercent)]
            })
        let output = OutputLimiter(maxBytes: maxBytes).limit(table: table, context: .init(resource: "nodes"))
        let shown = rows.prefix(output.shown)
        var structured = JSONObject()
        structured["nodes"] = .array(shown.map { r in
            var o = JSONObject()
            o["name"] = .string(r.name)
            o["cpuMillicores"] = .int(r.cpuMillicores)
            if let p = r.cpuPercent { o["cpuPercent"] = .int(p) }
            o["memoryBytes"] = .int(r.memoryBytes)
            if let p = r.memoryPercent { o["memoryPercent"] = .int(p) }
            if let a = r.cpuAllocatable { o["cpuAllocatableMillicores"] = .int(a) }
            if let a = r.memoryAllocatable { o["memoryAllocatableBytes"] = .int(a) }
            if let t = r.timestamp { o["timestamp"] = .string(t) }
            if let w = r.window { o["window"] = .string(w) }
            return .object(o)
        })
        structured["count"] = .int(output.shown)
        structured["truncated"] = .bool(output.truncated)
        let body = rows.isEmpty ? "No node metrics found.\n" : output.text
        var content: [ContentBlock] = [.text(body)]
        if let note = output.note { content.append(.text(note)) }
        return ToolResult(content: content, structuredContent: .object(structured))
    }
}
