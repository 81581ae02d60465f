import Foundation
import Logging
import Testing
@testable import Server

private func request(_ id: Int, _ method: String, _ params: JSONValue = [:]) throws -> JSONRPCMessage {
    try JSONRPCMessage(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
}

@Suite(.serialized) struct MCPServerSubscriptionTests {
    init() { RunningLoop.ensure() }

    @LoopActor
    private func setUp(_ provider: ScriptedResourceProvider) -> (MCPServer, MCPSession, Box) {
        let server = MCPServer(tools: ToolRegistry(tools: [], readOnly: false), resourceProviders: [provider],
                               logger: Logger(label: "test"))
        let session = MCPSession(id: nil, transport: .stdio, lenient: true)
        let box = Box()
        session.outbound = { bytes in box.values.append((try? JSONParser.parse(bytes)) ?? .null) }
        return (server, session, box)
    }

    @LoopActor
    private func call(_ server: MCPServer, _ session: MCPSession?, _ method: String, _ uri: String,
                      version: ProtocolVersion = .v2025_11_25) async throws -> JSONValue {
        let reply = CollectingReply()
        server.handle(try request(1, method, ["uri": .string(uri)]), session: session,
                      context: MCPRequestContext(version: version), reply: reply)
        return await reply.nextResponse(after: 0)
    }

    /// Waits (up to 5 s) for `condition`, polling on the loop.
    @LoopActor
    private func eventually(_ condition: @LoopActor () -> Bool) async {
        for _ in 0..<500 where !condition() { try? await Task.sleep(for: .milliseconds(10)) }
    }

    @Test @LoopActor func changesBecomeNotificationsUntilUnsubscribe() async throws {
        let provider = ScriptedResourceProvider()
        let (server, session, box) = setUp(provider)
        let answer = try await call(server, session, "resources/subscribe", "test://a")
        #expect(answer["result"] == .object(JSONObject()))
        #expect(provider.running == 1)
        provider.change("test://a")
        await eventually { box.values.count == 1 }
        #expect(box.values.first?["method"] == "notifications/resources/updated")
        #expect(box.values.first?["params"]?["uri"] == "test://a")

        _ = try await call(server, session, "resources/subscribe", "test://a")  // idempotent
        #expect(provider.running == 1)

        _ = try await call(server, session, "resources/unsubscribe", "test://a")
        await eventually { provider.running == 0 }
        #expect(provider.running == 0)
        #expect(session.subscriptions?.count == 0)
        await eventually { session.subscriptions?.runningWatches == 0 }
        #expect(server.subscriptionBudget.inUse == 0)
    }

    @Test @LoopActor func sessionEndStopsEveryWatch() async throws {
        let provider = ScriptedResourceProvider()
        let (server, session, _) = setUp(provider)
        for name in ["a", "b", "c"] { _ = try await call(server, session, "resources/subscribe", "test://\(name)") }
        #expect(provider.running == 3 && server.subscriptionBudget.inUse == 3)
        session.end()
        await eventually { provider.running == 0 }
        #expect(provider.running == 0)
        #expect(server.subscriptionBudget.inUse == 0)
        let refused = try await call(server, session, "resources/subscribe", "test://d")
        #expect(refused["error"]?["code"] == .int(-32600))
    }

    @Test @LoopActor func aWatchThatEndsByItselfIsReportedOnceAndForgotten() async throws {
        let provider = ScriptedResourceProvider()
        let (server, session, box) = setUp(provider)
        _ = try await call(server, session, "resources/subscribe", "test://a")
        provider.end("test://a")
        await eventually { session.subscriptions?.count == 0 }
        #expect(box.values.count == 1)
        #expect(server.subscriptionBudget.inUse == 0)
        _ = try await call(server, session, "resources/subscribe", "test://a")  // may subscribe again
        #expect(session.subscriptions?.count == 1)
    }

    @Test @LoopActor func refusals() async throws {
        let provider = ScriptedResourceProvider()
        let (server, session, _) = setUp(provider)
        let missing = try await call(server, session, "resources/subscribe", "test://x/missing")
        #expect(missing["error"]?["code"] == .int(-32002))
        #expect(session.subscriptions?.count == 0 && server.subscriptionBudget.inUse == 0)
        let unknown = try await call(server, session, "resources/subscribe", "other://x")
        #expect(unknown["error"]?["code"] == .int(-32002))
        let stateless = try await call(server, nil, "resources/subscribe", "test://a")
        #expect(stateless["error"]?["code"] == .int(-32600))
        #expect(stateless["error"]?["message"]?.stringValue?.contains("stateless") == true)
        let modern = try await call(server, nil, "resources/subscribe", "test://a", version: .v2026_07_28)
        #expect(modern["error"]?["code"] == .int(-32601) || modern["error"]?["code"] == .int(-32602))
        let noURI = CollectingReply()
        server.handle(try request(2, "resources/subscribe"), session: session,
                      context: MCPRequestContext(version: .v2025_11_25), reply: noURI)
        #expect(await noURI.nextResponse(after: 0)["error"]?["code"] == .int(-32602))
    }

    @Test @LoopActor func perSessionLimit() async throws {
        let provider = ScriptedResourceProvider()
        let (server, session, _) = setUp(provider)
        for i in 0..<SubscriptionBudget.perSessionLimit {
            _ = try await call(server, session, "resources/subscribe", "test://\(i)")
        }
        let refused = try await call(server, session, "resources/subscribe", "test://one-too-many")
        #expect(refused["error"]?["message"]?.stringValue?.contains("limit is 100") == true)
        session.end()
        await eventually { provider.running == 0 }
        #expect(server.subscriptionBudget.inUse == 0)
    }

    @Test @LoopActor func capabilityFollowsTheSession() async throws {
        let server = MCPServer(tools: ToolRegistry(tools: [], readOnly: false), logger: Logger(label: "test"))
        let withSession = CollectingReply()
        server.handle(try request(1, "initialize", ["protocolVersion": "2025-06-18"]),
                      session: MCPSession(id: nil, transport: .stdio, lenient: false),
                      context: MCPRequestContext(version: .newestHandshake), reply: withSession)
        #expect(withSession.responses.first?["result"]?["capabilities"]?["resources"]?["subscribe"] == true)
        let stateless = CollectingReply()
        server.handle(try request(1, "initialize", ["protocolVersion": "2025-06-18"]), session: nil,
                      context: MCPRequestContext(version: .newestHandshake), reply: stateless)
        #expect(stateless.responses.first?["result"]?["capabilities"]?["resources"]?["subscribe"] == false)
        // 2026-07-28 subscribes through subscriptions/listen, which needs no session.
        #expect(server.discoverResult()["capabilities"]?["resources"]?["subscribe"] == true)
    }
}

/// Collected notifications (loop only).
@LoopActor
private final class Box {
    var values: [JSONValue] = []
}
