import Foundation

/// `troubleshoot_pod`: the pod's status, container states, conditions, recent events and the last log lines of
/// its failing containers, read live, followed by steps naming the tools to call next.
///
/// Immutable and `Sendable`; runs off the loop.
struct TroubleshootPodPrompt: Prompt {
    let names: KubeNames

    var definition: PromptDefinition {
        PromptDefinition(
            name: "troubleshoot_pod", title: "Troubleshoot a pod",
            description: """
                Finds out why a pod is failing: reads its status, container states, conditions, recent events and \
                the last log lines of failing containers, and asks for a diagnosis with next steps.
                """,
            arguments: [
                .init(name: "pod", description: "The pod's name.", required: true),
                .init(name: "namespace", description: "The pod's namespace (default: the context's).", required: false),
                KubePrompts.contextArgument,
            ])
    }

    func complete(argument: String, prefix: String, context: [String: String]) async -> [String] {
        await KubePrompts.complete(argument: argument, prefix: prefix, context: context, names: names,
                                   objectArgument: ("pod", "pods"))
    }

    func messages(arguments: [String: String]) async throws -> [JSONValue] {
        try await KubePrompts.troubleshoot(
            "pod", argument: "pod", arguments, names: names, steps: { Self.steps(pod: $0, namespace: $1) },
            facts: { document, connection, namespace, pod, now in
                await Self.addFacts(to: &document, connection: connection, namespace: namespace, pod: pod, now: now)
            })
    }

    /// The pod, its events and failing containers' logs as sections.
    static func addFacts(to document: inout PromptDocument, connection: KubeClients.Connection, namespace: String,
                         pod: String, now: Date) async {
        let object: JSONValue
        do throws(KubeError) {
            object = try await KubePrompts.get(connection, APIResourceInfo.pods.path(namespace: namespace, name: pod))
        } catch {
            document.failure("Pod \(namespace)/\(pod)", error)
            return
        }
        var lines = [KubeFacts.podLine(object, now: now)]
        if let phase = object["status"]?["phase"]?.stringValue { lines.append("phase \(phase)") }
        if let reason = object["status"]?["reason"]?.stringValue {
            lines.append("reason \(reason): \(KubeFacts.clip(object["status"]?["message"]?.stringValue ?? ""))")
        }
        for owner in object["metadata"]?["ownerReferences"]?.arrayValue ?? [] {
            lines.append("owned by \(owner["kind"]?.stringValue ?? "?") \(owner["name"]?.stringValue ?? "?")")
        }
        document.section("Pod \(namespace)/\(pod)", lines)
        document.section("Conditions", KubeFacts.conditionLines(object))
        document.section("Containers", KubeFacts.containerLines(object))

        do throws(KubeError) {
            let events = try await KubePrompts.get(
                connection, APIResourceInfo.events.path(namespace: namespace),
                query: [("fieldSelector", "involvedObject.name=\(pod),involvedObject.kind=Pod"), ("limit", "200")])
            document.section("Recent events of the pod (newest first)",
                             KubeFacts.eventLines(events["items"]?.arrayValue ?? [], now: now))
        } catch {
            document.failure("Recent events of the pod", error)
        }

        for (container, previous) in KubeFacts.failingContainers(object) {
            let title = "Log of container \(container)\(previous ? " (previous, crashed run)" : ""), last lines"
            do throws(KubeError) {
                let bytes = try await connection.logs(
                    pod: pod, namespace: namespace,
                    options: .init(container: container, tailLines: KubeFacts.maxLogLines, previous: previous,
                                   limitBytes: KubeFacts.maxLogBytes))
                document.section(title, KubeFacts.tail(String(decoding: bytes, as: UTF8.self)), indent: 4, bullet: false)
            } catch {
                document.failure(title, error)
            }
        }
    }

    static func steps(pod: String, namespace: String) -> [String] {
        [
            "From the data above, name the most likely cause. Typical ones: the process crashes (read the log), "
                + "CrashLoopBackOff after a failed start (check the previous run's log and the command/config), "
                + "ImagePullBackOff/ErrImagePull (image name, tag, registry credentials), Pending (scheduling events: "
                + "insufficient CPU/memory, taints, node selectors, unbound PersistentVolumeClaims), OOMKilled "
                + "(memory limit too low), failing readiness or liveness probes (probe events).",
            "If you need more, call this server's tools: `pods_get` {name: \"\(pod)\", namespace: \"\(namespace)\"} "
                + "for the full spec and status; `pods_log` {name: \"\(pod)\", namespace: \"\(namespace)\", "
                + "container, previous: true, tail: 200} for more log lines; `events_list` {namespace: "
                + "\"\(namespace)\", objectName: \"\(pod)\"} for all its events; `resources_get` for its owner "
                + "(ReplicaSet, Deployment, StatefulSet, Job) and for the ConfigMaps, Secrets (values stay redacted), "
                + "Services and PersistentVolumeClaims it references.",
            "Explain the cause in a few sentences, citing the evidence (event, log line, state), and propose a "
                + "concrete fix (a manifest change or a command). Do not change the cluster without the user's "
                + "explicit confirmation.",
        ]
    }
}
