import Foundation
import Logging
import Testing
@testable import Server

/// `subscriptions/listen` against the fake cluster through the real `k8s://` provider: the watch notifies on a
/// patch, and the client going away or the server shutting down closes it (the fake's open-watch count proves it).
@Suite(.serialized) final class ListenIntegrationTests {
    let cluster: FakeClusterProcess

    init() throws {
        RunningLoop.ensure()
        cluster = try FakeClusterProcess()
    }

    deinit { cluster.stop() }

    @Test(.timeLimit(.minutes(1))) func listenWatchesUntilTheClientGoesOrTheServerStops() async throws {
        let clients = try cluster.clients()
        let loaded = try KubeConfigLoader.load(explicitPath: cluster.kubeconfig.path, environment: [:])
        let names = KubeNames(clients: clients, kubeConfig: .success(loaded), contextOverride: nil)
        let provider = KubeResourceProvider(environment: KubeToolEnvironment(clients: clients, output: OutputSettings()),
                                            kubeConfig: .success(loaded), contextOverride: nil, names: names)
        try await Self.run(provider: provider, connection: try await clients.connection(context: nil))
    }

    private static func openWatches(_ connection: KubeClients.Connection) async throws -> Int {
        try await connection.fake("GET", "/_fake/info")["openWatches"]?.intValue ?? -1
    }

    private static func waitForWatches(_ connection: KubeClients.Connection, _ expected: Int) async throws -> Int {
        var count = try await openWatches(connection)
        for _ in 0..<100 where count != expected {
            try await Task.sleep(for: .milliseconds(100))
            count = try await openWatches(connection)
        }
        return count
    }

    @LoopActor
    private static func run(provider: KubeResourceProvider, connection: KubeClients.Connection) async throws {
        let baseline = try await openWatches(connection)
        let server = MCPServer(tools: ToolRegistry(tools: [], readOnly: false), resourceProviders: [provider],
                               logger: Logger(label: "test"))
        let uri = "k8s://fake/shop/configmaps/shop-config"
        let meta: JSONValue = ["io.modelcontextprotocol/protocolVersion": "2026-07-28",
                               "io.modelcontextprotocol/clientCapabilities": [:]]

        func listen(_ id: Int, _ uris: [String]) throws -> TrackingReply {
            let reply = TrackingReply()
            let message = try JSONRPCMessage([
                "jsonrpc": "2.0", "id": .int(id), "method": "subscriptions/listen",
                "params": ["notifications": ["resourceSubscriptions": .array(uris.map { .string($0) })], "_meta": meta],
            ])
            server.handle(message, session: nil, context: MCPRequestContext(version: .v2026_07_28), reply: reply)
            return reply
        }

        let first = try listen(1, [uri, "k8s://fake/shop/configmaps/missing", "k8s://fake/_cluster/nodes/node-1"])
        for _ in 0..<100 where first.notifications.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
        #expect(first.notifications.first?["params"]?["notifications"]
                == ["resourceSubscriptions": [.string(uri), "k8s://fake/_cluster/nodes/node-1"]])
        #expect(try await waitForWatches(connection, baseline + 2) == baseline + 2)
        #expect(server.subscriptionBudget.inUse == 2)

        let configmaps = try await connection.discovery.resolve("configmaps")
        _ = try await connection.patch(configmaps, name: "shop-config", namespace: "shop", type: .merge,
                                       body: Array(#"{"metadata":{"annotations":{"listen":"1"}}}"#.utf8))
        for _ in 0..<100 where first.notifications.count < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(first.notifications.last?["method"] == "notifications/resources/updated")
        #expect(first.notifications.last?["params"]?["uri"] == .string(uri))

        first.tracked?.cancel()  // the client closed the stream
        #expect(try await waitForWatches(connection, baseline) == baseline)
        #expect(server.subscriptionBudget.inUse == 0)

        let second = try listen(2, [uri])
        #expect(try await waitForWatches(connection, baseline + 1) == baseline + 1)
        server.closeListenStreams()
        #expect(second.responses.first?["result"]?["resultType"] == "complete")
        #expect(try await waitForWatches(connection, baseline) == baseline)
        #expect(server.subscriptionBudget.inUse == 0 && server.listens.count == 0)
    }
}

/// A reply that streams and keeps the task it is asked to track (loop only).
@LoopActor
private final class TrackingReply: MCPReply {
    var notifications: [JSONValue] = []
    var responses: [JSONValue] = []
    var tracked: Task<Void, Never>?

    var isOpen: Bool { true }
    func track(_ task: Task<Void, Never>) { tracked = task }
    func sendNotification(_ bytes: [UInt8]) { notifications.append((try? JSONParser.parse(bytes)) ?? .null) }
    func sendResponse(_ bytes: [UInt8], errorCode: Int?) { responses.append((try? JSONParser.parse(bytes)) ?? .null) }
}
