import Foundation
import Logging
import Testing
@testable import Server

/// A reply that can stream, records everything, and lets the test play the client going away.
@LoopActor
private final class StreamReply: MCPReply {
    var notifications: [JSONValue] = []
    var responses: [JSONValue] = []
    var tracked: Task<Void, Never>?
    let canStream: Bool

    init(canStream: Bool = true) {
        self.canStream = canStream
    }

    var isOpen: Bool { true }
    func beginLongLivedStream() -> Bool { canStream }
    func track(_ task: Task<Void, Never>) { tracked = task }
    func sendNotification(_ bytes: [UInt8]) { notifications.append((try? JSONParser.parse(bytes)) ?? .null) }
    func sendResponse(_ bytes: [UInt8], errorCode: Int?) { responses.append((try? JSONParser.parse(bytes)) ?? .null) }
    /// The connection closed / `notifications/cancelled` arrived.
    func clientGone() { tracked?.cancel() }
}

@Suite(.serialized) struct MCPServerListenTests {
    init() { RunningLoop.ensure() }

    private static let subID = "io.modelcontextprotocol/subscriptionId"

    @LoopActor
    private func server(_ provider: ScriptedResourceProvider) -> MCPServer {
        MCPServer(tools: ToolRegistry(tools: [], readOnly: false), resourceProviders: [provider],
                  logger: Logger(label: "test"))
    }

    @LoopActor
    private func listen(_ server: MCPServer, id: JSONRPCID = .int(12), _ notifications: JSONValue,
                        version: ProtocolVersion = .v2026_07_28, reply: StreamReply = StreamReply()) throws
        -> StreamReply
    {
        let meta: JSONValue = ["io.modelcontextprotocol/protocolVersion": "2026-07-28",
                               "io.modelcontextprotocol/clientCapabilities": [:]]
        let message = try JSONRPCMessage(["jsonrpc": "2.0", "id": id.json, "method": "subscriptions/listen",
                                          "params": ["notifications": notifications, "_meta": meta]])
        server.handle(message, session: nil, context: MCPRequestContext(version: version), reply: reply)
        return reply
    }

    /// Waits (up to 5 s) for `condition`, polling on the loop.
    @LoopActor
    private func eventually(_ condition: @LoopActor () -> Bool) async {
        for _ in 0..<500 where !condition() { try? await Task.sleep(for: .milliseconds(10)) }
    }

