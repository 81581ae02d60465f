import Foundation
import Logging
import Testing
@testable import Server

/// The `k8s://` resource provider, subscriptions and prompts against the fake cluster: reads are redacted,
/// a subscription's watch notifies on a patch, and unsubscribing or ending the session closes the watch (the
/// fake's open-watch count proves it).
@Suite(.serialized) final class KubeResourcesIntegrationTests {
    let cluster: FakeClusterProcess

    init() throws {
        RunningLoop.ensure()
        cluster = try FakeClusterProcess()
    }

    deinit { cluster.stop() }

    private func parts() throws -> (KubeResourceProvider, KubeNames, KubeClients) {
        let clients = try cluster.clients()
        let loaded = try KubeConfigLoader.load(explicitPath: cluster.kubeconfig.path, environment: [:])
        let names = KubeNames(clients: clients, kubeConfig: .success(loaded), contextOverride: nil)
        let provider = KubeResourceProvider(environment: KubeToolEnvironment(clients: clients, output: OutputSettings()),
                                            kubeConfig: .success(loaded), contextOverride: nil, names: names)
        return (provider, names, clients)
    }

    private static func openWatches(_ connection: KubeClients.Connection) async throws -> Int {
        try await connection.fake("GET", "/_fake/info")["openWatches"]?.intValue ?? -1
    }

    /// Polls the fake until `expected` watches are open (at most 10 s); returns the last count.
    private static func waitForWatches(_ connection: KubeClients.Connection, _ expected: Int) async throws -> Int {
        var count = try await openWatches(connection)
        for _ in 0..<100 where count != expected {
            try await Task.sleep(for: .milliseconds(100))
            count = try await openWatches(connection)
        }
        return count
    }

    @Test func readsRedactedYAMLAndLogs() async throws {
        let (provider, _, clients) = try parts()
        let secret = try #require(try await provider.read(uri: "k8s://fake/shop/secrets/shop-db-credentials")?.first)
        #expect(secret.mimeType == "application/yaml")
        #expect(secret.text.contains("password: REDACTED"))
        #expect(!secret.text.contains("managedFields"))
        let list = try await clients.connection(context: nil).list(.pods, namespace: "shop")
        let pod = try #require(list["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue }
            .first { $0.hasPrefix("payments-") })
        let log = try #require(try await provider.read(uri: "k8s://fake/shop/pods/\(pod)/log?tail=3")?.first)
        #expect(log.mimeType == "text/plain")
        #expect(log.text.split(separator: "\n").count <= 3)
        #expect(try await provider.read(uri: "https://example.com") == nil)
        await #expect(throws: JSONRPCError.self) { try await provider.read(uri: "k8s://fake/shop/pods/gone") }
    }

    @Test(.timeLimit(.minutes(1))) func subscriptionWatchesUntilUnsubscribeOrSessionEnd() async throws {
        let (provider, _, clients) = try parts()
        try await Self.subscribe(provider: provider, connection: try await clients.connection(context: nil))
    }

    @LoopActor
    private static func subscribe(provider: KubeResourceProvider, connection: KubeClients.Connection) async throws {
        let baseline = try await openWatches(connection)
        let server = MCPServer(tools: ToolRegistry(tools: [], readOnly: false), resourceProviders: [provider],
                               logger: Logger(label: "test"))
        let session = MCPSession(id: nil, transport: .stdio, lenient: true)
        let received = Received()
        session.outbound = { bytes in received.values.append((try? JSONParser.parse(bytes)) ?? .null) }
        let uri = "k8s://fake/shop/configmaps/shop-config"

        func send(_ method: String, _ uri: String) async throws -> JSONValue {
            let reply = CollectingReply()
            server.handle(try JSONRPCMessage(["jsonrpc": "2.0", "id": 1, "method": .string(method),
                                              "params": ["uri": .string(uri)]]),
                          session: session, context: MCPRequestContext(version: .v2025_11_25), reply: reply)
            return await reply.nextResponse(after: 0)
        }

        #expect(try await send("resources/subscribe", uri)["result"] == .object(JSONObject()))
        #expect(try await waitForWatches(connection, baseline + 1) == baseline + 1)
        let configmaps = try await connection.discovery.resolve("configmaps")
        _ = try await connection.patch(configmaps, name: "shop-config", namespace: "shop", type: .merge,
                                       body: Array(#"{"metadata":{"annotations":{"it":"1"}}}"#.utf8))
        for _ in 0..<100 where received.values.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(received.values.first?["method"] == "notifications/resources/updated")
        #expect(received.values.first?["params"]?["uri"] == .string(uri))

        _ = try await send("resources/unsubscribe", uri)
        #expect(try await waitForWatches(connection, baseline) == baseline)

        _ = try await send("resources/subscribe", uri)
        _ = try await send("resources/subscribe", "k8s://fake/_cluster/nodes/node-1")
        #expect(try await waitForWatches(connection, baseline + 2) == baseline + 2)
        session.end()
        #expect(try await waitForWatches(connection, baseline) == baseline)
        #expect(server.subscriptionBudget.inUse == 0)
    }

    @Test func completesFromTheClusterAndPromptsEmbedLiveData() async throws {
        let (provider, names, _) = try parts()
        let configmaps = await provider.complete(template: KubeResourceProvider.objectTemplate, argument: "name",
                                                 prefix: "shop", context: ["namespace": "shop", "resource": "cm"])
        #expect(configmaps == ["shop-config"])
        let namespaces = await provider.complete(template: KubeResourceProvider.objectTemplate, argument: "namespace",
                                                 prefix: "mon", context: [:])
        #expect(namespaces == ["monitoring"])
        let prompts = KubePrompts.make(names: names)
        let deployment = try #require(prompts.first { $0.definition.name == "troubleshoot_deployment" })
        let messages = try await deployment.messages(arguments: ["deployment": "payments", "namespace": "shop"])
        let text = messages.first?["content"]?["text"]?.stringValue ?? ""
        #expect(text.contains("replicas: desired 1"))
        #expect(text.contains("CrashLoopBackOff"))
        #expect(text.contains("`pods_log`"))
        #expect(await deployment.complete(argument: "deployment", prefix: "fr", context: ["namespace": "shop"])
                == ["frontend"])
    }
}

/// Notifications a test session received (loop only).
@LoopActor
private final class Received {
    var values: [JSONValue] = []
}
