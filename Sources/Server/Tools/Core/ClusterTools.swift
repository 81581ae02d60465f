/// `namespaces_list`: every namespace with its status and age.
struct NamespacesListTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "namespaces_list", title: "Namespaces: list",
        description: "Lists the cluster's namespaces with their status and age.",
        inputSchema: ToolSchema.object(properties: ["context": KubeToolSchema.context]),
        outputSchema: KubeOutputSchema.list,
        annotations: .readOnly(title: "Namespaces: list"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Listing namespaces") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let document = try await connection.list(
                .namespaces, namespace: nil,
                options: .init(asTable: environment.output.listFormat == "table"))
            return KubeToolOutput.list(document, resource: .namespaces, namespace: nil, settings: environment.output)
        }
    }
}

/// `events_list`: recent events, optionally for one object or only warnings.
struct EventsListTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "events_list", title: "Events: list",
        description: """
            Lists events (what happened to objects: scheduling, pulls, crashes, scaling) in one namespace or all. \
            Narrow to one object with objectKind and objectName, or to warnings with warningsOnly.
            """,
        inputSchema: ToolSchema.object(properties: [
            "namespace": ToolSchema.string("Optional namespace; all namespaces when omitted."),
            "objectKind": ToolSchema.string("Only events about objects of this kind, e.g. Pod or Deployment."),
            "objectName": ToolSchema.string("Only events about the object with this name."),
            "warningsOnly": ToolSchema.boolean("Only Warning events.", default: false),
            "limit": KubeToolSchema.limit, "continue": KubeToolSchema.continueToken, "context": KubeToolSchema.context,
        ]),
        outputSchema: KubeOutputSchema.list,
        annotations: .readOnly(title: "Events: list"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Listing events") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            var fields: [String] = []
            if let kind = arguments.string("objectKind") { fields.append("involvedObject.kind=\(kind)") }
            if let name = arguments.string("objectName") { fields.append("involvedObject.name=\(name)") }
            if arguments["warningsOnly"]?.boolValue == true { fields.append("type=Warning") }
            let options = KubeClients.Connection.ListOptions(
                fieldSelector: fields.isEmpty ? nil : fields.joined(separator: ","), limit: arguments["limit"]?.intValue,
                continueToken: arguments.string("continue"), asTable: environment.output.listFormat == "table")
            let document = try await connection.list(.events, namespace: arguments.string("namespace"), options: options)
            return KubeToolOutput.list(document, resource: .events, namespace: arguments.string("namespace"),
                                       settings: environment.output)
        }
    }
}

