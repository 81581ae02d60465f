import Testing
@testable import Server

/// The listen stream's state machine, driven without a loop.
struct ListenStreamStateTests {
    private typealias State = ListenStreamState
    private let a = "k8s://fake/shop/configmaps/a"
    private let b = "k8s://fake/shop/configmaps/b"

    private func filter(tools: Bool = false, prompts: Bool = false, resources: Bool = false,
                        uris: [String] = []) -> ListenFilter {
        ListenFilter(toolsListChanged: tools, promptsListChanged: prompts, resourcesListChanged: resources,
                     resourceSubscriptions: uris)
    }

    @Test func withoutURIsTheAcknowledgementGoesOutAtOnce() {
        var state = State(requested: filter(tools: true))
        #expect(state.begin(admitted: [], refused: []) == [.acknowledge(filter(tools: true), refused: [])])
        #expect(state.phase == .open)
        #expect(state.listChanged(.tools) == [.notify(.listChanged(.tools))])
    }

    @Test func acknowledgesOnceEveryWatchOpenedOrFailedWithTheHonouredSubset() {
        var state = State(requested: filter(resources: true, uris: [a, b]))
        #expect(state.begin(admitted: [a, b], refused: []) == [])
        #expect(state.phase == .opening)
        #expect(state.watchOpened(b) == [])
        let actions = state.watchFailed(a, reason: "not found")
        #expect(actions == [.release([a]),
                            .acknowledge(filter(resources: true, uris: [b]),
                                         refused: [.init(uri: a, reason: "not found")])])
        #expect(state.phase == .open)
        #expect(state.isWatching(b) && !state.isWatching(a))
    }

    @Test func nothingIsSentBeforeTheAcknowledgementAndWhatWaitedFollowsIt() {
        var state = State(requested: filter(tools: true, uris: [a, b]))
        _ = state.begin(admitted: [a, b], refused: [])
        #expect(state.watchOpened(a) == [])
        #expect(state.resourceChanged(a) == [])
        #expect(state.listChanged(.tools) == [])
        #expect(state.listChanged(.tools) == [])  // duplicates collapse
        #expect(state.resourceChanged(b) == [])  // b is not running yet: nothing to hold
        #expect(state.watchOpened(b) == [
            .acknowledge(filter(tools: true, uris: [a, b]), refused: []),
            .notify(.resourceUpdated(a)),
            .notify(.listChanged(.tools)),
        ])
        #expect(state.pending.isEmpty)
    }

    @Test func deliversOnlyWhatTheClientAskedFor() {
        var state = State(requested: filter(prompts: true, uris: [a]))
        _ = state.begin(admitted: [a], refused: [])
        _ = state.watchOpened(a)
        #expect(state.listChanged(.tools) == [])
        #expect(state.listChanged(.resources) == [])
        #expect(state.listChanged(.prompts) == [.notify(.listChanged(.prompts))])
        #expect(state.resourceChanged(a) == [.notify(.resourceUpdated(a))])
        #expect(state.resourceChanged(b) == [])
    }

    @Test func budgetRefusalsAreReportedInTheAcknowledgement() {
        var state = State(requested: filter(uris: [a, b]))
        let refusal = State.Refusal(uri: b, reason: "limit")
        _ = state.begin(admitted: [a], refused: [refusal])
        #expect(state.watchOpened(a) == [.acknowledge(filter(uris: [a]), refused: [refusal])])
    }

    @Test func aWatchThatEndsIsReportedOnceAndReleased() {
        var state = State(requested: filter(uris: [a, b]))
        _ = state.begin(admitted: [a, b], refused: [])
        _ = state.watchOpened(a)
        _ = state.watchOpened(b)
        #expect(state.watchEnded(a) == [.notify(.resourceUpdated(a)), .release([a])])
        #expect(state.watchEnded(a) == [])
        #expect(state.resourceChanged(a) == [])
        #expect(state.clientGone() == [.release([b]), .finished])
    }

    @Test func aWatchThatEndsBeforeTheAcknowledgementCountsAsRefused() {
        var state = State(requested: filter(uris: [a, b]))
        _ = state.begin(admitted: [a, b], refused: [])
        _ = state.watchOpened(a)
        #expect(state.watchEnded(a) == [.release([a])])
        let actions = state.watchOpened(b)
        guard case .acknowledge(let honored, let refused)? = actions.first else {
            Issue.record("no acknowledgement: \(actions)")
            return
        }
        #expect(honored.resourceSubscriptions == [b])
        #expect(refused.map(\.uri) == [a])
    }

    @Test func clientGoneReleasesEveryWatchAndSendsNothing() {
        var state = State(requested: filter(tools: true, uris: [a, b]))
        _ = state.begin(admitted: [a, b], refused: [])
        _ = state.watchOpened(a)
        #expect(state.clientGone() == [.release([a, b]), .finished])
        #expect(state.phase == .closed && state.watches.isEmpty)
        // Late events do nothing: the still-starting watch is not released twice, nothing is sent.
        #expect(state.watchOpened(b) == [])
        #expect(state.watchFailed(b, reason: "x") == [])
        #expect(state.watchEnded(a) == [])
        #expect(state.listChanged(.tools) == [])
        #expect(!state.isWatching(a))
        #expect(state.clientGone() == [])
        #expect(state.shutdown() == [])
    }

    @Test func shutdownSendsTheFinalResultAfterReleasingTheWatches() {
        var state = State(requested: filter(uris: [a]))
        _ = state.begin(admitted: [a], refused: [])
        _ = state.watchOpened(a)
        #expect(state.shutdown() == [.release([a]), .complete, .finished])
        #expect(state.clientGone() == [])
    }

    @Test func shutdownBeforeTheAcknowledgementStillCompletes() {
        var state = State(requested: filter(tools: true, uris: [a]))
        _ = state.begin(admitted: [a], refused: [])
        _ = state.listChanged(.tools)
        #expect(state.shutdown() == [.release([a]), .complete, .finished])
        #expect(state.pending.isEmpty)
    }

    @Test func beginTwiceIsIgnored() {
        var state = State(requested: filter(uris: [a]))
        _ = state.begin(admitted: [a], refused: [])
        #expect(state.begin(admitted: [a], refused: []) == [])
    }
}

