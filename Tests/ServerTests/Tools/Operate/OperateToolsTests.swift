import Foundation
import Testing
@testable import Server

/// The small pieces of the write tools: kind spellings, pod names, answers, annotations.
@Suite struct OperateToolsTests {
    @Test func workloadKindsInKubectlSpellings() {
        for s in ["Deployment", "deployment", "deployments", "deploy", "deployments.apps", "deployment.v1.apps"] {
            #expect(WorkloadKind(spelling: s) == .deployment, "\(s)")
        }
        for s in ["StatefulSet", "statefulsets", "sts"] { #expect(WorkloadKind(spelling: s) == .statefulSet) }
        for s in ["DaemonSet", "daemonset", "ds"] { #expect(WorkloadKind(spelling: s) == .daemonSet) }
        #expect(WorkloadKind(spelling: "CronJob") == nil)
        #expect(WorkloadKind(spelling: "") == nil)
    }

    @Test func podNamesComeFromTheImage() {
        #expect(PodsRunTool.name(fromImage: "nginx", suffix: "abcde") == "nginx-abcde")
        #expect(PodsRunTool.name(fromImage: "docker.io/library/nginx:1.27", suffix: "x") == "nginx-x")
        #expect(PodsRunTool.name(fromImage: "localhost:5000/team/My_App@sha256:0123", suffix: "x") == "my-app-x")
        #expect(PodsRunTool.name(fromImage: "___", suffix: "x") == "pod-x")
        let generated = PodsRunTool.name(fromImage: "busybox")
        #expect(generated.hasPrefix("busybox-") && generated.count == "busybox-".count + 5)
        #expect(generated.dropFirst(8).allSatisfy { PodsRunTool.suffixAlphabet.contains($0) })
    }

    @Test func thePodIsAPlainKubectlRunPod() {
        let pod = PodsRunTool.pod(name: "web", image: "nginx", arguments: JSONObject([
            ("command", ["sh", "-c", "echo; rm -rf /"]), ("port", 80), ("env", ["A": "1"]), ("labels", ["team": "x"]),
        ]))
        #expect(pod["metadata"]?["labels"] == ["run": "web", "team": "x"])
        let container = pod["spec"]?["containers"]?.arrayValue?.first
        #expect(container?["command"] == ["sh", "-c", "echo; rm -rf /"])  // argv as given, never through a shell
        #expect(container?["ports"] == [["containerPort": 80]])
        #expect(container?["env"] == [["name": "A", "value": "1"]])
        #expect(pod["spec"]?["restartPolicy"] == "Always")
    }

    @Test func applyAnswersListPathsAndFailures() {
        var outcome = ApplyOutcome(apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop",
                                   label: "deployment.apps/web", action: .configured,
                                   changedFields: (1...25).map { "spec.f\($0)" }, place: "document 1 (line 1)")
        let line = outcome.line(dryRun: true)
        #expect(line.hasPrefix("deployment.apps/web configured (dry run) in namespace shop; changed: spec.f1, "))
        #expect(line.hasSuffix("spec.f20 and 5 more"))
        #expect(outcome.json["changedFields"]?.arrayValue?.count == 20)
        #expect(outcome.json["moreChangedFields"] == 5)
        outcome.action = .failed
        outcome.error = "boom"
        #expect(outcome.line(dryRun: false) == "deployment.apps/web failed in namespace shop (document 1 (line 1)): boom")
        let result = ResourcesCreateOrUpdateTool.result([outcome], dryRun: false)
        #expect(result.isError)
        #expect(ArgumentValidator.firstViolation(in: result.structuredContent?.objectValue ?? JSONObject(),
                                                 against: ApplyOutcome.outputSchema) == nil)
    }

    @Test func applyConflictsSayHowToForce() {
        let conflict = KubeError.status(KubeStatus(code: 409, reason: "Conflict",
                                                   message: "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas"))
        #expect(ManifestApplier.message(conflict).contains("force: true"))
        #expect(ManifestApplier.label(APIResourceInfo(group: "apps", version: "v1", kind: "Deployment",
                                                      plural: "deployments", singular: "deployment", namespaced: true),
                                      name: "web") == "deployment.apps/web")
        #expect(ManifestApplier.label(.pods, name: "p") == "pod/p")
    }

    @Test func deleteAnswersSayWhatHappens() {
        let gone: JSONValue = ["kind": "Status", "status": "Success"]
        #expect(ResourcesDeleteTool.describe(gone, label: "configmap/c", namespace: "ns", policy: "Background",
                                             dryRun: false) == "configmap/c deleted in namespace ns (propagation Background)")
        let terminating: JSONValue = ["kind": "Pod", "metadata": ["deletionTimestamp": "2024-01-01T00:00:00Z",
                                                                  "deletionGracePeriodSeconds": 30]]
        #expect(ResourcesDeleteTool.describe(terminating, label: "pod/p", namespace: "ns", policy: nil, dryRun: false)
                == "pod/p is being deleted (grace period 30 s) in namespace ns")
        let finalizing: JSONValue = ["kind": "Namespace", "metadata": ["deletionTimestamp": "t",
                                                                       "finalizers": ["kubernetes"]]]
        #expect(ResourcesDeleteTool.describe(finalizing, label: "namespace/x", namespace: nil, policy: nil, dryRun: false)
                == "namespace/x is being deleted; it waits for the finalizers kubernetes")
        #expect(ResourcesDeleteTool.describe(gone, label: "service/s", namespace: nil, policy: nil, dryRun: true)
                == "service/s would be deleted (dry run: nothing was deleted)")
    }

    @Test func restartTimestampsAreRFC3339() {
        #expect(DeploymentsRestartTool.timestamp(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14T22:13:20Z")
    }

    @Test func annotationsAreTruthful() {
        let defs = Dictionary(uniqueKeysWithValues: [
            ResourcesCreateOrUpdateTool.toolDefinition, ResourcesDeleteTool.toolDefinition,
            ResourcesScaleTool.toolDefinition, PodsDeleteTool.toolDefinition, PodsRunTool.toolDefinition,
            DeploymentsRestartTool.toolDefinition, RolloutStatusTool.toolDefinition,
        ].map { ($0.name, $0.annotations) })
        func hints(_ name: String) -> [Bool] {
            guard let a = defs[name] else { return [] }
            return [a.readOnlyHint, a.destructiveHint, a.idempotentHint]
        }
        #expect(hints("resources_create_or_update") == [false, true, true])
        #expect(hints("resources_delete") == [false, true, true])
        #expect(hints("resources_scale") == [false, true, true])
        #expect(hints("pods_delete") == [false, true, true])
        #expect(hints("pods_run") == [false, false, false])
        #expect(hints("deployments_restart") == [false, true, false])
        #expect(hints("rollout_status") == [true, false, true])
    }

    @Test func durationsReadAsSeconds() {
        #expect(RolloutStatusTool.seconds(.milliseconds(3250)) == "3.2 s")
        #expect(RolloutStatusTool.seconds(.seconds(60)) == "60.0 s")
    }
}
