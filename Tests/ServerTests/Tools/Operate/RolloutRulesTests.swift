import Testing
@testable import Server

/// `RolloutRules`: kubectl's completeness rules for each kind, from fixture objects.
@Suite struct RolloutRulesTests {
    /// The Deployment fixture (complete: 2 of 2 updated and available), renamed `web`.
    private func deployment(_ edits: [([String], JSONValue?)] = []) throws -> JSONValue {
        var d = K8sFixture.setting(try K8sFixture.load("deployment.json"), ["metadata", "name"], to: "web")
        for (path, value) in edits { d = K8sFixture.setting(d, path, to: value) }
        return d
    }

    @Test func completeDeployment() throws {
        let state = RolloutRules.evaluate(.deployment, try deployment())
        #expect(state == .init(phase: .complete, message: "deployment \"web\" successfully rolled out", percent: 100))
    }

    @Test func deploymentWhoseSpecIsNotObservedYet() throws {
        let state = RolloutRules.evaluate(.deployment, try deployment([(["metadata", "generation"], 2)]))
        #expect(state.phase == .waiting)
        #expect(state.message == "Waiting for deployment spec update to be observed...")
    }

    @Test func deploymentWaitingForUpdatedReplicas() throws {
        let state = RolloutRules.evaluate(.deployment, try deployment([
            (["spec", "replicas"], 3), (["status", "replicas"], 3), (["status", "updatedReplicas"], 1),
            (["status", "availableReplicas"], 2),
        ]))
        #expect(state.phase == .waiting)
        #expect(state.message
                == "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...")
        #expect(state.percent > 0 && state.percent < 100)
    }

    @Test func deploymentWaitingForOldReplicasToGo() throws {
        let state = RolloutRules.evaluate(.deployment, try deployment([(["status", "replicas"], 3)]))
        #expect(state.message == "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending "
                + "termination...")
    }

    @Test func deploymentWaitingForAvailability() throws {
        let state = RolloutRules.evaluate(.deployment, try deployment([(["status", "availableReplicas"], 1)]))
        #expect(state.message
                == "Waiting for deployment \"web\" rollout to finish: 1 of 2 updated replicas are available...")
        #expect(state.percent == 75)
    }

    @Test func deploymentPastItsProgressDeadlineFails() throws {
        let conditions: JSONValue = [["type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"]]
        let state = RolloutRules.evaluate(.deployment, try deployment([(["status", "conditions"], conditions),
                                                                       (["status", "availableReplicas"], 0)]))
        #expect(state.phase == .failed)
        #expect(state.message == "deployment \"web\" exceeded its progress deadline")
    }

    @Test func deploymentWithoutReplicasMeansOne() throws {
        let state = RolloutRules.evaluate(.deployment, try deployment([
            (["spec", "replicas"], nil), (["status", "replicas"], 1), (["status", "updatedReplicas"], 1),
            (["status", "availableReplicas"], 1),
        ]))
        #expect(state.phase == .complete)
    }

    private func daemonSet(desired: Int, updated: Int, available: Int, generation: Int = 1, observed: Int = 1,
                           strategy: String? = nil) -> JSONValue {
        var spec = JSONObject()
        if let strategy { spec["updateStrategy"] = ["type": .string(strategy)] }
        return ["apiVersion": "apps/v1", "kind": "DaemonSet",
                "metadata": ["name": "agent", "generation": .int(generation)], "spec": .object(spec),
                "status": ["observedGeneration": .int(observed), "desiredNumberScheduled": .int(desired),
                           "updatedNumberScheduled": .int(updated), "numberAvailable": .int(available)]]
    }

    @Test func daemonSetRules() {
        #expect(RolloutRules.evaluate(.daemonSet, daemonSet(desired: 3, updated: 3, available: 3))
                == .init(phase: .complete, message: "daemon set \"agent\" successfully rolled out", percent: 100))
        #expect(RolloutRules.evaluate(.daemonSet, daemonSet(desired: 3, updated: 1, available: 3)).message
                == "Waiting for daemon set \"agent\" rollout to finish: 1 out of 3 new pods have been updated...")
        #expect(RolloutRules.evaluate(.daemonSet, daemonSet(desired: 3, updated: 3, available: 2)).message
                == "Waiting for daemon set \"agent\" rollout to finish: 2 of 3 updated pods are available...")
        #expect(RolloutRules.evaluate(.daemonSet, daemonSet(desired: 3, updated: 3, available: 3, generation: 2)).message
                == "Waiting for daemon set spec update to be observed...")
        let onDelete = RolloutRules.evaluate(.daemonSet, daemonSet(desired: 1, updated: 0, available: 0,
                                                                    strategy: "OnDelete"))
        #expect(onDelete.phase == .failed)
        #expect(onDelete.message.hasPrefix("rollout status is only available for RollingUpdate strategy type"))
    }

    private func statefulSet(replicas: Int, ready: Int, updated: Int, current: String = "web-1",
                             update: String = "web-1", partition: Int? = nil, observed: Int = 1,
                             strategy: String = "RollingUpdate") -> JSONValue {
        var updateStrategy = JSONObject([("type", .string(strategy))])
        if let partition { updateStrategy["rollingUpdate"] = ["partition": .int(partition)] }
        return ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db", "generation": 1],
                "spec": ["replicas": .int(replicas), "updateStrategy": .object(updateStrategy)],
                "status": ["observedGeneration": .int(observed), "readyReplicas": .int(ready),
                           "updatedReplicas": .int(updated), "currentReplicas": .int(updated),
                           "currentRevision": .string(current), "updateRevision": .string(update)]]
    }

    @Test func statefulSetRules() {
        #expect(RolloutRules.evaluate(.statefulSet, statefulSet(replicas: 3, ready: 3, updated: 3)) == .init(
            phase: .complete, message: "statefulset rolling update complete 3 pods at revision web-1...", percent: 100))
        #expect(RolloutRules.evaluate(.statefulSet, statefulSet(replicas: 3, ready: 1, updated: 3)).message
                == "Waiting for 2 pods to be ready...")
        #expect(RolloutRules.evaluate(.statefulSet, statefulSet(replicas: 3, ready: 3, updated: 3, observed: 0)).message
                == "Waiting for statefulset spec update to be observed...")
        #expect(RolloutRules.evaluate(.statefulSet, statefulSet(replicas: 3, ready: 3, updated: 1, current: "web-1",
                                                                update: "web-2")).message
                == "waiting for statefulset rolling update to complete 1 pods at revision web-2...")
        // What a real API server returns: rollingUpdate defaulted to partition 0.
        #expect(RolloutRules.evaluate(.statefulSet, statefulSet(replicas: 3, ready: 3, updated: 2, partition: 0)).message
                == "Waiting for partitioned roll out to finish: 2 out of 3 new pods have been updated...")
        #expect(RolloutRules.evaluate(.statefulSet, statefulSet(replicas: 3, ready: 3, updated: 1, partition: 2)) == .init(
            phase: .complete, message: "partitioned roll out complete: 1 new pods have been updated...", percent: 100))
        #expect(RolloutRules.evaluate(.statefulSet, statefulSet(replicas: 1, ready: 1, updated: 1,
                                                                strategy: "OnDelete")).phase == .failed)
    }
}

