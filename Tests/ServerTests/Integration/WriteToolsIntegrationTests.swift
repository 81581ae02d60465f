import Foundation
import Testing
@testable import Server

/// The write tools' building blocks against the fake cluster: server-side apply answers (created, configured,
/// unchanged, dry run, conflicts and force) and waiting for rollouts (complete, timeout, cancellation).
@Suite(.serialized) final class WriteToolsIntegrationTests {
    let cluster: FakeClusterProcess

    init() throws {
        RunningLoop.ensure()
        cluster = try FakeClusterProcess(extra: ["--bookmark-interval", "0.2"])
    }

    deinit { cluster.stop() }

    private func manifest(_ ns: String, replicas: Int = 1, image: String = "nginx:1.27", delay: String = "0.2")
        throws -> [Manifest]
    {
        try ManifestParser.parse("""
            apiVersion: v1
            kind: Namespace
            metadata: {name: \(ns)}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: \(replicas)
              selector: {matchLabels: {app: web}}
              template:
                metadata:
                  labels: {app: web}
                  annotations: {fake.kube-mcp.io/start-delay-seconds: "\(delay)"}
                spec:
                  containers: [{name: web, image: "\(image)", env: [{name: PORT, value: "8080"}]}]
            """)
    }

    private func apply(_ connection: KubeClients.Connection, _ manifests: [Manifest], namespace: String,
                       force: Bool = false, dryRun: Bool = false) async throws -> [ApplyOutcome] {
        try await ManifestApplier(connection: connection, namespace: namespace, force: force, dryRun: dryRun)
            .apply(manifests)
    }

    @Test func serverSideApplyReportsWhatChanged() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        let ns = "it-apply"
        var outcomes = try await apply(connection, try manifest(ns), namespace: ns)
        #expect(outcomes.map(\.action) == [.created, .created])
        #expect(outcomes.map(\.label) == ["namespace/\(ns)", "deployment.apps/web"])
        #expect(outcomes[0].namespace == nil && outcomes[1].namespace == ns)

        outcomes = try await apply(connection, try manifest(ns), namespace: ns)
        #expect(outcomes.map(\.action) == [.unchanged, .unchanged])

        // A dry run reports the change and leaves the object as it was.
        outcomes = try await apply(connection, try manifest(ns, image: "nginx:1.28"), namespace: ns, dryRun: true)
        #expect(outcomes[1].action == .configured)
        #expect(outcomes[1].changedFields == ["spec.template.spec.containers[name=web].image"])
        let deployments = try await connection.discovery.resolve(apiVersion: "apps/v1", kind: "Deployment")
        var live = try await connection.get(deployments, name: "web", namespace: ns)
        #expect(live["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "nginx:1.27")
        #expect(live["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["env"] == [["name": "PORT", "value": "8080"]])
        #expect(live["metadata"]?["managedFields"]?.arrayValue?.contains { $0["manager"] == "kube-mcp" } == true)

        outcomes = try await apply(connection, try manifest(ns, image: "nginx:1.28"), namespace: ns)
        #expect(outcomes[1].action == .configured)
        live = try await connection.get(deployments, name: "web", namespace: ns)
        #expect(live["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "nginx:1.28")

