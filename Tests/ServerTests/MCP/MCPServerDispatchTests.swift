import Logging
import Testing
@testable import Server

/// A tool that echoes its arguments and reports two progress steps.
private struct EchoTool: Tool {
    var definition = ToolDefinition(
        name: "echo", title: "Echo", description: "Echoes its arguments.",
        inputSchema: ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]],
        annotations: .readOnly())

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await context.reportProgress(1, 2, "half")
        await context.reportProgress(2, 2, nil)
        return .text(arguments["text"]?.stringValue ?? "")
    }
}

/// A tool that waits until it is cancelled and says so.
private struct WaitTool: Tool {
    let cancelled: AsyncStream<Void>.Continuation
    var definition = ToolDefinition(name: "wait", title: "Wait", description: "Waits.",
                                    inputSchema: ["type": "object"], annotations: .readOnly())

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        do {
            try await Task.sleep(for: .seconds(60))
        } catch {
            cancelled.yield()
            throw error
        }
        return .text("finished")
    }
}

@LoopActor
private func makeServer(_ tools: [any Tool], pageSize: Int = 100) -> MCPServer {
    MCPServer(tools: ToolRegistry(tools: tools, readOnly: false), pageSize: pageSize,
              logger: Logger(label: "test"),
              validateArguments: { ArgumentValidator.firstViolation(in: $0, against: $1) })
}

