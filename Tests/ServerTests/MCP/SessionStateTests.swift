import Testing
@testable import Server

@Suite struct SessionStateTests {
    @Test func startsNewWithoutVersion() {
        let state = SessionState(lenient: false)
        #expect(state.phase == .new)
        #expect(state.version == nil)
        #expect(!state.lenient)
    }

    @Test func walksThroughTheHandshake() {
        var state = SessionState(lenient: false)
        #expect(state.initialize(requested: "2025-06-18") == .serve(.v2025_06_18))
        #expect(state.phase == .initializing(.v2025_06_18))
        #expect(state.version == .v2025_06_18)
        state.initialized()
        #expect(state.phase == .ready(.v2025_06_18))
        #expect(state.message(method: "tools/list") == .serve(.v2025_06_18))
        #expect(state.phase == .ready(.v2025_06_18))
    }

    @Test func negotiatesNewestForUnknownOrMissingVersion() {
        var unknown = SessionState(lenient: false)
        #expect(unknown.initialize(requested: "2099-01-01") == .serve(.v2025_11_25))
        var missing = SessionState(lenient: false)
        #expect(missing.initialize(requested: nil) == .serve(.v2025_11_25))
        var modern = SessionState(lenient: false)
        #expect(modern.initialize(requested: "2026-07-28") == .serve(.v2025_11_25))
    }

    @Test func servesRequestsWhileInitializing() {
        var state = SessionState(lenient: false)
        _ = state.initialize(requested: "2025-03-26")
        #expect(state.message(method: "tools/list") == .serve(.v2025_03_26))
        #expect(state.phase == .initializing(.v2025_03_26))
    }

    @Test func ignoresInitializedBeforeInitialize() {
        var state = SessionState(lenient: false)
        state.initialized()
        #expect(state.phase == .new)
    }

    @Test func lenientSessionServesRequestsBeforeInitializeAsOldestRevision() {
        var state = SessionState(lenient: true)
        #expect(state.message(method: "tools/call") == .serve(.v2024_11_05))
        #expect(state.phase == .ready(.v2024_11_05))
        #expect(state.version == .v2024_11_05)
    }

    @Test func strictSessionRejectsRequestsBeforeInitialize() throws {
        var state = SessionState(lenient: false)
        let decision = state.message(method: "tools/list")
        guard case .reject(let error) = decision else {
            Issue.record("expected a rejection, got \(decision)")
            return
        }
        #expect(error.code == -32600)
        #expect(error.message.contains("initialize"))
        #expect(state.phase == .new)
    }

    @Test(arguments: [false, true])
    func allowsPingBeforeInitialize(lenient: Bool) {
        var state = SessionState(lenient: lenient)
        #expect(state.message(method: "ping") == .serve(.v2024_11_05))
        #expect(state.phase == .new)
        #expect(state.initialize(requested: "2025-11-25") == .serve(.v2025_11_25))
    }

    @Test(arguments: [false, true])
    func endedSessionRejectsEverything(lenient: Bool) {
        var state = SessionState(lenient: lenient)
        _ = state.initialize(requested: "2025-06-18")
        state.initialized()
        state.end()
        #expect(state.phase == .ended)
        #expect(state.version == nil)
        for method in ["ping", "tools/list", "tools/call"] {
            guard case .reject(let error) = state.message(method: method) else {
                Issue.record("\(method) was not rejected")
                continue
            }
            #expect(error.code == -32600)
        }
        guard case .reject(let error) = state.initialize(requested: "2025-06-18") else {
            Issue.record("initialize was not rejected")
            return
        }
        #expect(error.code == -32600)
        state.initialized()
        #expect(state.phase == .ended)
    }

    @Test func reinitializeRenegotiates() {
        var state = SessionState(lenient: false)
        _ = state.initialize(requested: "2025-06-18")
        state.initialized()
        #expect(state.initialize(requested: "2025-03-26") == .serve(.v2025_03_26))
        #expect(state.phase == .initializing(.v2025_03_26))
        state.initialized()
        #expect(state.message(method: "tools/list") == .serve(.v2025_03_26))
    }

    @Test func lenientSessionMayStillInitializeAfterServingDefaults() {
        var state = SessionState(lenient: true)
        _ = state.message(method: "tools/list")
        #expect(state.initialize(requested: "2025-11-25") == .serve(.v2025_11_25))
        #expect(state.version == .v2025_11_25)
    }
}
