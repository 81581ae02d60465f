import Foundation

/// `deployments_restart`: a rolling restart, as `kubectl rollout restart` does it: the pod template gets the
/// annotation `kubectl.kubernetes.io/restartedAt` with the current time, so the controller replaces every pod.
struct DeploymentsRestartTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    /// The annotation kubectl sets on the pod template.
    static let annotation = "kubectl.kubernetes.io/restartedAt"

    static let toolDefinition = ToolDefinition(
        name: "deployments_restart", title: "Deployments: restart",
        description: """
            Restarts the pods of a Deployment (or StatefulSet or DaemonSet) one by one, like kubectl rollout \
            restart: the pod template is stamped with the current time, and the controller rolls out new pods. \
            Follow it with rollout_status.
            """,
        inputSchema: ToolSchema.object(properties: [
            "name": ToolSchema.string("The workload's name."),
            "namespace": ToolSchema.string("The namespace (default: the context's namespace)."),
            "kind": ToolSchema.string("Deployment (default), StatefulSet or DaemonSet.", default: "Deployment"),
            "context": KubeToolSchema.context,
        ], required: ["name"]),
        annotations: ToolAnnotations(title: "Deployments: restart", readOnlyHint: false, destructiveHint: true,
                                     idempotentHint: false))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        guard let kind = WorkloadKind(spelling: arguments.string("kind") ?? "Deployment") else {
            return .error("Restarting failed: kind must be \(WorkloadKind.spellings).")
        }
        return await KubeToolRun.run("Restarting") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let resource = try await connection.discovery.resolve(apiVersion: "apps/v1", kind: kind.rawValue)
            let name = try arguments.requiredString("name")
            let namespace = connection.namespace(for: resource, arguments.string("namespace"))
            let label = ManifestApplier.label(resource, name: name)
            let current = try await connection.get(resource, name: name, namespace: namespace)
            if current["spec"]?["paused"]?.boolValue == true {
                return .error("Restarting failed: \(label) is paused; resume it first (set spec.paused to false).")
            }
            let now = Self.timestamp(Date())
            let patch: JSONValue = ["spec": ["template": ["metadata": ["annotations": [Self.annotation: .string(now)]]]]]
            _ = try await connection.patch(resource, name: name, namespace: namespace, type: .strategicMerge,
                                           body: JSONWriter.encode(patch))
            return .text("\(label) restarted in namespace \(namespace ?? connection.defaultNamespace) "
                         + "(\(Self.annotation)=\(now)); its pods are being replaced. rollout_status waits until "
                         + "the rollout is complete.")
        }
    }

    /// RFC 3339 in UTC with seconds, as kubectl writes it (`2024-05-01T12:00:00Z`).
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
