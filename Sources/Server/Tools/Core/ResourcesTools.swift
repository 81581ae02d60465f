/// `resources_list`: any resource type, by apiVersion and kind (custom resources included).
struct ResourcesListTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "resources_list", title: "Resources: list",
        description: """
            Lists objects of any kind, built-in or custom, given its apiVersion (e.g. v1, apps/v1, \
            networking.k8s.io/v1) and kind (e.g. Deployment); in one namespace or all. Filter with labelSelector \
            and fieldSelector; page with limit and continue. api_resources lists the kinds the cluster serves.
            """,
        inputSchema: ToolSchema.object(properties: [
            "apiVersion": ToolSchema.string("The API version, e.g. v1 or apps/v1."),
            "kind": ToolSchema.string("The kind, e.g. Deployment, Service, ConfigMap."),
            "namespace": ToolSchema.string("Optional namespace; all namespaces when omitted (namespaced kinds)."),
            "labelSelector": KubeToolSchema.labelSelector, "fieldSelector": KubeToolSchema.fieldSelector,
            "limit": KubeToolSchema.limit, "continue": KubeToolSchema.continueToken, "context": KubeToolSchema.context,
        ], required: ["apiVersion", "kind"]),
        outputSchema: KubeOutputSchema.list,
        annotations: .readOnly(title: "Resources: list"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Listing resources") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let resource = try await connection.discovery.resolve(apiVersion: try arguments.requiredString("apiVersion"),
                                                                  kind: try arguments.requiredString("kind"))
            let options = KubeClients.Connection.ListOptions(
                labelSelector: arguments.string("labelSelector"), fieldSelector: arguments.string("fieldSelector"),
                limit: arguments["limit"]?.intValue, continueToken: arguments.string("continue"),
                asTable: environment.output.listFormat == "table")
            let document = try await connection.list(resource, namespace: arguments.string("namespace"), options: options)
            return KubeToolOutput.list(document, resource: resource, namespace: arguments.string("namespace"),
                                       settings: environment.output)
        }
    }
}

/// `resources_get`: one object of any kind as YAML.
struct ResourcesGetTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "resources_get", title: "Resources: get",
        description: """
            Gets one object of any kind (given apiVersion, kind and name) as YAML without managedFields; Secret \
            values are redacted. The namespace defaults to the context's namespace for namespaced kinds.
            """,
        inputSchema: ToolSchema.object(properties: [
            "apiVersion": ToolSchema.string("The API version, e.g. v1 or apps/v1."),
            "kind": ToolSchema.string("The kind, e.g. Deployment."),
            "name": ToolSchema.string("The object's name."),
            "namespace": ToolSchema.string("The object's namespace (namespaced kinds; default: the context's)."),
            "context": KubeToolSchema.context,
        ], required: ["apiVersion", "kind", "name"]),
        outputSchema: KubeOutputSchema.object,
        annotations: .readOnly(title: "Resources: get"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Getting the object") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let resource = try await connection.discovery.resolve(apiVersion: try arguments.requiredString("apiVersion"),
                                                                  kind: try arguments.requiredString("kind"))
            let object = try await connection.get(resource, name: try arguments.requiredString("name"),
                                                  namespace: arguments.string("namespace"))
            return KubeToolOutput.object(object, settings: environment.output)
        }
    }
}
