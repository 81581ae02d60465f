/// `pods_list`: pods in every namespace (or one), optionally filtered by selectors.
struct PodsListTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "pods_list", title: "Pods: list",
        description: """
            Lists the pods in all namespaces (or in one, with "namespace") as a table with NAMESPACE, NAME, READY, \
            STATUS, RESTARTS, AGE and more. Filter with labelSelector and fieldSelector; page with limit and continue.
            """,
        inputSchema: ToolSchema.object(properties: [
            "namespace": ToolSchema.string("Optional namespace; all namespaces when omitted."),
            "labelSelector": KubeToolSchema.labelSelector, "fieldSelector": KubeToolSchema.fieldSelector,
            "limit": KubeToolSchema.limit, "continue": KubeToolSchema.continueToken, "context": KubeToolSchema.context,
        ]),
        outputSchema: KubeOutputSchema.list,
        annotations: .readOnly(title: "Pods: list"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await PodsListTool.list(arguments, namespace: arguments.string("namespace"), environment: environment)
    }

    static func list(_ arguments: JSONObject, namespace: String?, environment: KubeToolEnvironment) async -> ToolResult {
        await KubeToolRun.run("Listing pods") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let options = KubeClients.Connection.ListOptions(
                labelSelector: arguments.string("labelSelector"), fieldSelector: arguments.string("fieldSelector"),
                limit: arguments["limit"]?.intValue, continueToken: arguments.string("continue"),
                asTable: environment.output.listFormat == "table")
            let document = try await connection.list(.pods, namespace: namespace, options: options)
            return KubeToolOutput.list(document, resource: .pods, namespace: namespace, settings: environment.output)
        }
    }
}

/// `pods_list_in_namespace`: the pods of one namespace.
struct PodsListInNamespaceTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "pods_list_in_namespace", title: "Pods: list in namespace",
        description: """
            Lists the pods of one namespace as a table (NAME, READY, STATUS, RESTARTS, AGE, ...). Filter with \
            labelSelector and fieldSelector; page with limit and continue.
            """,
        inputSchema: ToolSchema.object(properties: [
            "namespace": ToolSchema.string("The namespace to list pods from."),
            "labelSelector": KubeToolSchema.labelSelector, "fieldSelector": KubeToolSchema.fieldSelector,
            "limit": KubeToolSchema.limit, "continue": KubeToolSchema.continueToken, "context": KubeToolSchema.context,
        ], required: ["namespace"]),
        outputSchema: KubeOutputSchema.list,
        annotations: .readOnly(title: "Pods: list in namespace"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        guard let namespace = arguments.string("namespace") else { return .error("\"namespace\" is required") }
        return await PodsListTool.list(arguments, namespace: namespace, environment: environment)
    }
}

/// `pods_get`: one pod as YAML.
struct PodsGetTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "pods_get", title: "Pods: get",
        description: """
            Gets one pod (spec and status) as YAML, without managedFields. The namespace defaults to the \
            context's namespace.
            """,
        inputSchema: ToolSchema.object(properties: [
            "name": ToolSchema.string("The pod's name."),
            "namespace": ToolSchema.string("The pod's namespace (default: the context's namespace)."),
            "context": KubeToolSchema.context,
        ], required: ["name"]),
        outputSchema: KubeOutputSchema.object,
        annotations: .readOnly(title: "Pods: get"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Getting the pod") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let pod = try await connection.get(.pods, name: try arguments.requiredString("name"),
                                               namespace: arguments.string("namespace"))
            return KubeToolOutput.object(pod, settings: environment.output)
        }
    }
}

/// `pods_log`: the recent log lines of a pod's container.
struct PodsLogTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let defaultTail = 100
    static let defaultLimitBytes = 256 * 1024

    static let toolDefinition = ToolDefinition(
        name: "pods_log", title: "Pods: log",
        description: """
            Gets the last lines of a pod's log (default 100 lines, at most 256 KiB). Name the container when the \
            pod has several; set previous to read the log of the container's last terminated run (a crash).
            """,
        inputSchema: ToolSchema.object(properties: [
            "name": ToolSchema.string("The pod's name."),
            "namespace": ToolSchema.string("The pod's namespace (default: the context's namespace)."),
            "container": ToolSchema.string("The container (required when the pod has more than one)."),
            "tail": ToolSchema.integer("How many lines from the end to return.", default: defaultTail, minimum: 0),
            "previous": ToolSchema.boolean("Read the previous, terminated run of the container.", default: false),
            "since": ToolSchema.integer("Only lines from the last this many seconds.", minimum: 1),
            "timestamps": ToolSchema.boolean("Prefix each line with its timestamp.", default: false),
            "limitBytes": ToolSchema.integer("The most bytes of log to return.", default: defaultLimitBytes,
                                             minimum: 1, maximum: 16 * 1024 * 1024),
            "context": KubeToolSchema.context,
        ], required: ["name"]),
        annotations: .readOnly(title: "Pods: log"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Reading the log") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let limit = arguments["limitBytes"]?.intValue ?? Self.defaultLimitBytes
            let options = KubeClients.Connection.LogOptions(
                container: arguments.string("container"), tailLines: arguments["tail"]?.intValue ?? Self.defaultTail,
                sinceSeconds: arguments["since"]?.intValue, previous: arguments["previous"]?.boolValue ?? false,
                timestamps: arguments["timestamps"]?.boolValue ?? false, limitBytes: limit)
            let name = try arguments.requiredString("name")
            let bytes = try await connection.logs(pod: name, namespace: arguments.string("namespace"), options: options)
            var text = String(decoding: bytes, as: UTF8.self)
            if text.isEmpty { text = "(the log of pod \(name) is empty)" }
            if bytes.count >= limit {
                text += "\n[log cut at \(limit) bytes: use a smaller tail, since, or a larger limitBytes]"
            }
            return .text(text)
        }
    }
}
