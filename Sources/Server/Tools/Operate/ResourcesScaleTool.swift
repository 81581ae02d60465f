/// `resources_scale`: sets the replica count of anything with a `scale` subresource (Deployment, StatefulSet,
/// ReplicaSet, ReplicationController, custom resources) and answers old → new.
struct ResourcesScaleTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "resources_scale", title: "Resources: scale",
        description: """
            Sets the number of replicas of a Deployment, StatefulSet, ReplicaSet or any kind with a scale \
            subresource, like kubectl scale, and answers the old and new counts. Scaling down stops pods.
            """,
        inputSchema: ToolSchema.object(properties: [
            "kind": ToolSchema.string("The kind, e.g. Deployment, StatefulSet, ReplicaSet (kubectl spellings such as "
                                          + "deploy or statefulsets work too)."),
            "apiVersion": ToolSchema.string("The API version, e.g. apps/v1 (optional; found from the kind)."),
            "name": ToolSchema.string("The object's name."),
            "namespace": ToolSchema.string("The object's namespace (default: the context's)."),
            "replicas": ToolSchema.integer("The new number of replicas.", minimum: 0, maximum: 1_000_000),
            "context": KubeToolSchema.context,
        ], required: ["kind", "name", "replicas"]),
        annotations: ToolAnnotations(title: "Resources: scale", readOnlyHint: false, destructiveHint: true,
                                     idempotentHint: true))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Scaling") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let kind = try arguments.requiredString("kind")
            let resource: APIResourceInfo
            if let apiVersion = arguments.string("apiVersion") {
                resource = try await connection.discovery.resolve(apiVersion: apiVersion, kind: kind)
            } else {
                resource = try await connection.discovery.resolve(kind)
            }
            guard resource.subresources.contains("scale") else {
                return .error("Scaling failed: \(resource.kind) (\(resource.qualifiedPlural)) has no scale subresource; "
                              + "kinds that scale include Deployment, StatefulSet and ReplicaSet.")
            }
            let name = try arguments.requiredString("name")
            guard let replicas = arguments["replicas"]?.intValue else {
                throw .configuration("the argument \"replicas\" is required")
            }
            let namespace = connection.namespace(for: resource, arguments.string("namespace"))
            let before = try await connection.getSubresource(resource, name: name, namespace: namespace,
                                                             subresource: "scale")
            let old = before["spec"]?["replicas"]?.intValue ?? 0
            let label = ManifestApplier.label(resource, name: name)
            let place = namespace.map { " in namespace \($0)" } ?? ""
            var structured = JSONObject([("kind", .string(resource.kind)), ("name", .string(name)),
                                         ("previousReplicas", .int(old)), ("replicas", .int(replicas))])
            if let namespace { structured["namespace"] = .string(namespace) }
            if old == replicas {
                return .text("\(label)\(place) already has \(replicas) replica\(replicas == 1 ? "" : "s"); "
                             + "nothing changed.", structured: .object(structured))
            }
            let after = try await connection.scale(resource, name: name, namespace: namespace, replicas: replicas)
            let now = after["spec"]?["replicas"]?.intValue ?? replicas
            structured["replicas"] = .int(now)
            return .text("\(label)\(place) scaled from \(old) to \(now) replica\(now == 1 ? "" : "s"). "
                         + "rollout_status waits until the pods are ready.", structured: .object(structured))
        }
    }
}
