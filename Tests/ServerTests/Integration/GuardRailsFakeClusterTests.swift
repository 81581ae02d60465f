import Foundation
import Logging
import Testing
@testable import Server

/// The request policy against the fake cluster: refused requests never reach it (its request log proves it),
/// and cluster-wide lists are narrowed to the allowed namespaces.
@Suite(.serialized) final class GuardRailsFakeClusterTests {
    let cluster: FakeClusterProcess

    init() throws {
        RunningLoop.ensure()
        cluster = try FakeClusterProcess()
    }

    deinit { cluster.stop() }

    /// A connection whose client enforces `policy`, with discovery already fetched.
    func guarded(_ policy: KubeRequestPolicy) async throws -> KubeClients.Connection {
        let loaded = try KubeConfigLoader.load(explicitPath: cluster.kubeconfig.path, environment: [:])
        var options = KubeClient.Options()
        options.timeoutMilliseconds = 10_000
        options.policy = policy
        let clients = KubeClients(kubeConfig: .success(loaded), contextOverride: nil, namespaceOverride: nil,
                                  options: options, logger: Logger(label: "test"),
                                  makeCredentials: { context throws(KubeError) in
                                      try CredentialFactory.make(for: context, environment: [:])
                                  })
        let connection = try await clients.connection(context: nil)
        _ = try await connection.discovery.restMapper()
        return connection
    }

    /// An unrestricted connection for the fake's admin API and for reference reads.
    func admin() async throws -> KubeClients.Connection {
        try await cluster.clients().connection(context: nil)
    }

    /// The request log since the last `clearLog`, as "METHOD path?query".
    func requests(_ admin: KubeClients.Connection) async throws -> [String] {
        let log = try await admin.fake("GET", "/_fake/requests")
        return (log["items"]?.arrayValue ?? []).map { item in
            let query = item["query"]?.stringValue ?? ""
            return "\(item["method"]?.stringValue ?? "?") \(item["path"]?.stringValue ?? "?")"
                + (query.isEmpty ? "" : "?\(query)")
        }
    }

    func expectRefused(_ rule: String, _ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("not refused")
        } catch let error as KubeError {
            guard case .refused(let got, let message) = error else {
                Issue.record("failed otherwise: \(error)")
                return
            }
            #expect(got == rule)
            #expect(message.contains(rule))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func readOnlyRefusesWritesAndExecBeforeTheNetwork() async throws {
        let admin = try await admin()
        let connection = try await guarded(KubeRequestPolicy(readOnly: true))
        _ = try await admin.fake("DELETE", "/_fake/requests")
        await expectRefused("--read-only") {
            _ = try await connection.delete(.pods, name: "anything", namespace: "shop")
        }
        await expectRefused("--read-only") {
            _ = try await connection.client.send(KubeRequest(path: "/api/v1/namespaces/shop/pods/x/exec",
                                                             query: [("command", "ls")]))
        }
        await expectRefused("--read-only") {
            try await connection.client.authorize(KubeRequest(path: "/api/v1/namespaces/shop/pods/x/exec"))
        }
        await expectRefused("--read-only") {
            for try await _ in connection.client.stream(KubeRequest(method: "POST", path: "/api/v1/namespaces")) {}
        }
        let pods = try await connection.list(.pods, namespace: "shop")
        #expect(pods["items"]?.arrayValue?.isEmpty == false)
        #expect(try await requests(admin) == ["GET /api/v1/namespaces/shop/pods"])
    }

    @Test func deniedSecretsNeverReachTheCluster() async throws {
        let admin = try await admin()
        let connection = try await guarded(KubeRequestPolicy(deniedResources: [DeniedResource(group: "", kind: "Secret")]))
        _ = try await admin.fake("DELETE", "/_fake/requests")
        for spelling in ["secret", "Secrets", "secrets.v1.", "secrets"] {
            let resource = try await connection.discovery.resolve(spelling)
            await expectRefused("--denied-resources") {
                _ = try await connection.get(resource, name: "shop-db-credentials", namespace: "shop")
            }
            await expectRefused("--denied-resources") {
                _ = try await connection.list(resource, namespace: nil)
            }
        }
        let byManifest = try await connection.discovery.resolve(apiVersion: "v1", kind: "Secret")
        await expectRefused("--denied-resources") {
            _ = try await connection.list(byManifest, namespace: "shop", options: .init(asTable: true))
        }
        await expectRefused("--denied-resources") {
            for try await _ in connection.client.stream(KubeRequest(path: "/api/v1/secrets",
                                                                    query: [("watch", "true")])) {}
        }
        // Discovery itself and other kinds stay readable.
        _ = try await connection.client.send(KubeRequest(path: "/api/v1"))
        _ = try await connection.list(.pods, namespace: "shop")
        let log = try await requests(admin)
        #expect(!log.contains { $0.contains("secrets") }, "\(log)")
        #expect(log == ["GET /api/v1", "GET /api/v1/namespaces/shop/pods"])
    }

