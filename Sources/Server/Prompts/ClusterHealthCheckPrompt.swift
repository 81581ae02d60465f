import Foundation

/// `cluster_health_check`: nodes and their conditions, pods that are not running well, deployments short of
/// replicas and recent warning events (cluster-wide or in one namespace), read live, followed by steps naming
/// the tools to call next.
///
/// Immutable and `Sendable`; runs off the loop.
struct ClusterHealthCheckPrompt: Prompt {
    let names: KubeNames

    /// Pods read at most for the counts.
    static let maxPodsRead = 5_000
    /// Nodes listed one per line at most (the rest are counted).
    static let maxNodes = 50

    var definition: PromptDefinition {
        PromptDefinition(
            name: "cluster_health_check", title: "Cluster health check",
            description: """
                Checks the cluster's health: node conditions, pods that are not running or keep restarting, \
                deployments short of replicas and recent warning events (all namespaces, or one), and asks for a \
                prioritised summary with next steps.
                """,
            arguments: [
                .init(name: "namespace", description: "Only this namespace (default: all namespaces).", required: false),
                KubePrompts.contextArgument,
            ])
    }

    func complete(argument: String, prefix: String, context: [String: String]) async -> [String] {
        await KubePrompts.complete(argument: argument, prefix: prefix, context: context, names: names)
    }

    func messages(arguments: [String: String]) async throws -> [JSONValue] {
        try KubePrompts.check(arguments)
        let namespace = KubePrompts.value(arguments, "namespace")
        let scope = namespace.map { "namespace \($0)" } ?? "all namespaces"
        let now = Date()
        let connection: KubeClients.Connection
        switch await KubePrompts.connection(names, arguments) {
        case .success(let c): connection = c
        case .failure(let error):
            var document = PromptDocument(heading: "Check the health of the Kubernetes cluster (\(scope)).")
            document.failure("Cluster connection", error)
            document.instructions(Self.steps(namespace: namespace))
            return [KubePrompts.userMessage(document.result)]
        }
        var document = PromptDocument(
            heading: "Check the health of the Kubernetes cluster of context \(connection.contextName) (\(scope)).")
        await Self.addNodes(to: &document, connection: connection)
        await Self.addPods(to: &document, connection: connection, namespace: namespace, now: now)
        await Self.addDeployments(to: &document, connection: connection, namespace: namespace)
        do throws(KubeError) {
            let events = try await KubePrompts.get(
                connection, APIResourceInfo.events.path(namespace: namespace),
                query: [("fieldSelector", "type=Warning"), ("limit", "500")])
            document.section("Recent warning events (newest first)",
                             KubeFacts.eventLines(events["items"]?.arrayValue ?? [], now: now))
        } catch {
            document.failure("Recent warning events", error)
        }
        document.instructions(Self.steps(namespace: namespace))
        return [KubePrompts.userMessage(document.result)]
    }

    static func addNodes(to document: inout PromptDocument, connection: KubeClients.Connection) async {
        do throws(KubeError) {
            let list = try await KubePrompts.get(connection, APIResourceInfo.nodes.path())
            let nodes = list["items"]?.arrayValue ?? []
            var lines: [String] = []
            var unhealthy = 0
            for node in nodes {
                let conditions = node["status"]?["conditions"]?.arrayValue ?? []
                let ready = ClusterInfoTool.isReady(node)
                // Pressure conditions are healthy when False.
                let problems = conditions.filter {
                    $0["type"]?.stringValue != "Ready" && $0["status"]?.stringValue == "True"
                }.compactMap { $0["type"]?.stringValue }
                let cordoned = node["spec"]?["unschedulable"]?.boolValue == true
                if !ready || !problems.isEmpty || cordoned { unhealthy += 1 } else if lines.count >= maxNodes { continue }
                var line = "\(KubeFacts.name(node)): \(ready ? "Ready" : "NotReady")"
                if !problems.isEmpty { line += ", " + problems.joined(separator: ", ") }
                if cordoned { line += ", cordoned (unschedulable)" }
                line += ", kubelet \(node["status"]?["nodeInfo"]?["kubeletVersion"]?.stringValue ?? "?")"
                if !ready, let c = conditions.first(where: { $0["type"]?.stringValue == "Ready" }) {
                    line += ": \(c["reason"]?.stringValue ?? "") \(c["message"]?.stringValue ?? "")"
                }
                lines.append(KubeFacts.clip(line))
            }
            document.section("Nodes (\(nodes.count), \(unhealthy) with problems)", lines)
        } catch {
            document.failure("Nodes", error)
        }
    }