        // Another manager owns replicas now: a conflict without force, taken over with it.
        _ = try await connection.scale(deployments, name: "web", namespace: ns, replicas: 2)
        outcomes = try await apply(connection, try manifest(ns, image: "nginx:1.28"), namespace: ns)
        #expect(outcomes[1].action == .failed)
        #expect(outcomes[1].error?.contains("force: true") == true)
        outcomes = try await apply(connection, try manifest(ns, image: "nginx:1.28"), namespace: ns, force: true)
        #expect(outcomes[1].action == .configured && outcomes[1].changedFields == ["spec.replicas"])
    }

    @Test func oneFailingObjectDoesNotStopTheOthers() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        let manifests = try ManifestParser.parse("""
            apiVersion: example.com/v1
            kind: Gizmo
            metadata: {name: g}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: after-the-gizmo, namespace: other}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: fine}
            data: {a: "1"}
            """)
        let outcomes = try await apply(connection, manifests, namespace: "default")
        #expect(outcomes.map(\.action) == [.failed, .failed, .created])
        #expect(outcomes[0].error?.contains("Gizmo") == true)
        #expect(outcomes[1].error?.contains("differs from the namespace argument") == true)
        let result = ResourcesCreateOrUpdateTool.result(outcomes, dryRun: false)
        #expect(result.isError)
        guard case .text(let text)? = result.content.first else { return }
        #expect(text.hasPrefix("2 of 3 objects failed; 1 applied"))
    }

    private func waiter(_ connection: KubeClients.Connection, ns: String, timeout: Duration,
                        notes: NoteLog) async throws -> RolloutWaiter {
        let deployments = try await connection.discovery.resolve(apiVersion: "apps/v1", kind: "Deployment")
        return RolloutWaiter(connection: connection, resource: deployments, kind: .deployment, name: "web",
                             namespace: ns, timeout: timeout,
                             report: { progress, _, message in await notes.add(progress, message ?? "") })
    }

    @Test func waitsForARolloutWithProgress() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        let ns = "it-rollout"
        // Pods take 1.5 s each to start, so the waiter surely sees the rollout unfinished, even on a loaded machine.
        _ = try await apply(connection, try manifest(ns, replicas: 2, delay: "1.5"), namespace: ns)
        let notes = NoteLog()
        let outcome = try await waiter(connection, ns: ns, timeout: .seconds(20), notes: notes).wait()
        #expect(outcome == .complete("deployment \"web\" successfully rolled out"))
        let seen = await notes.items
        #expect(seen.contains { $0.1.hasPrefix("Waiting for deployment \"web\" rollout to finish") })
        #expect(seen.last?.0 == 100)
        #expect(seen.map(\.0) == seen.map(\.0).sorted())
    }

    @Test func timesOutWithTheLastState() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        let ns = "it-timeout"
        _ = try await apply(connection, try manifest(ns, delay: "60"), namespace: ns)
        let start = ContinuousClock.now
        let outcome = try await waiter(connection, ns: ns, timeout: .seconds(1), notes: NoteLog()).wait()
        guard case .timedOut(let message) = outcome else {
            Issue.record("expected a timeout, got \(outcome)")
            return
        }
        #expect(message.hasPrefix("Waiting for deployment"))
        #expect(ContinuousClock.now - start < .seconds(4))
    }

    @Test func cancellationStopsTheWatchAtOnce() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        let ns = "it-cancel"
        _ = try await apply(connection, try manifest(ns, delay: "60"), namespace: ns)
        let notes = NoteLog()
        let waiter = try await waiter(connection, ns: ns, timeout: .seconds(60), notes: notes)
        let task = Task { try await waiter.wait() }
        // Wait until the watch is open.
        let deadline = ContinuousClock.now + .seconds(10)
        while try await connection.fake("GET", "/_fake/info")["openWatches"]?.intValue ?? 0 < 1 {
            #expect(ContinuousClock.now < deadline)
            try await Task.sleep(for: .milliseconds(50))
        }
        let cancelledAt = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - cancelledAt < .seconds(1))
        while try await connection.fake("GET", "/_fake/info")["openWatches"]?.intValue ?? 0 > 0 {
            #expect(ContinuousClock.now - cancelledAt < .seconds(3))
            try await Task.sleep(for: .milliseconds(50))
        }
        _ = try await connection.fake("DELETE", "/_fake/requests")
        try await Task.sleep(for: .seconds(1))
        let later = try await connection.fake("GET", "/_fake/requests")["items"]?.arrayValue ?? []
        let mine = later.filter { $0["path"]?.stringValue?.contains(ns) == true }
        #expect(mine.count == 0)
    }
}

/// Progress notifications a test waiter received. Actor; any task.
actor NoteLog {
    private(set) var items: [(Double, String)] = []
    func add(_ progress: Double, _ message: String) { items.append((progress, message)) }
}