    @Test func allowedNamespacesNarrowClusterWideListsAndRefuseTheRest() async throws {
        let admin = try await admin()
        let connection = try await guarded(KubeRequestPolicy(allowedNamespaces: ["shop", "monitoring"]))
        let expected = try await admin.list(.pods, namespace: "shop")["items"]!.arrayValue!.count
            + (try await admin.list(.pods, namespace: "monitoring")["items"]!.arrayValue!.count)
        _ = try await admin.fake("DELETE", "/_fake/requests")

        let pods = try await connection.list(.pods, namespace: nil)
        let namespaces = Set((pods["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["namespace"]?.stringValue })
        #expect(namespaces == ["shop", "monitoring"])
        #expect(pods["items"]?.arrayValue?.count == expected)
        #expect(pods["kind"] == "PodList")
        let table = try await connection.list(.pods, namespace: nil, options: .init(asTable: true))
        #expect(table["kind"] == "Table" && table["columnDefinitions"]?.arrayValue?.isEmpty == false)
        #expect(table["rows"]?.arrayValue?.count == expected)

        let names = try await connection.list(.namespaces, namespace: nil)["items"]?.arrayValue?
            .compactMap { $0["metadata"]?["name"]?.stringValue }
        #expect(names.map(Set.init) == ["shop", "monitoring"])
        let namespaceTable = try await connection.list(.namespaces, namespace: nil, options: .init(asTable: true))
        #expect(namespaceTable["rows"]?.arrayValue?.count == 2)
        _ = try await connection.list(.nodes, namespace: nil)

        await expectRefused("--allowed-namespaces") {
            _ = try await connection.get(.pods, name: "coredns", namespace: "kube-system")
        }
        await expectRefused("--allowed-namespaces") {
            _ = try await connection.client.send(KubeRequest(path: "/api/v1/pods"))
        }
        await expectRefused("--allowed-namespaces") {
            _ = try await connection.get(.namespaces, name: "default", namespace: nil)
        }
        await expectRefused("--allowed-namespaces") {
            _ = try await connection.delete(.nodes, name: "node-1", namespace: nil)
        }
        await expectRefused("--allowed-namespaces") {
            _ = try await connection.delete(.namespaces, name: "shop", namespace: nil)
        }
        let log = try await requests(admin)
        #expect(log == [
            "GET /api/v1/namespaces/shop/pods", "GET /api/v1/namespaces/monitoring/pods",
            "GET /api/v1/namespaces/shop/pods", "GET /api/v1/namespaces/monitoring/pods",
            "GET /api/v1/namespaces", "GET /api/v1/namespaces", "GET /api/v1/nodes",
        ], "\(log)")
    }

    @Test func narrowedListsPageAcrossNamespaces() async throws {
        let connection = try await guarded(KubeRequestPolicy(allowedNamespaces: ["shop", "kube-system", "monitoring"]))
        let all = try await connection.list(.pods, namespace: nil)["items"]?.arrayValue?
            .compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
        #expect(all.count >= 5)
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await connection.list(.pods, namespace: nil, options: .init(limit: 2, continueToken: token))
            let items = page["items"]?.arrayValue ?? []
            #expect(items.count <= 2)
            seen += items.compactMap { $0["metadata"]?["name"]?.stringValue }
            token = page["metadata"]?["continue"]?.stringValue
            pages += 1
        } while token != nil && pages < 20
        #expect(seen == all)
        do {
            _ = try await connection.list(.pods, namespace: nil, options: .init(limit: 2, continueToken: "eyJydiI6MX0"))
            Issue.record("a foreign continue token was accepted")
        } catch {
            #expect("\(error)".contains("continue token"))
        }
    }
}

extension GuardRailsFakeClusterTests {
    @Test(.timeLimit(.minutes(1))) func refusedWatchEndsAtOnceWithoutRetrying() async throws {
        let admin = try await admin()
        let connection = try await guarded(KubeRequestPolicy(deniedResources: [DeniedResource(group: "", kind: "Secret")]))
        _ = try await admin.fake("DELETE", "/_fake/requests")
        let secrets = try await connection.discovery.resolve("secrets")
        let started = ContinuousClock.now
        await expectRefused("--denied-resources") {
            for try await _ in connection.watch(secrets, namespace: "shop", resourceVersion: "1") {}
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(try await requests(admin) == [])
    }
}
