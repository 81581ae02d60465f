/// `pods_delete`: deletes one pod (its controller, if any, starts a replacement).
struct PodsDeleteTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "pods_delete", title: "Pods: delete",
        description: """
            Deletes one pod; a pod owned by a Deployment, ReplicaSet, StatefulSet or DaemonSet is replaced by its \
            controller (a way to restart it), a bare pod is gone. The containers get their grace period to shut \
            down (gracePeriodSeconds 0 kills them at once).
            """,
        inputSchema: ToolSchema.object(properties: [
            "name": ToolSchema.string("The pod's name."),
            "namespace": ToolSchema.string("The pod's namespace (default: the context's namespace)."),
            "gracePeriodSeconds": ToolSchema.integer(
                "Seconds the containers get to shut down (default: the pod's terminationGracePeriodSeconds, "
                    + "usually 30); 0 kills them at once.", minimum: 0, maximum: 86_400),
            "context": KubeToolSchema.context,
        ], required: ["name"]),
        annotations: ToolAnnotations(title: "Pods: delete", readOnlyHint: false, destructiveHint: true,
                                     idempotentHint: true))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Deleting the pod") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let name = try arguments.requiredString("name")
            let namespace = connection.namespace(for: .pods, arguments.string("namespace"))
            let answer = try await connection.delete(.pods, name: name, namespace: namespace, propagationPolicy: nil,
                                                     gracePeriodSeconds: arguments["gracePeriodSeconds"]?.intValue,
                                                     dryRun: false)
            var text = ResourcesDeleteTool.describe(answer, label: "pod/\(name)", namespace: namespace, policy: nil,
                                                    dryRun: false)
            if let owner = answer["metadata"]?["ownerReferences"]?.arrayValue?.first(where: {
                $0["controller"]?.boolValue == true
            }), let kind = owner["kind"]?.stringValue, let ownerName = owner["name"]?.stringValue {
                text += ". Its controller \(kind) \(ownerName) will start a replacement."
            }
            return .text(text)
        }
    }
}