    static func addPods(to document: inout PromptDocument, connection: KubeClients.Connection, namespace: String?,
                        now: Date) async {
        do throws(KubeError) {
            let list = try await KubePrompts.get(connection, APIResourceInfo.pods.path(namespace: namespace),
                                                 query: [("limit", String(maxPodsRead))])
            let pods = list["items"]?.arrayValue ?? []
            var byStatus: [String: Int] = [:]
            for pod in pods { byStatus[TableRenderer.podSummary(pod, now: now).status, default: 0] += 1 }
            let counts = byStatus.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let unhealthy = pods.filter { KubeFacts.isUnhealthy($0, now: now) }
            var lines = ["\(pods.count) pods\(list["metadata"]?["continue"]?.stringValue?.isEmpty == false ? "+" : ""): "
                         + (counts.isEmpty ? "none" : counts)]
            lines += unhealthy.prefix(KubeFacts.maxPods).map { KubeFacts.podLine($0, now: now, withNamespace: true) }
            if unhealthy.count > KubeFacts.maxPods {
                lines.append("… and \(unhealthy.count - KubeFacts.maxPods) more pods needing attention")
            }
            document.section("Pods needing attention (\(unhealthy.count): not running, not ready, or restarting)", lines)
        } catch {
            document.failure("Pods", error)
        }
    }

    static func addDeployments(to document: inout PromptDocument, connection: KubeClients.Connection,
                               namespace: String?) async {
        do throws(KubeError) {
            let list = try await KubePrompts.get(
                connection, TroubleshootDeploymentPrompt.deployments.path(namespace: namespace),
                query: [("limit", "1000")])
            let deployments = list["items"]?.arrayValue ?? []
            let short = deployments.filter { d in
                let desired = d["spec"]?["replicas"]?.intValue ?? 1
                return (d["status"]?["availableReplicas"]?.intValue ?? 0) < desired
                    || (d["status"]?["unavailableReplicas"]?.intValue ?? 0) > 0
            }
            let lines = short.prefix(KubeFacts.maxPods).map { d in
                let status = d["status"]
                return "\(KubeFacts.namespace(d) ?? "?")/\(KubeFacts.name(d)): available "
                    + "\(status?["availableReplicas"]?.intValue ?? 0) of \(d["spec"]?["replicas"]?.intValue ?? 1), "
                    + "ready \(status?["readyReplicas"]?.intValue ?? 0), updated \(status?["updatedReplicas"]?.intValue ?? 0)"
            }
            document.section("Deployments short of replicas (\(short.count) of \(deployments.count))", lines)
        } catch {
            document.failure("Deployments", error)
        }
    }

    static func steps(namespace: String?) -> [String] {
        let ns = namespace.map { "namespace: \"\($0)\"" } ?? "no namespace for all"
        return [
            "Summarise the cluster's health in a few lines: what is fine, what is degraded, what is broken, ordered "
                + "by impact (NotReady nodes and unavailable deployments first).",
            "For each problem, dig in with this server's tools: `pods_get` and `pods_log` {previous: true} for a "
                + "failing pod; `events_list` {\(ns), warningsOnly: true} for more warnings; `resources_get` for a "
                + "deployment, node or other object; `cluster_info` for versions and API groups. The "
                + "troubleshoot_pod and troubleshoot_deployment prompts dig into one object.",
            "Propose concrete next steps for each problem. Do not change the cluster without the user's explicit "
                + "confirmation.",
        ]
    }
}
