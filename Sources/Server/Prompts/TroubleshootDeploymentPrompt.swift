import Foundation

/// `troubleshoot_deployment`: the deployment's replica counts, conditions and images, its pods' states, recent
/// events and the log of its first failing pod, read live, followed by steps naming the tools to call next.
///
/// Immutable and `Sendable`; runs off the loop.
struct TroubleshootDeploymentPrompt: Prompt {
    let names: KubeNames

    /// apps/v1 Deployments (fixed: every supported Kubernetes serves them there).
    static let deployments = APIResourceInfo(group: "apps", version: "v1", kind: "Deployment", plural: "deployments",
                                             singular: "deployment", shortNames: ["deploy"], namespaced: true)

    var definition: PromptDefinition {
        PromptDefinition(
            name: "troubleshoot_deployment", title: "Troubleshoot a deployment",
            description: """
                Finds out why a deployment is not available or not rolling out: reads its replica counts, \
                conditions, pods, recent events and the log of a failing pod, and asks for a diagnosis with next \
                steps.
                """,
            arguments: [
                .init(name: "deployment", description: "The deployment's name.", required: true),
                .init(name: "namespace", description: "Its namespace (default: the context's).", required: false),
                KubePrompts.contextArgument,
            ])
    }

    func complete(argument: String, prefix: String, context: [String: String]) async -> [String] {
        await KubePrompts.complete(argument: argument, prefix: prefix, context: context, names: names,
                                   objectArgument: ("deployment", "deployments.apps"))
    }

    func messages(arguments: [String: String]) async throws -> [JSONValue] {
        try await KubePrompts.troubleshoot(
            "deployment", argument: "deployment", arguments, names: names,
            steps: { Self.steps(name: $0, namespace: $1) },
            facts: { document, connection, namespace, name, now in
                await Self.addFacts(to: &document, connection: connection, namespace: namespace, name: name, now: now)
            })
    }

    static func addFacts(to document: inout PromptDocument, connection: KubeClients.Connection, namespace: String,
                         name: String, now: Date) async {
        let deployment: JSONValue
        do throws(KubeError) {
            deployment = try await KubePrompts.get(connection, deployments.path(namespace: namespace, name: name))
        } catch {
            document.failure("Deployment \(namespace)/\(name)", error)
            return
        }
        let spec = deployment["spec"]
        let status = deployment["status"]
        func count(_ key: String) -> Int { status?[key]?.intValue ?? 0 }
        var lines = [
            "replicas: desired \(spec?["replicas"]?.intValue ?? 1), current \(count("replicas")), "
                + "updated \(count("updatedReplicas")), ready \(count("readyReplicas")), "
                + "available \(count("availableReplicas")), unavailable \(count("unavailableReplicas"))",
            "generation \(deployment["metadata"]?["generation"]?.intValue ?? 0), observed "
                + "\(status?["observedGeneration"]?.intValue ?? 0)",
            "strategy \(spec?["strategy"]?["type"]?.stringValue ?? "RollingUpdate")"
                + (spec?["paused"]?.boolValue == true ? ", PAUSED" : ""),
        ]
        for c in spec?["template"]?["spec"]?["containers"]?.arrayValue ?? [] {
            lines.append("container \(c["name"]?.stringValue ?? "?"): image \(c["image"]?.stringValue ?? "?")")
        }
        let selector = KubeFacts.selectorString(spec?["selector"])
        lines.append("selector \(selector ?? "(none)")")
        document.section("Deployment \(namespace)/\(name)", lines)
        document.section("Conditions", KubeFacts.conditionLines(deployment))

        var failing: JSONValue?
        if let selector {
            do throws(KubeError) {
                let list = try await KubePrompts.get(connection, APIResourceInfo.pods.path(namespace: namespace),
                                                     query: [("labelSelector", selector), ("limit", "500")])
                let pods = list["items"]?.arrayValue ?? []
                let unhealthy = pods.filter { KubeFacts.isUnhealthy($0, now: now) }
                failing = unhealthy.first
                let shown = (unhealthy + pods.filter { !KubeFacts.isUnhealthy($0, now: now) }).prefix(KubeFacts.maxPods)
                var podLines = shown.map { KubeFacts.podLine($0, now: now) }
                if pods.count > shown.count { podLines.append("… and \(pods.count - shown.count) more pods") }
                document.section("Pods (\(pods.count), \(unhealthy.count) needing attention; those first)", podLines)
                if let failing {
                    document.section("Containers of \(KubeFacts.name(failing))", KubeFacts.containerLines(failing))
                }
            } catch {
                document.failure("Pods", error)
            }
        }

        do throws(KubeError) {
            let list = try await KubePrompts.get(connection, APIResourceInfo.events.path(namespace: namespace),
                                                 query: [("limit", "500")])
            // Events of the deployment, its ReplicaSets (name-hash) and its pods (name-hash-suffix).
            let related = (list["items"]?.arrayValue ?? []).filter { e in
                let object = e["involvedObject"]?["name"]?.stringValue ?? ""
                return object == name || object.hasPrefix(name + "-")
            }
            document.section("Recent events of the deployment, its ReplicaSets and pods (newest first)",
                             KubeFacts.eventLines(related, now: now))
        } catch {
            document.failure("Recent events", error)
        }

        if let failing {
            let podName = KubeFacts.name(failing)
            for (container, previous) in KubeFacts.failingContainers(failing).prefix(2) {
                let title = "Log of \(podName), container \(container)\(previous ? " (previous, crashed run)" : "")"
                do throws(KubeError) {
                    let bytes = try await connection.logs(
                        pod: podName, namespace: namespace,
                        options: .init(container: container, tailLines: KubeFacts.maxLogLines, previous: previous,
                                       limitBytes: KubeFacts.maxLogBytes))
                    document.section(title, KubeFacts.tail(String(decoding: bytes, as: UTF8.self)), indent: 4,
                                     bullet: false)
                } catch {
                    document.failure(title, error)
                }
            }
        }
    }

    static func steps(name: String, namespace: String) -> [String] {
        [
            "From the data above, say whether the deployment is healthy, progressing or stuck, and why. Typical "
                + "causes: pods crash or fail probes (see the pod's log and events), images cannot be pulled, pods "
                + "cannot be scheduled (events: insufficient resources, taints, quota), ProgressDeadlineExceeded, "
                + "a paused rollout, or a selector that matches no pods.",
            "If you need more, call this server's tools: `resources_get` {apiVersion: \"apps/v1\", kind: "
                + "\"Deployment\", name: \"\(name)\", namespace: \"\(namespace)\"} for the full spec; "
                + "`resources_list` {apiVersion: \"apps/v1\", kind: \"ReplicaSet\", namespace: \"\(namespace)\"} for "
                + "the rollout history; `pods_list_in_namespace` {namespace: \"\(namespace)\", labelSelector} for "
                + "its pods; `pods_get` and `pods_log` {previous: true} for a failing pod; `events_list` "
                + "{namespace: \"\(namespace)\", warningsOnly: true} for warnings. The troubleshoot_pod prompt digs "
                + "into one pod.",
            "Explain the cause citing the evidence and propose a concrete fix (a manifest change, a rollback, a "
                + "scale or restart). Do not change the cluster without the user's explicit confirmation.",
        ]
    }
}
