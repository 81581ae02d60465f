/// Whether a rollout is complete, by kubectl's own rules (`kubectl rollout status`, polymorphichelpers
/// `rollout_status.go`), with kubectl's messages, plus a completion percentage for progress notifications.
///
/// Stateless; any thread. Pure functions of one object, so every rule is tested from fixture objects.
enum RolloutRules {
    /// Where a rollout stands.
    struct State: Sendable, Equatable {
        enum Phase: Sendable, Equatable {
            case waiting, complete, failed
        }

        var phase: Phase
        /// kubectl's sentence, e.g. `Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are
        /// available...`.
        var message: String
        /// 0...100, a rough measure of how far the rollout got (100 when complete).
        var percent: Double
    }

    static func evaluate(_ kind: WorkloadKind, _ object: JSONValue) -> State {
        switch kind {
        case .deployment: return deployment(object)
        case .statefulSet: return statefulSet(object)
        case .daemonSet: return daemonSet(object)
        }
    }

    private static func int(_ value: JSONValue?) -> Int { value?.intValue ?? 0 }

    private static func percent(_ done: Int, of total: Int) -> Double {
        guard total > 0 else { return 0 }
        return min(99, max(0, Double(done) * 100 / Double(total)))
    }

    static func deployment(_ d: JSONValue) -> State {
        let name = d["metadata"]?["name"]?.stringValue ?? ""
        let status = d["status"]
        let generation = int(d["metadata"]?["generation"])
        guard generation <= int(status?["observedGeneration"]) else {
            return State(phase: .waiting, message: "Waiting for deployment spec update to be observed...", percent: 0)
        }
        let progressing = status?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Progressing" }
        if progressing?["reason"]?.stringValue == "ProgressDeadlineExceeded" {
            return State(phase: .failed, message: "deployment \"\(name)\" exceeded its progress deadline", percent: 0)
        }
        let desired = d["spec"]?["replicas"]?.intValue ?? 1
        let replicas = int(status?["replicas"])
        let updated = int(status?["updatedReplicas"])
        let available = int(status?["availableReplicas"])
        // Half the way is getting updated replicas, the other half getting them available.
        let progress = percent(min(updated, desired) + min(available, updated), of: 2 * desired)
        if updated < desired {
            return State(phase: .waiting, message: "Waiting for deployment \"\(name)\" rollout to finish: \(updated) "
                         + "out of \(desired) new replicas have been updated...", percent: progress)
        }
        if replicas > updated {
            return State(phase: .waiting, message: "Waiting for deployment \"\(name)\" rollout to finish: "
                         + "\(replicas - updated) old replicas are pending termination...", percent: progress)
        }
        if available < updated {
            return State(phase: .waiting, message: "Waiting for deployment \"\(name)\" rollout to finish: \(available) "
                         + "of \(updated) updated replicas are available...", percent: progress)
        }
        return State(phase: .complete, message: "deployment \"\(name)\" successfully rolled out", percent: 100)
    }

    static func daemonSet(_ ds: JSONValue) -> State {
        let name = ds["metadata"]?["name"]?.stringValue ?? ""
        let strategy = ds["spec"]?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate"
        guard strategy == "RollingUpdate" else {
            return State(phase: .failed, message: "rollout status is only available for RollingUpdate strategy type "
                         + "(daemon set \"\(name)\" uses \(strategy))", percent: 0)
        }
        let status = ds["status"]
        guard int(ds["metadata"]?["generation"]) <= int(status?["observedGeneration"]) else {
            return State(phase: .waiting, message: "Waiting for daemon set spec update to be observed...", percent: 0)
        }
        let desired = int(status?["desiredNumberScheduled"])
        let updated = int(status?["updatedNumberScheduled"])
        let available = int(status?["numberAvailable"])
        let progress = percent(min(updated, desired) + min(available, desired), of: 2 * desired)
        if updated < desired {
            return State(phase: .waiting, message: "Waiting for daemon set \"\(name)\" rollout to finish: \(updated) "
                         + "out of \(desired) new pods have been updated...", percent: progress)
        }
        if available < desired {
            return State(phase: .waiting, message: "Waiting for daemon set \"\(name)\" rollout to finish: \(available) "
                         + "of \(desired) updated pods are available...", percent: progress)
        }
        return State(phase: .complete, message: "daemon set \"\(name)\" successfully rolled out", percent: 100)
    }

    static func statefulSet(_ sts: JSONValue) -> State {
        let name = sts["metadata"]?["name"]?.stringValue ?? ""
        let strategy = sts["spec"]?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate"
        guard strategy == "RollingUpdate" else {
            return State(phase: .failed, message: "rollout status is only available for RollingUpdate strategy type "
                         + "(statefulset \"\(name)\" uses \(strategy))", percent: 0)
        }
        let status = sts["status"]
        let observed = int(status?["observedGeneration"])
        guard observed != 0, int(sts["metadata"]?["generation"]) <= observed else {
            return State(phase: .waiting, message: "Waiting for statefulset spec update to be observed...", percent: 0)
        }
        let desired = sts["spec"]?["replicas"]?.intValue ?? 1
        let ready = int(status?["readyReplicas"])
        let updated = int(status?["updatedReplicas"])
        if ready < desired {
            return State(phase: .waiting, message: "Waiting for \(desired - ready) pods to be ready...",
                         percent: percent(min(ready, desired) + min(updated, desired), of: 2 * desired))
        }
        if let rollingUpdate = sts["spec"]?["updateStrategy"]?["rollingUpdate"], rollingUpdate.objectValue != nil {
            if let partition = rollingUpdate["partition"]?.intValue, updated < desired - partition {
                return State(phase: .waiting, message: "Waiting for partitioned roll out to finish: \(updated) out of "
                             + "\(desired - partition) new pods have been updated...",
                             percent: percent(desired + updated, of: desired + desired - partition))
            }
            return State(phase: .complete, message: "partitioned roll out complete: \(updated) new pods have been "
                         + "updated...", percent: 100)
        }
        let updateRevision = status?["updateRevision"]?.stringValue ?? ""
        let currentRevision = status?["currentRevision"]?.stringValue ?? ""
        if updateRevision != currentRevision {
            return State(phase: .waiting, message: "waiting for statefulset rolling update to complete \(updated) pods "
                         + "at revision \(updateRevision)...", percent: percent(desired + updated, of: 2 * desired))
        }
        return State(phase: .complete, message: "statefulset rolling update complete \(int(status?["currentReplicas"])) "
                     + "pods at revision \(currentRevision)...", percent: 100)
    }
}