/// `api_resources`: the resource types the cluster serves, as `kubectl api-resources` shows them.
struct APIResourcesTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "api_resources", title: "API resources",
        description: """
            Lists the resource types the cluster serves (built-in and custom): NAME, SHORTNAMES, APIVERSION, \
            NAMESPACED and KIND, like kubectl api-resources. Use the APIVERSION and KIND with resources_list.
            """,
        inputSchema: ToolSchema.object(properties: [
            "apiGroup": ToolSchema.string("Only resources of this API group (\"\" or \"core\" for the core group)."),
            "context": KubeToolSchema.context,
        ]),
        outputSchema: ToolSchema.object(properties: [
            "resources": ToolSchema.array("The resource types, sorted by name then group.", items: ToolSchema.object(
                properties: [
                    "name": ToolSchema.type("string", description: "The plural, as in URLs."),
                    "shortNames": ToolSchema.array("Short names, e.g. deploy.", items: ToolSchema.type("string")),
                    "apiVersion": ToolSchema.type("string"),
                    "namespaced": ToolSchema.type("boolean"),
                    "kind": ToolSchema.type("string"),
                    "verbs": ToolSchema.array("The verbs the type supports.", items: ToolSchema.type("string")),
                ], required: ["name", "shortNames", "apiVersion", "namespaced", "kind", "verbs"],
                additionalProperties: true)),
            "count": ToolSchema.type("integer"),
        ], required: ["resources", "count"], additionalProperties: true),
        annotations: .readOnly(title: "API resources"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Reading API discovery") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            var resources = try await connection.discovery.refresh().resources.filter(\.preferred)
            if let group = arguments["apiGroup"]?.stringValue {
                let wanted = group == "core" ? "" : group
                resources = resources.filter { $0.group == wanted }
            }
            resources.sort { ($0.plural, $0.group) < ($1.plural, $1.group) }
            let rows = resources.map { r in
                [r.plural, r.shortNames.joined(separator: ","), r.apiVersion, r.namespaced ? "true" : "false", r.kind]
            }
            let table = TextTable.render(header: ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], rows: rows)
            // Cut like every result (a cluster with hundreds of CRDs); structured content keeps the rows shown.
            let output = OutputLimiter(maxBytes: environment.output.maxBytes).limit(text: table)
            let shown = output.truncated ? min(resources.count, max(0, output.shown - 1)) : resources.count
            let structured: JSONValue = [
                "resources": .array(resources.prefix(shown).map { r in
                    ["name": .string(r.plural), "shortNames": .array(r.shortNames.map(JSONValue.string)),
                     "apiVersion": .string(r.apiVersion), "namespaced": .bool(r.namespaced), "kind": .string(r.kind),
                     "verbs": .array(r.verbs.map(JSONValue.string))]
                }),
                "count": .int(shown),
                "truncated": .bool(output.truncated),
            ]
            var text = output.text
            if !text.hasSuffix("\n") { text += "\n" }
            text += "\(resources.count) resource types"
            if output.truncated {
                text += "; \(shown) shown (output limit). Narrow with apiGroup, e.g. apiGroup: apps."
            }
            return .text(text, structured: structured)
        }
    }
}

