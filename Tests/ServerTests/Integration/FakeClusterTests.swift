import Foundation
import Logging
import Testing
@testable import Server

/// A fake Kubernetes API server process (Tests/FakeCluster) for the client's integration tests: real TLS,
/// client certificates and tokens, fault injection. Needs the project's Python venv (`make test` builds it).
final class FakeClusterProcess: @unchecked Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let directory: URL
    let kubeconfig: URL
    let process = Process()

    init(scenario: String = "demo", extra: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kube-mcp-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        kubeconfig = directory.appendingPathComponent("kubeconfig")
        let python = Self.root.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw KubeError.configuration("\(python.path) is missing: run `make deps` (make test does) first")
        }
        process.executableURL = python
        process.arguments = [Self.root.appendingPathComponent("Tests/FakeCluster/fakecluster.py").path,
                             "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig.path, "--scenario", scenario]
            + extra
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: kubeconfig.path) {
            guard process.isRunning, Date() < deadline else {
                throw KubeError.configuration("the fake cluster did not start")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Kills the fake. SIGKILL, because a child started from a test thread inherits that thread's blocked
    /// signals (SIGTERM included), and Foundation's `waitUntilExit` would then spin forever.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Clients for the generated kubeconfig (optionally rewritten first).
    func clients(kubeconfigPath: String? = nil, environment: [String: String] = [:],
                 timeoutMilliseconds: Int = 10_000) throws -> KubeClients {
        let loaded = try KubeConfigLoader.load(explicitPath: kubeconfigPath ?? kubeconfig.path, environment: environment)
        var options = KubeClient.Options()
        options.timeoutMilliseconds = timeoutMilliseconds
        return KubeClients(kubeConfig: .success(loaded), contextOverride: nil, namespaceOverride: nil, options: options,
                           logger: Logger(label: "test"),
                           makeCredentials: { context throws(KubeError) in
                               try CredentialFactory.make(for: context, environment: environment)
                           })
    }

    /// The generated kubeconfig as YAML text.
    func kubeconfigText() throws -> String { try String(contentsOf: kubeconfig, encoding: .utf8) }
}

extension KubeClients.Connection {
    /// Sends an admin request to the fake (`/_fake/...`).
    func fake(_ method: String, _ path: String, _ body: JSONValue? = nil) async throws -> JSONValue {
        let request = KubeRequest(method: method, path: path, contentType: body == nil ? nil : "application/json",
                                  body: body.map(JSONWriter.encode))
        return try await client.send(request).json()
    }
}

@Suite(.serialized) final class FakeClusterTests {
    let cluster: FakeClusterProcess

    init() throws {
        RunningLoop.ensure()
        cluster = try FakeClusterProcess()
    }

    deinit { cluster.stop() }

    @Test func listsWithAnInlineClientCertificate() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        let pods = try await connection.list(.pods, namespace: "shop")
        let names = pods["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
        #expect(names.contains { $0.hasPrefix("frontend-") })
    }

    @Test func authenticatesWithTheTokenContext() async throws {
        let connection = try await cluster.clients().connection(context: "fake-token")
        let namespaces = try await connection.list(.namespaces, namespace: nil)
        #expect((namespaces["items"]?.arrayValue?.count ?? 0) >= 4)
    }

    @Test func readsCertificatesFromFiles() async throws {
        // Rewrite the kubeconfig with the certificate, key and CA in files next to it.
        var text = try cluster.kubeconfigText()
        for (key, file) in [("certificate-authority-data", "ca.crt"), ("client-certificate-data", "client.crt"),
                            ("client-key-data", "client.key")] {
            guard let line = text.split(separator: "\n").first(where: { $0.contains(key + ":") }) else { continue }
            let value = line.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
            let data = try #require(Data(base64Encoded: value))
            try data.write(to: cluster.directory.appendingPathComponent(file))
            let fileKey = key.replacingOccurrences(of: "-data", with: "")
            text = text.replacingOccurrences(of: String(line), with: line.replacingOccurrences(
                of: "\(key): \(value)", with: "\(fileKey): \(file)"))
        }
        #expect(!text.contains("client-key-data"))
        let path = cluster.directory.appendingPathComponent("kubeconfig-files").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let connection = try await cluster.clients(kubeconfigPath: path).connection(context: "fake")
        let version = try await connection.client.send(KubeRequest(path: "/version")).json()
        #expect(version["gitVersion"]?.stringValue?.hasPrefix("v1.") == true)
    }

    @Test func pagesWithLimitAndContinue() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        var seen: [String] = []
        var token: String?
        repeat {
            let page = try await connection.list(.pods, namespace: nil, options: .init(limit: 2, continueToken: token))
            let items = page["items"]?.arrayValue ?? []
            #expect(items.count <= 2)
            seen += items.compactMap { $0["metadata"]?["name"]?.stringValue }
            token = page["metadata"]?["continue"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        let all = try await connection.list(.pods, namespace: nil)
        #expect(seen.count == all["items"]?.arrayValue?.count)
        #expect(Set(seen).count == seen.count)
    }

    @Test func retries429AfterRetryAfter() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        _ = try await connection.fake("DELETE", "/_fake/requests")
        _ = try await connection.fake("POST", "/_fake/faults", ["kind": "429", "count": 2, "retryAfter": 1,
                                                                 "path": "/namespaces/shop/configmaps"])
        let started = ContinuousClock().now
        let list = try await connection.list(try await connection.discovery.resolve("configmaps"), namespace: "shop")
        #expect(list["items"]?.arrayValue?.isEmpty == false)
        #expect(started.duration(to: ContinuousClock().now) >= .seconds(2))
        let log = try await connection.fake("GET", "/_fake/requests")
        let hits = log["items"]?.arrayValue?.filter { $0["path"]?.stringValue?.hasSuffix("/namespaces/shop/configmaps") == true }
        #expect(hits?.map { $0["code"]?.intValue } == [429, 429, 200])
    }

    @Test func keepsTheServersStatusOnErrors() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        _ = try await connection.fake("POST", "/_fake/faults", ["kind": "500", "count": 1, "path": "/pods/boom"])
        await #expect(throws: KubeError.self) { try await connection.get(.pods, name: "boom", namespace: "shop") }
        do {
            _ = try await connection.get(.pods, name: "no-such-pod", namespace: "shop")
            Issue.record("expected NotFound")
        } catch {
            #expect(error.statusCode == 404)
            #expect(error.description.contains("no-such-pod"))
        }
    }

    @Test func enforcesTheDeadline() async throws {
        let connection = try await cluster.clients(timeoutMilliseconds: 500).connection(context: nil)
        _ = try await connection.fake("POST", "/_fake/faults", ["kind": "slow", "seconds": 3, "count": 1,
                                                                 "path": "/namespaces/monitoring/pods"])
        do {
            _ = try await connection.list(.pods, namespace: "monitoring")
            Issue.record("expected a timeout")
        } catch {
            #expect(error == .timeout(milliseconds: 500))
        }
    }

    @Test(.timeLimit(.minutes(1))) func watchSeesChangesAndRelistsAfterExpiry() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        let configmaps = try await connection.discovery.resolve("cm")
        var events = connection.watch(configmaps, namespace: "shop").makeAsyncIterator()
        guard case .relisted(let initial, _)? = try await events.next() else {
            Issue.record("a watch without resourceVersion starts with a list")
            return
        }
        #expect(initial.contains { $0["metadata"]?["name"]?.stringValue == "shop-config" })
        _ = try await connection.create(configmaps, namespace: "shop",
                                        object: ["metadata": ["name": "watched-1"], "data": ["a": "b"]])
        var added = false
        while let event = try await events.next() {
            if case .added(let object) = event, object["metadata"]?["name"]?.stringValue == "watched-1" {
                added = true
                break
            }
        }
        #expect(added)
        // Cut the stream and make the resumed watch fail with 410 Gone: the watch must relist.
        _ = try await connection.fake("POST", "/_fake/faults", ["kind": "expire-next-watch"])
        _ = try await connection.fake("POST", "/_fake/faults", ["kind": "drop-watches"])
        var relisted = false
        while let event = try await events.next() {
            if case .relisted(let items, _) = event {
                relisted = items.contains { $0["metadata"]?["name"]?.stringValue == "watched-1" }
                break
            }
        }
        #expect(relisted)
    }

    @Test func writesWithApplyPatchesScaleEvictionAndDelete() async throws {
        let connection = try await cluster.clients().connection(context: nil)
        let configmaps = try await connection.discovery.resolve("configmaps")
        // Server-side apply creates, then updates, with field manager kube-mcp.
        let manifest = Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied","namespace":"shop"},"data":{"k":"1"}}"#.utf8)
        let created = try await connection.patch(configmaps, name: "applied", namespace: "shop", type: .apply, body: manifest)
        #expect(created["data"]?["k"] == "1")
        let managers = created["metadata"]?["managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
        #expect(managers.contains("kube-mcp"))
        let merged = try await connection.patch(configmaps, name: "applied", namespace: "shop", type: .merge,
                                                body: Array(#"{"data":{"k":"2","x":"y"}}"#.utf8))
        #expect(merged["data"]?["k"] == "2" && merged["data"]?["x"] == "y")
        let jsonPatched = try await connection.patch(configmaps, name: "applied", namespace: "shop", type: .json,
                                                     body: Array(#"[{"op":"remove","path":"/data/x"}]"#.utf8))
        #expect(jsonPatched["data"]?["x"] == nil)
        // Strategic merge on a deployment's containers (merged by name), then the scale subresource.
        let deployments = try await connection.discovery.resolve("deploy")
        let frontend = try await connection.get(deployments, name: "frontend", namespace: "shop")
        let container = try #require(frontend["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["name"]?.stringValue)
        let patched = try await connection.patch(
            deployments, name: "frontend", namespace: "shop", type: .strategicMerge,
            body: Array(#"{"spec":{"template":{"spec":{"containers":[{"name":"\#(container)","env":[{"name":"MODE","value":"x"}]}]}}}}"#.utf8))
        let containers = patched["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
        #expect(containers.count == 1 && containers.first?["image"]?.stringValue != nil)
        let scaled = try await connection.patch(deployments, name: "frontend", namespace: "shop", type: .merge,
                                                body: Array(#"{"spec":{"replicas":4}}"#.utf8), subresource: "scale")
        #expect(scaled["kind"] == "Scale" && scaled["spec"]?["replicas"] == 4)
        let scale = try await connection.getSubresource(deployments, name: "frontend", namespace: "shop", subresource: "scale")
        #expect(scale["spec"]?["replicas"] == 4)
        // Eviction of one pod, deletion of the config map.
        let pods = try await connection.list(.pods, namespace: "shop", options: .init(labelSelector: "app=frontend"))
        let victim = try #require(pods["items"]?.arrayValue?.first?["metadata"]?["name"]?.stringValue)
        _ = try await connection.evict(pod: victim, namespace: "shop")
        _ = try await connection.delete(configmaps, name: "applied", namespace: "shop", propagationPolicy: "Background",
                                        gracePeriodSeconds: 0)
        do {
            _ = try await connection.get(configmaps, name: "applied", namespace: "shop")
            Issue.record("the config map should be gone")
        } catch {
            #expect(error.statusCode == 404)
        }
        // A stale resourceVersion is a Conflict the tool can explain.
        var stale = try await connection.get(configmaps, name: "shop-config", namespace: "shop")
        _ = try await connection.patch(configmaps, name: "shop-config", namespace: "shop", type: .merge,
                                       body: Array(#"{"data":{"bump":"1"}}"#.utf8))
        if case .object(var o) = stale, case .object(var meta)? = o["metadata"] {
            meta["labels"] = ["changed": "yes"]
            o["metadata"] = .object(meta)
            stale = .object(o)
        }
        do {
            _ = try await connection.update(configmaps, name: "shop-config", namespace: "shop", object: stale)
            Issue.record("expected a 409 Conflict")
        } catch {
            #expect(error.statusCode == 409)
            #expect(error.description.contains("read it again"))
        }
    }

    @Test func verifiesTheTLSServerNameInsteadOfTheURLHost() async throws {
        // The fake's certificate names IP 127.0.0.1 and DNS localhost: verifying as "localhost" works while the
        // connection still goes to 127.0.0.1; a name the certificate lacks is refused.
        let text = try cluster.kubeconfigText()
        let server = try #require(text.split(separator: "\n").first { $0.contains("server:") })
        for (name, shouldWork) in [("localhost", true), ("wrong.example", false)] {
            let edited = text.replacingOccurrences(of: String(server), with: "\(server)\n    tls-server-name: \(name)")
            let path = cluster.directory.appendingPathComponent("kubeconfig-sni-\(name)").path
            try edited.write(toFile: path, atomically: true, encoding: .utf8)
            let connection = try await cluster.clients(kubeconfigPath: path).connection(context: "fake")
            do {
                let version = try await connection.client.send(KubeRequest(path: "/version")).json()
                #expect(shouldWork, "\(name) should have been refused")
                #expect(version["gitVersion"]?.stringValue != nil)
            } catch {
                #expect(!shouldWork, "\(name): \(error)")
                #expect(error.description.contains("certificate") || error.description.contains("SSL"), "\(error)")
            }
        }
    }

    @Test func discoversACustomResourceCreatedMeanwhile() async throws {
        let clients = try cluster.clients()
        let connection = try await clients.connection(context: nil)
        _ = try await connection.discovery.restMapper()  // discovery cached before the CRD exists
        let crds = try await connection.discovery.resolve("customresourcedefinitions")
        let crd: JSONValue = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.com"],
            "spec": ["group": "example.com", "scope": "Namespaced",
                     "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wg"]],
                     "versions": [["name": "v1", "served": true, "storage": true,
                                   "schema": ["openAPIV3Schema": ["type": "object",
                                                                  "x-kubernetes-preserve-unknown-fields": true]]]]],
        ]
        _ = try await connection.create(crds, namespace: nil, object: crd)
        // The cache was filled before: a miss refreshes it (the refresh interval is 10 s by default, so use
        // a fresh cache the way a restarted server would, then check the miss path on the shared one).
        let fresh = DiscoveryCache(api: connection.client, minimumRefreshInterval: .zero)
        _ = try await fresh.restMapper()
        // Like a real API server, the new group is served once the CRD is established: each miss refreshes.
        var found: APIResourceInfo?
        for _ in 0..<50 where found == nil {
            found = try? await fresh.resolve("wg")
            if found == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let widgets = try #require(found, "the custom resource never appeared in discovery")
        #expect(widgets.group == "example.com" && widgets.kind == "Widget" && widgets.namespaced)
        _ = try await connection.create(widgets, namespace: "shop",
                                        object: ["apiVersion": "example.com/v1", "kind": "Widget",
                                                 "metadata": ["name": "w1"], "spec": ["size": 3]])
        let list = try await connection.list(widgets, namespace: "shop")
        #expect(list["items"]?.arrayValue?.first?["spec"]?["size"] == 3)
        #expect(try await fresh.resolve(apiVersion: "example.com/v1", kind: "Widget").plural == "widgets")
    }
}
