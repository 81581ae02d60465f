import Logging
import Testing
@testable import Server

/// A destructive tool for the tests (a test double: the product's destructive tools live in the catalog).
private struct DeleteThingTool: Tool {
    let runs: RunCounter
    var definition = ToolDefinition(
        name: "things_delete", title: "Delete thing", description: "Deletes a thing.",
        inputSchema: ["type": "object", "properties": ["name": ["type": "string"]], "required": ["name"]],
        annotations: ToolAnnotations(readOnlyHint: false, destructiveHint: true, idempotentHint: true))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await runs.increment()
        return .text("deleted \(arguments["name"]?.stringValue ?? "")")
    }
}

/// A read-only tool, never confirmed.
private struct PeekTool: Tool {
    var definition = ToolDefinition(name: "peek", title: "Peek", description: "Reads.",
                                    inputSchema: ["type": "object"], annotations: .readOnly())

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult { .text("peeked") }
}

private actor RunCounter {
    var count = 0
    func increment() { count += 1 }
}

/// A loop clock the tests move by hand.
@LoopActor
private final class ManualClock {
    var now: UInt64 = 1_000_000
}

/// A reply whose channel carries requests to the client (a POST's event stream, stdout); it records them.
@LoopActor
private final class AskingReply: MCPReply {
    var responses: [JSONValue] = []
    var notifications: [JSONValue] = []
    var requests: [JSONValue] = []
    private var responseWaiters: [CheckedContinuation<JSONValue, Never>] = []
    private var requestWaiters: [CheckedContinuation<JSONValue, Never>] = []
    var carriesRequests = true

    var isOpen: Bool { true }
    var canSendRequests: Bool { carriesRequests }

    func sendNotification(_ bytes: [UInt8]) { notifications.append((try? JSONParser.parse(bytes)) ?? .null) }

    func sendRequest(_ bytes: [UInt8]) {
        let value = (try? JSONParser.parse(bytes)) ?? .null
        requests.append(value)
        let waiters = requestWaiters
        requestWaiters.removeAll()
        for w in waiters { w.resume(returning: value) }
    }

    func sendResponse(_ bytes: [UInt8], errorCode: Int?) {
        let value = (try? JSONParser.parse(bytes)) ?? .null
        responses.append(value)
        let waiters = responseWaiters
        responseWaiters.removeAll()
        for w in waiters { w.resume(returning: value) }
    }

    func nextResponse(after count: Int) async -> JSONValue {
        if responses.count > count { return responses[count] }
        return await withCheckedContinuation { responseWaiters.append($0) }
    }

    func nextRequest(after count: Int) async -> JSONValue {
        if requests.count > count { return requests[count] }
        return await withCheckedContinuation { requestWaiters.append($0) }
    }
}

@LoopActor
private func makeServer(_ tools: [any Tool], policy: ToolCallPolicy, clock: ManualClock = ManualClock()) -> MCPServer {
    let logger = Logger(label: "test")
    return MCPServer(tools: ToolRegistry(tools: tools, readOnly: false), logger: logger,
                     toolCallGate: ToolCallGate(policy: policy, logger: logger, key: Array(repeating: 1, count: 32),
                                                now: { clock.now }),
                     validateArguments: { ArgumentValidator.firstViolation(in: $0, against: $1) })
}

private func message(_ object: JSONValue) throws -> JSONRPCMessage { try JSONRPCMessage(object) }

private func call(_ id: Int, _ tool: String, _ arguments: JSONValue, extra: JSONObject = JSONObject()) throws
    -> JSONRPCMessage
{
    var params = JSONObject([("name", .string(tool)), ("arguments", arguments)])
    for (k, v) in extra { params[k] = v }
    return try message(["jsonrpc": "2.0", "id": .int(id), "method": "tools/call", "params": .object(params)])
}

private let confirmPolicy = ToolCallPolicy(confirmDestructive: true, confirmFallback: .allow)
private let denyPolicy = ToolCallPolicy(confirmDestructive: true, confirmFallback: .deny)