/// `params.notifications` of `subscriptions/listen`.
struct ListenFilterTests {
    private func object(_ value: JSONValue) -> JSONObject { value.objectValue ?? JSONObject() }

    @Test func parsesFlagsAndDeduplicatesURIsInOrder() throws {
        let f = try ListenFilter(params: object(["notifications": [
            "toolsListChanged": true, "promptsListChanged": false, "resourcesListChanged": nil,
            "resourceSubscriptions": ["k8s://b", "k8s://a", "k8s://b"],
        ]]))
        #expect(f == ListenFilter(toolsListChanged: true, resourceSubscriptions: ["k8s://b", "k8s://a"]))
        #expect(f.json == ["toolsListChanged": true, "resourceSubscriptions": ["k8s://b", "k8s://a"]])
        #expect(try ListenFilter(params: object(["notifications": [:]])).json == [:])
    }

    @Test func rejectsMalformedParams() {
        let cases: [(JSONValue, String)] = [
            ([:], "needs \"notifications\""),
            (["notifications": "all"], "must be an object"),
            (["notifications": ["toolsListChanged": 1]], "boolean"),
            (["notifications": ["resourceSubscriptions": "k8s://x"]], "array of URI strings"),
            (["notifications": ["resourceSubscriptions": [true]]], "array of URI strings"),
            (["notifications": ["resourceSubscriptions": .array((0...100).map { .string("k8s://x/\($0)") })]],
             "at most 100"),
        ]
        for (params, words) in cases {
            do {
                _ = try ListenFilter(params: object(params))
                Issue.record("accepted \(params)")
            } catch {
                #expect(error.code == JSONRPCError.invalidParamsCode)
                #expect(error.message.contains(words), "\(error.message)")
            }
        }
        // 100 distinct URIs are fine; duplicates do not count.
        let hundred = JSONValue.array((0..<100).map { .string("k8s://x/\($0)") } + [.string("k8s://x/0")])
        #expect((try? ListenFilter(params: object(["notifications": ["resourceSubscriptions": hundred]])))?
            .resourceSubscriptions.count == 100)
    }

    @Test func messagesCarryTheSubscriptionID() throws {
        let id = JSONRPCID.int(12)
        let ack = try JSONParser.parse(ListenMessages.acknowledged(
            id: id, honored: ListenFilter(toolsListChanged: true),
            refused: [.init(uri: "k8s://x", reason: "not found")]))
        #expect(ack["method"] == "notifications/subscriptions/acknowledged")
        #expect(ack["params"]?["notifications"] == ["toolsListChanged": true])
        #expect(ack["params"]?["_meta"]?["io.modelcontextprotocol/subscriptionId"] == 12)
        #expect(ack["params"]?["_meta"]?["kube-mcp/refusedResourceSubscriptions"]
                == [["uri": "k8s://x", "reason": "not found"]])
        let updated = try JSONParser.parse(ListenMessages.notice(id: .string("s"), .resourceUpdated("k8s://x")))
        #expect(updated == ["jsonrpc": "2.0", "method": "notifications/resources/updated",
                            "params": ["uri": "k8s://x", "_meta": ["io.modelcontextprotocol/subscriptionId": "s"]]])
        let changed = try JSONParser.parse(ListenMessages.notice(id: id, .listChanged(.prompts)))
        #expect(changed["method"] == "notifications/prompts/list_changed")
        #expect(changed["params"] == ["_meta": ["io.modelcontextprotocol/subscriptionId": 12]])
        let complete = try JSONParser.parse(ListenMessages.complete(id: id))
        #expect(complete == ["jsonrpc": "2.0", "id": 12,
                             "result": ["resultType": "complete",
                                        "_meta": ["io.modelcontextprotocol/subscriptionId": 12]]])
    }
}
