/// `rollout_status`: waits until a Deployment, StatefulSet or DaemonSet has finished rolling out, like
/// `kubectl rollout status`, sending progress notifications while it waits.
struct RolloutStatusTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let defaultTimeoutSeconds = 60
    /// The longest wait one call may ask for.
    static let maxTimeoutSeconds = 600

    static let toolDefinition = ToolDefinition(
        name: "rollout_status", title: "Rollout status",
        description: """
            Waits until the rollout of a Deployment, StatefulSet or DaemonSet is complete (all replicas updated \
            and available, no old ones left), like kubectl rollout status, and reports progress while it waits. \
            Fails when the deployment exceeds its progress deadline or the timeout (default 60 s) passes.
            """,
        inputSchema: ToolSchema.object(properties: [
            "name": ToolSchema.string("The workload's name."),
            "namespace": ToolSchema.string("The namespace (default: the context's namespace)."),
            "kind": ToolSchema.string("Deployment (default), StatefulSet or DaemonSet (kubectl spellings such as "
                                          + "deploy, sts, ds work too).", default: "Deployment"),
            "timeoutSeconds": ToolSchema.integer("How long to wait at most.", default: defaultTimeoutSeconds,
                                                 minimum: 1, maximum: maxTimeoutSeconds),
            "context": KubeToolSchema.context,
        ], required: ["name"]),
        annotations: .readOnly(title: "Rollout status"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        guard let kind = WorkloadKind(spelling: arguments.string("kind") ?? "Deployment") else {
            return .error("Waiting for the rollout failed: kind must be \(WorkloadKind.spellings).")
        }
        guard let name = arguments.string("name") else { return .error("the argument \"name\" is required") }
        let seconds = min(max(arguments["timeoutSeconds"]?.intValue ?? Self.defaultTimeoutSeconds, 1),
                          Self.maxTimeoutSeconds)
        let connection: KubeClients.Connection
        let resource: APIResourceInfo
        do {
            connection = try await environment.clients.connection(context: arguments.string("context"))
            resource = try await connection.discovery.resolve(apiVersion: "apps/v1", kind: kind.rawValue)
        } catch {
            if case .cancelled = error { throw CancellationError() }
            return .error("Waiting for the rollout failed: \(error)")
        }
        let namespace = connection.namespace(for: resource, arguments.string("namespace"))
        let waiter = RolloutWaiter(connection: connection, resource: resource, kind: kind, name: name,
                                   namespace: namespace, timeout: .seconds(seconds), report: context.reportProgress)
        let clock = ContinuousClock()
        let start = clock.now
        let outcome: RolloutWaiter.Outcome
        do {
            outcome = try await waiter.wait()
        } catch let error as KubeError {
            return .error("Waiting for the rollout of \(kind.noun) \"\(name)\" failed: \(error)")
        }
        let waited = start.duration(to: clock.now)
        let place = "in namespace \(namespace ?? connection.defaultNamespace)"
        switch outcome {
        case .complete(let message):
            return .text("\(message) (\(place), waited \(Self.seconds(waited)))",
                         structured: ["complete": true, "message": .string(message)])
        case .failed(let message):
            return .error("The rollout \(place) failed: \(message). Look at its events (events_list with objectKind "
                          + "\(kind.rawValue) and objectName \(name)) and at its pods.")
        case .timedOut(let message):
            return .error("Timed out after \(seconds) s waiting for the rollout of \(kind.noun) \"\(name)\" \(place). "
                          + "Last status: \(message) Call rollout_status again to keep waiting, or look at the pods "
                          + "and events to see what holds it up.")
        }
    }

    /// `3.2 s`.
    static func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return "\(ms / 1000).\((ms % 1000) / 100) s"
    }
}