/// `RolloutProgress`: what `rollout_status` sends while it waits.
@Suite struct RolloutProgressTests {
    private func waiting(_ message: String, _ percent: Double) -> RolloutRules.State {
        .init(phase: .waiting, message: message, percent: percent)
    }

    @Test func sendsOnlyWhenTheMessageChangesAndAlwaysIncreases() {
        var p = RolloutProgress()
        #expect(p.observe(waiting("a", 50), at: .zero) == .init(progress: 50, message: "a"))
        #expect(p.observe(waiting("a", 50), at: .seconds(1)) == nil)
        // The rollout went back (a new scale-up): the value still grows.
        #expect(p.observe(waiting("b", 25), at: .seconds(2)) == .init(progress: 50.1, message: "b"))
        #expect(p.observe(waiting("c", 75), at: .seconds(3)) == .init(progress: 75, message: "c"))
        #expect(p.observe(.init(phase: .complete, message: "done", percent: 100), at: .seconds(4))
                == .init(progress: 100, message: "done"))
    }

    @Test func heartbeatsRepeatTheLastMessage() {
        var p = RolloutProgress(heartbeat: .seconds(10))
        #expect(p.tick(at: .seconds(20)) == nil)  // nothing sent yet
        _ = p.observe(waiting("a", 10), at: .seconds(1))
        #expect(p.tick(at: .seconds(5)) == nil)
        #expect(p.tick(at: .seconds(11)) == .init(progress: 10.1, message: "a (waited 11 s)"))
        #expect(p.tick(at: .seconds(15)) == nil)
        #expect(p.tick(at: .seconds(21)) == .init(progress: 10.2, message: "a (waited 21 s)"))
    }

    @Test func waitingNeverReportsOneHundred() {
        var p = RolloutProgress()
        #expect(p.observe(waiting("a", 99.9), at: .zero)?.progress == 99.9)
        #expect(p.observe(waiting("b", 99.9), at: .zero) == nil)  // no room left below 100
        #expect(p.observe(.init(phase: .complete, message: "done", percent: 100), at: .zero)?.progress == 100)
    }
}