/// Opens a session the way a client does, declaring `capabilities`.
@LoopActor
private func initializedSession(_ server: MCPServer, capabilities: JSONValue, version: String = "2025-11-25")
    throws -> MCPSession
{
    let session = MCPSession(id: nil, transport: .stdio, lenient: false)
    let reply = AskingReply()
    server.handle(try message(["jsonrpc": "2.0", "id": 0, "method": "initialize",
                               "params": ["protocolVersion": .string(version), "capabilities": capabilities,
                                          "clientInfo": ["name": "t", "version": "1"]]]),
                  session: session, context: MCPRequestContext(version: .newestHandshake), reply: reply)
    server.handle(try message(["jsonrpc": "2.0", "method": "notifications/initialized"]), session: session,
                  context: MCPRequestContext(version: .newestHandshake), reply: reply)
    return session
}

private func text(_ response: JSONValue) -> String {
    response["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue ?? ""
}

@Suite struct ConfirmationFlowTests {
    init() { RunningLoop.ensure() }

    // MARK: Handshake revisions: elicitation/create

    @Test @LoopActor func acceptedConfirmationRunsTheTool() async throws {
        let runs = RunCounter()
        let server = makeServer([DeleteThingTool(runs: runs)], policy: confirmPolicy)
        let session = try initializedSession(server, capabilities: ["elicitation": ["form": [:]]])
        #expect(session.elicitation == .form)
        let reply = AskingReply()
        let context = MCPRequestContext(version: .v2025_11_25)
        server.handle(try call(1, "things_delete", ["name": "web-1"]), session: session, context: context, reply: reply)
        let asked = await reply.nextRequest(after: 0)
        #expect(asked["method"] == "elicitation/create")
        #expect(asked["params"]?["mode"] == "form")
        let asking = asked["params"]?["message"]?.stringValue ?? ""
        #expect(asking.contains("things_delete (destructive) with {name: web-1}"))
        let askedID = try #require(asked["id"])
        #expect(await runs.count == 0)
        // The client's answer arrives as a message of its own.
        server.handle(try message(["jsonrpc": "2.0", "id": askedID,
                                   "result": ["action": "accept", "content": ["confirm": true]]]),
                      session: session, context: context, reply: NullReply.shared)
        let response = await reply.nextResponse(after: 0)
        #expect(response["id"] == 1)
        #expect(response["result"]?["isError"] == false)
        #expect(text(response) == "deleted web-1")
        #expect(await runs.count == 1)
        #expect(session.clientRequests.count == 0)
    }

    @Test(arguments: [
        JSONValue.object(JSONObject([("result", ["action": "decline"])])),
        .object(JSONObject([("result", ["action": "cancel"])])),
        .object(JSONObject([("result", ["action": "accept", "content": ["confirm": false]])])),
        .object(JSONObject([("error", ["code": -32600, "message": "Elicitation not supported"])])),
    ])
    @LoopActor func anythingButYesIsAToolErrorAndNothingRuns(answer: JSONValue) async throws {
        let runs = RunCounter()
        let server = makeServer([DeleteThingTool(runs: runs)], policy: confirmPolicy)
        let session = try initializedSession(server, capabilities: ["elicitation": [:]], version: "2025-06-18")
        let reply = AskingReply()
        let context = MCPRequestContext(version: .v2025_06_18)
        server.handle(try call(2, "things_delete", ["name": "web-1"]), session: session, context: context, reply: reply)
        let asked = await reply.nextRequest(after: 0)
        #expect(asked["params"]?["mode"] == nil)  // 2025-06-18 knows no mode
        var response = JSONObject([("jsonrpc", "2.0"), ("id", try #require(asked["id"]))])
        for (k, v) in answer.objectValue ?? JSONObject() { response[k] = v }
        server.handle(try message(.object(response)), session: session, context: context, reply: NullReply.shared)
        let answered = await reply.nextResponse(after: 0)
        #expect(answered["result"]?["isError"] == true)
        #expect(text(answered).hasPrefix("not confirmed"))
        #expect(await runs.count == 0)
    }

    @Test @LoopActor func responsesForUnknownIDsOrOtherSessionsAreIgnored() async throws {
        let runs = RunCounter()
        let server = makeServer([DeleteThingTool(runs: runs)], policy: confirmPolicy)
        let session = try initializedSession(server, capabilities: ["elicitation": [:]])
        let other = try initializedSession(server, capabilities: ["elicitation": [:]])
        let reply = AskingReply()
        let context = MCPRequestContext(version: .v2025_11_25)
        server.handle(try call(3, "things_delete", ["name": "a"]), session: session, context: context, reply: reply)
        let asked = await reply.nextRequest(after: 0)
        let yes: JSONValue = ["action": "accept", "content": ["confirm": true]]
        server.handle(try message(["jsonrpc": "2.0", "id": "kube-mcp-999", "result": yes]), session: session,
                      context: context, reply: NullReply.shared)
        server.handle(try message(["jsonrpc": "2.0", "id": try #require(asked["id"]), "result": yes]), session: other,
                      context: context, reply: NullReply.shared)
        server.handle(try message(["jsonrpc": "2.0", "id": try #require(asked["id"]), "result": yes]), session: nil,
                      context: context, reply: NullReply.shared)
        #expect(reply.responses.isEmpty)
        #expect(session.clientRequests.count == 1)
        session.end()
        #expect(session.clientRequests.count == 0)
        #expect(await runs.count == 0)
    }

    @Test @LoopActor func cancellingTheCallWithdrawsTheQuestionAndAnswersNothing() async throws {
        let runs = RunCounter()
        let server = makeServer([DeleteThingTool(runs: runs)], policy: confirmPolicy)
        let session = try initializedSession(server, capabilities: ["elicitation": [:]])
        let reply = AskingReply()
        let context = MCPRequestContext(version: .v2025_11_25)
        server.handle(try call(4, "things_delete", ["name": "a"]), session: session, context: context, reply: reply)
        let asked = await reply.nextRequest(after: 0)
        server.handle(try message(["jsonrpc": "2.0", "method": "notifications/cancelled", "params": ["requestId": 4]]),
                      session: session, context: context, reply: NullReply.shared)
        // The withdrawal goes out once the cancellation reached the waiting call.
        for _ in 0..<200 where reply.notifications.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        #expect(reply.notifications.first?["method"] == "notifications/cancelled")
        #expect(reply.notifications.first?["params"]?["requestId"] == asked["id"])
        #expect(session.clientRequests.count == 0)
        #expect(reply.responses.isEmpty)
        #expect(await runs.count == 0)
    }

    @Test @LoopActor func unansweredQuestionsTimeOut() async throws {
        let session = MCPSession(id: nil, transport: .stdio, lenient: true)
        let reply = AskingReply()
        let answer = await session.askClient(method: "elicitation/create", params: [:], via: reply,
                                             timeoutMilliseconds: 30)
        #expect(answer == .timedOut)
        #expect(reply.requests.count == 1)
        #expect(reply.notifications.first?["method"] == "notifications/cancelled")
        #expect(session.clientRequests.count == 0)
    }

    // MARK: Fallback

    @Test @LoopActor func clientsWithoutElicitationFollowTheFallback() async throws {
        let runs = RunCounter()
        let context = MCPRequestContext(version: .v2025_11_25)
        let allow = makeServer([DeleteThingTool(runs: runs)], policy: confirmPolicy)
        let plain = try initializedSession(allow, capabilities: [:])
        let reply = AskingReply()
        allow.handle(try call(5, "things_delete", ["name": "a"]), session: plain, context: context, reply: reply)
        let allowed = await reply.nextResponse(after: 0)
        #expect(allowed["result"]?["isError"] == false)
        #expect(reply.requests.isEmpty)

        let deny = makeServer([DeleteThingTool(runs: runs)], policy: denyPolicy)
        let urlOnly = try initializedSession(deny, capabilities: ["elicitation": ["url": [:]]])
        deny.handle(try call(6, "things_delete", ["name": "a"]), session: urlOnly, context: context, reply: reply)
        let denied = await reply.nextResponse(after: 1)
        #expect(denied["result"]?["isError"] == true)
        #expect(text(denied).contains("--confirm-fallback deny"))
        #expect(text(denied).contains("did not declare the MCP elicitation capability"))
        // Stateless (no session) and a channel that cannot carry requests fall back too.
        deny.handle(try call(7, "things_delete", ["name": "a"]), session: nil, context: context, reply: reply)
        #expect(text(await reply.nextResponse(after: 2)).contains("stateless mode"))
        let capable = try initializedSession(deny, capabilities: ["elicitation": [:]])
        reply.carriesRequests = false
        deny.handle(try call(8, "things_delete", ["name": "a"]), session: capable, context: context, reply: reply)
        #expect(text(await reply.nextResponse(after: 3)).contains("text/event-stream"))
        #expect(reply.requests.isEmpty)
        #expect(await runs.count == 1)
    }

    @Test @LoopActor func readOnlyToolsAndInvalidArgumentsAreNotConfirmed() async throws {
        let runs = RunCounter()
        let server = makeServer([DeleteThingTool(runs: runs), PeekTool()], policy: denyPolicy)
        let reply = AskingReply()
        let context = MCPRequestContext(version: .v2025_11_25)
        server.handle(try call(1, "peek", [:]), session: nil, context: context, reply: reply)
        #expect(text(await reply.nextResponse(after: 0)) == "peeked")
        let session = try initializedSession(server, capabilities: ["elicitation": [:]])
        server.handle(try call(2, "things_delete", ["name": 5]), session: session, context: context, reply: reply)
        let invalid = await reply.nextResponse(after: 1)
        #expect(text(invalid).hasPrefix("Invalid arguments"))
        #expect(reply.requests.isEmpty)
    }

    @Test @LoopActor func confirmationIsOffByDefault() async throws {
        let runs = RunCounter()
        let server = makeServer([DeleteThingTool(runs: runs)], policy: ToolCallPolicy())
        let reply = AskingReply()
        server.handle(try call(1, "things_delete", ["name": "a"]), session: nil,
                      context: MCPRequestContext(version: .v2025_11_25), reply: reply)
        #expect(await reply.nextResponse(after: 0)["result"]?["isError"] == false)
        #expect(await runs.count == 1)
    }

    // MARK: 2026-07-28: input_required round trip

    private static func modernMeta(elicitation: Bool) -> JSONValue {
        var capabilities = JSONObject()
        if elicitation { capabilities["elicitation"] = ["form": [:]] }
        return ["io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": .object(capabilities)]
    }

    @Test @LoopActor func modernCallsAskThroughInputRequired() async throws {
        let runs = RunCounter()
        let clock = ManualClock()
        let server = makeServer([DeleteThingTool(runs: runs)], policy: denyPolicy, clock: clock)
        let reply = AskingReply()
        let context = MCPRequestContext(version: .v2026_07_28)
        let meta = Self.modernMeta(elicitation: true)
        server.handle(try call(1, "things_delete", ["name": "web-1"], extra: JSONObject([("_meta", meta)])),
                      session: nil, context: context, reply: reply)
        let first = await reply.nextResponse(after: 0)
        #expect(first["result"]?["resultType"] == "input_required")
        let request = try #require(first["result"]?["inputRequests"]?["confirm"])
        #expect(request["method"] == "elicitation/create")
        #expect(request["params"]?["requestedSchema"]?["properties"]?["confirm"]?["type"] == "boolean")
        let state = try #require(first["result"]?["requestState"])
        #expect(await runs.count == 0)

        let yes: JSONValue = ["confirm": ["action": "accept", "content": ["confirm": true]]]
        let retry = JSONObject([("_meta", meta), ("inputResponses", yes), ("requestState", state)])
        // Another tool's arguments with this state: refused.
        server.handle(try call(2, "things_delete", ["name": "web-2"], extra: retry), session: nil, context: context,
                      reply: reply)
        #expect(text(await reply.nextResponse(after: 1)).contains("other arguments"))
        // The real retry runs the tool and answers with a complete result.
        server.handle(try call(3, "things_delete", ["name": "web-1"], extra: retry), session: nil, context: context,
                      reply: reply)
        let done = await reply.nextResponse(after: 2)
        #expect(done["result"]?["resultType"] == "complete")
        #expect(text(done) == "deleted web-1")
        #expect(await runs.count == 1)
        // The same answer cannot be replayed.
        server.handle(try call(4, "things_delete", ["name": "web-1"], extra: retry), session: nil, context: context,
                      reply: reply)
        #expect(text(await reply.nextResponse(after: 3)).contains("already answered"))
        #expect(await runs.count == 1)
    }

    @Test @LoopActor func modernRefusalsDeclineTamperingAndExpiry() async throws {
        let runs = RunCounter()
        let clock = ManualClock()
        let server = makeServer([DeleteThingTool(runs: runs)], policy: confirmPolicy, clock: clock)
        let reply = AskingReply()
        let context = MCPRequestContext(version: .v2026_07_28)
        let meta = Self.modernMeta(elicitation: true)
        var states: [JSONValue] = []
        for i in 0..<3 {
            server.handle(try call(i, "things_delete", ["name": "x"], extra: JSONObject([("_meta", meta)])),
                          session: nil, context: context, reply: reply)
            states.append(try #require(await reply.nextResponse(after: i)["result"]?["requestState"]))
        }
        let no: JSONValue = ["confirm": ["action": "decline"]]
        server.handle(try call(10, "things_delete", ["name": "x"],
                               extra: JSONObject([("_meta", meta), ("inputResponses", no),
                                                  ("requestState", states[0])])),
                      session: nil, context: context, reply: reply)
        #expect(text(await reply.nextResponse(after: 3)).contains("the user declined"))

        let yes: JSONValue = ["confirm": ["action": "accept", "content": ["confirm": true]]]
        let tampered = JSONValue.string((states[1].stringValue ?? "") + "A")
        server.handle(try call(11, "things_delete", ["name": "x"],
                               extra: JSONObject([("_meta", meta), ("inputResponses", yes),
                                                  ("requestState", tampered)])),
                      session: nil, context: context, reply: reply)
        #expect(text(await reply.nextResponse(after: 4)).contains("not one this server issued"))

        clock.now += RequestStateCodec.lifetimeMilliseconds + 1
        server.handle(try call(12, "things_delete", ["name": "x"],
                               extra: JSONObject([("_meta", meta), ("inputResponses", yes),
                                                  ("requestState", states[2])])),
                      session: nil, context: context, reply: reply)
        #expect(text(await reply.nextResponse(after: 5)).contains("expired"))
        #expect(await runs.count == 0)
    }

    @Test @LoopActor func modernClientsWithoutElicitationFollowTheFallback() async throws {
        let runs = RunCounter()
        let context = MCPRequestContext(version: .v2026_07_28)
        let meta = Self.modernMeta(elicitation: false)
        let reply = AskingReply()
        let deny = makeServer([DeleteThingTool(runs: runs)], policy: denyPolicy)
        deny.handle(try call(1, "things_delete", ["name": "x"], extra: JSONObject([("_meta", meta)])), session: nil,
                    context: context, reply: reply)
        let denied = await reply.nextResponse(after: 0)
        #expect(denied["result"]?["resultType"] == "complete")
        #expect(text(denied).contains("--confirm-fallback deny"))
        let allow = makeServer([DeleteThingTool(runs: runs)], policy: confirmPolicy)
        allow.handle(try call(2, "things_delete", ["name": "x"], extra: JSONObject([("_meta", meta)])), session: nil,
                     context: context, reply: reply)
        #expect(text(await reply.nextResponse(after: 1)) == "deleted x")
        #expect(await runs.count == 1)
    }

    // MARK: Rate limit

    @Test @LoopActor func rateLimitPerSessionAndSharedWithoutOne() async throws {
        let clock = ManualClock()
        let server = makeServer([PeekTool()], policy: ToolCallPolicy(rateLimit: .init(perSecond: 1, burst: 2)),
                                clock: clock)
        let reply = AskingReply()
        let context = MCPRequestContext(version: .v2025_11_25)
        let a = try initializedSession(server, capabilities: [:])
        let b = try initializedSession(server, capabilities: [:])
        for i in 0..<3 { server.handle(try call(i, "peek", [:]), session: a, context: context, reply: reply) }
        for i in 0..<3 { _ = await reply.nextResponse(after: i) }
        let third = try #require(reply.responses.first { $0["id"] == 2 })
        #expect(third["result"]?["isError"] == true)
        #expect(text(third) == "rate limit: at most 1 tool calls per second per session, bursts of up to 2 "
                + "(--tool-rate-limit, --tool-rate-burst); retry in 1.0 s.")
        // Another session has its own bucket.
        server.handle(try call(3, "peek", [:]), session: b, context: context, reply: reply)
        #expect(text(await reply.nextResponse(after: 3)) == "peeked")
        // A second later session a has a token again.
        clock.now += 1000
        server.handle(try call(4, "peek", [:]), session: a, context: context, reply: reply)
        #expect(text(await reply.nextResponse(after: 4)) == "peeked")
        // Sessionless requests (stateless, 2026-07-28) share one bucket.
        let meta = Self.modernMeta(elicitation: false)
        server.handle(try call(5, "peek", [:]), session: nil, context: context, reply: reply)
        server.handle(try call(6, "peek", [:], extra: JSONObject([("_meta", meta)])), session: nil,
                      context: MCPRequestContext(version: .v2026_07_28), reply: reply)
        server.handle(try call(7, "peek", [:]), session: nil, context: context, reply: reply)
        for i in 5..<8 { _ = await reply.nextResponse(after: i) }
        let shared = try #require(reply.responses.first { $0["id"] == 7 })
        #expect(text(shared).contains("sessionless requests share one server-wide budget"))
    }
}