private func request(_ id: Int, _ method: String, _ params: JSONValue = [:]) throws -> JSONRPCMessage {
    try JSONRPCMessage(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": params])
}

@Suite struct MCPServerDispatchTests {
    init() { RunningLoop.ensure() }

    @Test @LoopActor func initializeEchoesSupportedVersionAndAdvertisesCapabilities() async throws {
        let server = makeServer([EchoTool()])
        let session = MCPSession(id: nil, transport: .stdio, lenient: false)
        let reply = CollectingReply()
        server.handle(try request(1, "initialize", ["protocolVersion": "2025-03-26"]), session: session,
                      context: MCPRequestContext(version: .newestHandshake), reply: reply)
        let result = try #require(reply.responses.first?["result"])
        #expect(result["protocolVersion"] == "2025-03-26")
        #expect(result["capabilities"]?["tools"]?["listChanged"] == true)
        #expect(result["capabilities"]?["completions"] != nil)
        #expect(session.state.version == .v2025_03_26)
    }

    @Test @LoopActor func strictSessionRefusesToolsBeforeInitialize() async throws {
        let server = makeServer([EchoTool()])
        let session = MCPSession(id: nil, transport: .streamableHTTP, lenient: false)
        let reply = CollectingReply()
        server.handle(try request(1, "tools/list"), session: session, context: MCPRequestContext(version: .v2025_03_26),
                      reply: reply)
        #expect(reply.responses.first?["error"]?["code"] == .int(-32600))
    }

    @Test @LoopActor func toolsListPagesWithOpaqueCursors() async throws {
        let server = makeServer([EchoTool(), WaitTool(cancelled: AsyncStream<Void>.makeStream().continuation)],
                                pageSize: 1)
        let reply = CollectingReply()
        let context = MCPRequestContext(version: .v2025_06_18)
        server.handle(try request(1, "tools/list"), session: nil, context: context, reply: reply)
        let first = try #require(reply.responses.last?["result"])
        #expect(first["tools"]?.arrayValue?.count == 1)
        let cursor = try #require(first["nextCursor"])
        server.handle(try request(2, "tools/list", ["cursor": cursor]), session: nil, context: context, reply: reply)
        let second = try #require(reply.responses.last?["result"])
        #expect(second["tools"]?.arrayValue?.first?["name"] == "wait")
        #expect(second["nextCursor"] == nil)
        server.handle(try request(3, "tools/list", ["cursor": "bm9wZQ"]), session: nil, context: context, reply: reply)
        #expect(reply.responses.last?["error"]?["code"] == .int(-32602))
    }

    @Test @LoopActor func modernResultsCarryResultTypeAndCacheHints() async throws {
        let server = makeServer([EchoTool()])
        let reply = CollectingReply()
        let meta: JSONValue = ["io.modelcontextprotocol/protocolVersion": "2026-07-28",
                               "io.modelcontextprotocol/clientCapabilities": [:]]
        let context = MCPRequestContext(version: .v2026_07_28)
        server.handle(try request(1, "tools/list", ["_meta": meta]), session: nil, context: context, reply: reply)
        let list = try #require(reply.responses.last?["result"])
        #expect(list["resultType"] == "complete")
        #expect(list["ttlMs"]?.intValue != nil && list["cacheScope"] == "public")
        server.handle(try request(2, "ping", ["_meta": meta]), session: nil, context: context, reply: reply)
        #expect(reply.responses.last?["error"]?["code"] == .int(-32601))
        server.handle(try request(3, "tools/list"), session: nil, context: context, reply: reply)
        #expect(reply.responses.last?["error"]?["code"] == .int(-32602))
        server.handle(try request(4, "server/discover", ["_meta": meta]), session: nil, context: context, reply: reply)
        let discover = try #require(reply.responses.last?["result"])
        #expect(discover["supportedVersions"]?.arrayValue?.contains("2026-07-28") == true)
    }

    @Test @LoopActor func toolCallRunsOffLoopAndReportsProgress() async throws {
        let server = makeServer([EchoTool()])
        let reply = CollectingReply()
        server.handle(try request(7, "tools/call", ["name": "echo", "arguments": ["text": "hi"],
                                                    "_meta": ["progressToken": "p"]]),
                      session: nil, context: MCPRequestContext(version: .v2025_11_25), reply: reply)
        let response = await reply.nextResponse(after: 0)
        #expect(response["id"] == 7)
        #expect(response["result"]?["content"]?.arrayValue?.first?["text"] == "hi")
        #expect(reply.notifications.map { $0["params"]?["progress"] } == [.int(1), .int(2)])
    }

    @Test @LoopActor func invalidArgumentsAreToolErrorsAndUnknownToolsProtocolErrors() async throws {
        let server = makeServer([EchoTool()])
        let reply = CollectingReply()
        let context = MCPRequestContext(version: .v2025_11_25)
        server.handle(try request(1, "tools/call", ["name": "echo", "arguments": ["text": 5]]), session: nil,
                      context: context, reply: reply)
        let bad = await reply.nextResponse(after: 0)
        #expect(bad["result"]?["isError"] == true)
        server.handle(try request(2, "tools/call", ["name": "nope"]), session: nil, context: context, reply: reply)
        #expect(reply.responses.last?["error"]?["code"] == .int(-32602))
    }

    @Test @LoopActor func cancelledNotificationStopsTheRunningCallWithoutAnAnswer() async throws {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let server = makeServer([WaitTool(cancelled: continuation), EchoTool()])
        let session = MCPSession(id: nil, transport: .stdio, lenient: true)
        let reply = CollectingReply()
        let context = MCPRequestContext(version: .v2024_11_05)
        server.handle(try request(5, "tools/call", ["name": "wait"]), session: session, context: context, reply: reply)
        #expect(session.inFlight[.int(5)] != nil)
        server.handle(try JSONRPCMessage(["jsonrpc": "2.0", "method": "notifications/cancelled",
                                          "params": ["requestId": 5, "reason": "user"]]),
                      session: session, context: context, reply: reply)
        var iterator = stream.makeAsyncIterator()
        _ = await iterator.next()  // the tool saw the cancellation
        // A later call on the same session is still answered, and the cancelled one never is.
        server.handle(try request(6, "tools/call", ["name": "echo", "arguments": ["text": "after"]]),
                      session: session, context: context, reply: reply)
        let next = await reply.nextResponse(after: 0)
        #expect(next["id"] == 6)
        #expect(reply.responses.allSatisfy { $0["id"] != 5 })
        #expect(session.inFlight.isEmpty)
    }

    @Test @LoopActor func endingTheSessionCancelsItsCalls() async throws {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let server = makeServer([WaitTool(cancelled: continuation)])
        let session = MCPSession(id: nil, transport: .legacySSE, lenient: true)
        let reply = CollectingReply()
        server.handle(try request(1, "tools/call", ["name": "wait"]), session: session,
                      context: MCPRequestContext(version: .v2024_11_05), reply: reply)
        session.end()
        var iterator = stream.makeAsyncIterator()
        _ = await iterator.next()
        #expect(reply.responses.isEmpty)
    }

    @Test @LoopActor func unknownMethodsAndResourcesGetTheRightCodes() async throws {
        let server = makeServer([])
        let reply = CollectingReply()
        server.handle(try request(1, "sampling/nothing"), session: nil, context: MCPRequestContext(version: .v2025_06_18),
                      reply: reply)
        #expect(reply.responses.last?["error"]?["code"] == .int(-32601))
        server.handle(try request(2, "resources/read", ["uri": "k8s://nope"]), session: nil,
                      context: MCPRequestContext(version: .v2025_06_18), reply: reply)
        let legacy = await reply.nextResponse(after: 1)
        #expect(legacy["error"]?["code"] == .int(-32002))
        server.handle(try request(3, "logging/setLevel", ["level": "warning"]), session: nil,
                      context: MCPRequestContext(version: .v2025_06_18), reply: reply)
        #expect(reply.responses.last?["result"] == .object(JSONObject()))
    }
}