    @Test @LoopActor func acknowledgesTheWatchedSubsetThenForwardsChangesUntilTheClientGoes() async throws {
        let provider = ScriptedResourceProvider()
        let server = server(provider)
        let reply = try listen(server, ["toolsListChanged": true,
                                        "resourceSubscriptions": ["test://a", "test://x/missing", "other://y",
                                                                  "test://b"]])
        await eventually { !reply.notifications.isEmpty }
        let ack = try #require(reply.notifications.first)
        #expect(ack["method"] == "notifications/subscriptions/acknowledged")
        #expect(ack["params"]?["notifications"] == ["toolsListChanged": true,
                                                     "resourceSubscriptions": ["test://a", "test://b"]])
        #expect(ack["params"]?["_meta"]?[Self.subID] == 12)
        let refused = ack["params"]?["_meta"]?["kube-mcp/refusedResourceSubscriptions"]?.arrayValue ?? []
        #expect(refused.compactMap { $0["uri"]?.stringValue } == ["test://x/missing", "other://y"])
        #expect(provider.running == 2 && server.subscriptionBudget.inUse == 2)
        #expect(server.listens.count == 1)

        provider.change("test://b")
        await eventually { reply.notifications.count == 2 }
        #expect(reply.notifications.last == ["jsonrpc": "2.0", "method": "notifications/resources/updated",
                                             "params": ["uri": "test://b", "_meta": [Self.subID: 12]]])

        server.replaceTools(ToolRegistry(tools: [], readOnly: false))
        server.replaceResourcesAndPrompts([provider], [])  // resources/list_changed: not asked for
        #expect(reply.notifications.count == 3)
        #expect(reply.notifications.last?["method"] == "notifications/tools/list_changed")
        #expect(reply.notifications.last?["params"]?["_meta"]?[Self.subID] == 12)

        reply.clientGone()
        await eventually { provider.running == 0 && server.listens.count == 0 }
        #expect(provider.running == 0)
        #expect(server.subscriptionBudget.inUse == 0)
        #expect(server.listens.count == 0)
        #expect(reply.responses.isEmpty)  // an abrupt end carries no response
        provider.change("test://a")
        try? await Task.sleep(for: .milliseconds(50))
        #expect(reply.notifications.count == 3)
    }

    @Test @LoopActor func shutdownEndsEveryStreamWithTheFinalResultAndRefusesNewOnes() async throws {
        let provider = ScriptedResourceProvider()
        let server = server(provider)
        let first = try listen(server, id: .string("one"), ["resourceSubscriptions": ["test://a"]])
        let second = try listen(server, id: .int(2), ["promptsListChanged": true])
        await eventually { provider.running == 1 && !first.notifications.isEmpty }
        server.closeListenStreams()
        #expect(first.responses == [["jsonrpc": "2.0", "id": "one",
                                     "result": ["resultType": "complete", "_meta": [Self.subID: "one"]]]])
        #expect(second.responses.first?["result"]?["_meta"]?[Self.subID] == 2)
        await eventually { provider.running == 0 }
        #expect(provider.running == 0 && server.subscriptionBudget.inUse == 0 && server.listens.count == 0)
        let late = try listen(server, ["toolsListChanged": true])
        #expect(late.responses.first?["error"]?["code"] == .int(JSONRPCError.internalErrorCode))
        #expect(late.notifications.isEmpty)
    }

    @Test @LoopActor func aWatchThatEndsByItselfIsReportedOnceAndGivesBackItsBudget() async throws {
        let provider = ScriptedResourceProvider()
        let server = server(provider)
        let reply = try listen(server, ["resourceSubscriptions": ["test://a"]])
        await eventually { !reply.notifications.isEmpty }
        provider.end("test://a")
        await eventually { server.subscriptionBudget.inUse == 0 }
        #expect(server.subscriptionBudget.inUse == 0)
        #expect(reply.notifications.count == 2)
        #expect(reply.notifications.last?["params"]?["uri"] == "test://a")
        #expect(server.listens.count == 1)  // the stream stays open
        reply.clientGone()
        await eventually { server.listens.count == 0 }
        #expect(server.listens.count == 0)
    }

    @Test @LoopActor func theServerWideBudgetLimitsWatchesAcrossStreams() async throws {
        let provider = ScriptedResourceProvider()
        let server = server(provider)
        while server.subscriptionBudget.inUse < server.subscriptionBudget.limit - 1 {
            _ = server.subscriptionBudget.acquire()
        }
        let reply = try listen(server, ["resourceSubscriptions": ["test://a", "test://b"]])
        await eventually { !reply.notifications.isEmpty }
        let ack = try #require(reply.notifications.first)
        #expect(ack["params"]?["notifications"] == ["resourceSubscriptions": ["test://a"]])
        let reason = ack["params"]?["_meta"]?["kube-mcp/refusedResourceSubscriptions"]?.arrayValue?.first?["reason"]?.stringValue
        #expect(reason?.contains("limit") == true)
        reply.clientGone()
        await eventually { provider.running == 0 }
        #expect(server.subscriptionBudget.inUse == server.subscriptionBudget.limit - 1)
    }

    @Test @LoopActor func refusals() async throws {
        let provider = ScriptedResourceProvider()
        let server = server(provider)
        let legacy = try listen(server, ["toolsListChanged": true], version: .v2025_11_25)
        #expect(legacy.responses.first?["error"]?["code"] == .int(JSONRPCError.methodNotFoundCode))
        let malformed = try listen(server, ["resourceSubscriptions": "test://a"])
        #expect(malformed.responses.first?["error"]?["code"] == .int(JSONRPCError.invalidParamsCode))
        let noStream = try listen(server, ["toolsListChanged": true], reply: StreamReply(canStream: false))
        #expect(noStream.responses.first?["error"]?["code"] == .int(JSONRPCError.invalidRequestCode))
        #expect(server.listens.count == 0 && provider.running == 0)
        // Over the handshake revisions subscribing stays resources/subscribe; 2026-07-28 advertises it too.
        #expect(server.discoverResult()["capabilities"]?["resources"]?["subscribe"] == true)
    }
}