/// `cluster_info`: who and where: version, context, nodes, namespaces, API groups.
struct ClusterInfoTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "cluster_info", title: "Cluster info",
        description: """
            Summarises the cluster: Kubernetes version, the context and API server in use, nodes (ready / total, \
            roles, versions), namespaces and the API groups served. A good first call.
            """,
        inputSchema: ToolSchema.object(properties: ["context": KubeToolSchema.context]),
        outputSchema: ToolSchema.object(properties: [
            "context": ToolSchema.type("string"),
            "server": ToolSchema.type("string", description: "The API server URL."),
            "version": ToolSchema.object(properties: [
                "gitVersion": ToolSchema.type("string"), "platform": ToolSchema.type("string"),
            ], additionalProperties: true),
            "defaultNamespace": ToolSchema.type("string"),
            "nodes": ToolSchema.array("Every node.", items: ToolSchema.object(properties: [
                "name": ToolSchema.type("string"), "ready": ToolSchema.type("boolean"),
                "kubeletVersion": ToolSchema.type("string"),
                "roles": ToolSchema.array("From node-role.kubernetes.io/ labels.", items: ToolSchema.type("string")),
            ], required: ["name", "ready", "roles"], additionalProperties: true)),
            "readyNodes": ToolSchema.type("integer"),
            "namespaces": ToolSchema.array("Namespace names.", items: ToolSchema.type("string")),
            "apiGroups": ToolSchema.array("API groups served (core for the core group).", items: ToolSchema.type("string")),
        ], required: ["context", "server", "version", "defaultNamespace", "nodes", "readyNodes", "namespaces",
                      "apiGroups"], additionalProperties: true),
        annotations: .readOnly(title: "Cluster info"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Reading cluster information") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            // The four reads are independent: run them at once.
            let version: JSONValue, nodes: [JSONValue], namespaces: [JSONValue], resources: [APIResourceInfo]
            do {
                async let versionCall = connection.client.send(KubeRequest(path: "/version"))
                async let nodesCall = connection.list(.nodes, namespace: nil)
                async let namespacesCall = connection.list(.namespaces, namespace: nil)
                async let mapperCall = connection.discovery.restMapper()
                version = try await versionCall.json()
                nodes = try await nodesCall["items"]?.arrayValue ?? []
                namespaces = try await namespacesCall["items"]?.arrayValue ?? []
                resources = try await mapperCall.resources
            } catch let error as KubeError {
                throw error
            } catch {
                throw .cancelled
            }
            let groups = Set(resources.map { $0.group.isEmpty ? "core" : $0.group }).sorted()

            var structured = JSONObject()
            structured["context"] = .string(connection.contextName)
            structured["server"] = .string(connection.client.context.cluster.server.absoluteString)
            structured["version"] = ["gitVersion": .string(version["gitVersion"]?.stringValue ?? "unknown"),
                                     "platform": .string(version["platform"]?.stringValue ?? "unknown")]
            structured["defaultNamespace"] = .string(connection.defaultNamespace)
            var nodeEntries: [JSONValue] = []
            // A big cluster has thousands of nodes and namespaces: name the first ones, count the rest.
            let shownNodes = nodes.prefix(Self.maxNamed)

            var lines: [String] = []
            lines.append("Context: \(connection.contextName)")
            lines.append("API server: \(connection.client.context.cluster.server.absoluteString)")
            lines.append("Kubernetes version: \(version["gitVersion"]?.stringValue ?? "unknown") "
                         + "(platform \(version["platform"]?.stringValue ?? "unknown"))")
            lines.append("Default namespace: \(connection.defaultNamespace)")
            let ready = nodes.filter(ClusterInfoTool.isReady)
            lines.append("Nodes: \(ready.count) ready of \(nodes.count)")
            for node in shownNodes {
                let name = node["metadata"]?["name"]?.stringValue ?? "?"
                let kubelet = node["status"]?["nodeInfo"]?["kubeletVersion"]?.stringValue ?? "?"
                let roles = (node["metadata"]?["labels"]?.objectValue?.keys ?? [])
                    .filter { $0.hasPrefix("node-role.kubernetes.io/") }
                    .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }
                lines.append("  - \(name): \(ClusterInfoTool.isReady(node) ? "Ready" : "NotReady"), kubelet \(kubelet)"
                             + (roles.isEmpty ? "" : ", roles \(roles.joined(separator: ","))"))
                nodeEntries.append(["name": .string(name), "ready": .bool(ClusterInfoTool.isReady(node)),
                                    "kubeletVersion": .string(kubelet), "roles": .array(roles.map(JSONValue.string))])
            }
            if nodes.count > shownNodes.count {
                lines.append("  ... and \(nodes.count - shownNodes.count) more nodes (see resources_list with kind Node)")
            }
            let nsNames = namespaces.compactMap { $0["metadata"]?["name"]?.stringValue }
            let shownNamespaces = Array(nsNames.prefix(Self.maxNamed))
            lines.append("Namespaces (\(nsNames.count)): \(shownNamespaces.joined(separator: ", "))"
                         + (nsNames.count > shownNamespaces.count ? ", ... (see namespaces_list)" : ""))
            lines.append("API groups (\(groups.count)): \(groups.joined(separator: ", "))")
            structured["nodes"] = .array(nodeEntries)
            structured["nodeCount"] = .int(nodes.count)
            structured["readyNodes"] = .int(ready.count)
            structured["namespaces"] = .array(shownNamespaces.map(JSONValue.string))
            structured["namespaceCount"] = .int(nsNames.count)
            structured["apiGroups"] = .array(groups.map(JSONValue.string))
            let output = OutputLimiter(maxBytes: environment.output.maxBytes).limit(text: lines.joined(separator: "\n"))
            structured["truncated"] = .bool(output.truncated || nodes.count > shownNodes.count
                                            || nsNames.count > shownNamespaces.count)
            var content: [ContentBlock] = [.text(output.text)]
            if let note = output.note { content.append(.text(note)) }
            return ToolResult(content: content, structuredContent: .object(structured))
        }
    }

    /// Nodes and namespaces named one by one in the summary; the rest are counted.
    static let maxNamed = 100

    static func isReady(_ node: JSONValue) -> Bool {
        (node["status"]?["conditions"]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
        }
    }
}
