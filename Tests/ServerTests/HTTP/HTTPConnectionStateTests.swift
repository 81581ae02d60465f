import Testing
@testable import Server

@Suite struct HTTPConnectionStateTests {
    private static let header: UInt64 = 10_000
    private static let idle: UInt64 = 60_000

    private func fresh(at now: UInt64 = 1_000) -> HTTPConnectionState {
        HTTPConnectionState(now: now, headerTimeoutMs: Self.header, idleTimeoutMs: Self.idle)
    }

    /// A connection that has answered one request with keep-alive at `now`.
    private func afterFirstResponse(at now: UInt64) -> HTTPConnectionState {
        var state = fresh()
        state.bytesReceived(now: 1_500, headersComplete: true)
        state.requestParsed()
        #expect(state.responseFinished(now: now, keepAlive: true) == .none)
        return state
    }

    @Test func freshConnectionWaitsWithHeaderTimeout() {
        let state = fresh(at: 1_000)
        #expect(state.phase == .awaitingRequest(first: true))
        #expect(state.deadline == 11_000)
    }

    @Test func freshConnectionTimesOutAtHeaderDeadline() {
        var state = fresh(at: 1_000)
        #expect(state.tick(now: 10_999) == .none)
        #expect(state.phase == .awaitingRequest(first: true))
        #expect(state.tick(now: 11_000) == .close(reason: "header timeout"))
        #expect(state.phase == .closed)
        #expect(state.deadline == nil)
    }

    @Test func headerTimeoutCountsFromFirstByteNotLatest() {
        var state = fresh(at: 1_000)
        state.bytesReceived(now: 2_000, headersComplete: false)
        #expect(state.phase == .readingRequest)
        #expect(state.deadline == 12_000)
        state.bytesReceived(now: 9_000, headersComplete: false)
        #expect(state.deadline == 12_000)
        #expect(state.tick(now: 12_000) == .close(reason: "header timeout"))
    }

    @Test func bodyPhaseUsesIdleTimeoutFromLatestBytes() {
        var state = fresh(at: 1_000)
        state.bytesReceived(now: 2_000, headersComplete: false)
        state.bytesReceived(now: 3_000, headersComplete: true)
        #expect(state.deadline == 3_000 + Self.idle)
        state.bytesReceived(now: 50_000, headersComplete: true)
        #expect(state.deadline == 50_000 + Self.idle)
        #expect(state.tick(now: 50_000 + Self.idle - 1) == .none)
        #expect(state.phase == .readingRequest)
        #expect(state.tick(now: 50_000 + Self.idle) != .none)
        #expect(state.phase == .closed)
    }

    @Test func wholeHeadInFirstPacketStartsIdleTimeout() {
        var state = fresh(at: 1_000)
        state.bytesReceived(now: 1_200, headersComplete: true)
        #expect(state.phase == .readingRequest)
        #expect(state.deadline == 1_200 + Self.idle)
    }

    @Test func respondingHasNoDeadline() {
        var state = fresh()
        state.bytesReceived(now: 1_500, headersComplete: true)
        state.requestParsed()
        #expect(state.phase == .responding)
        #expect(state.deadline == nil)
        #expect(state.tick(now: .max) == .none)
        #expect(state.phase == .responding)
    }

    @Test func bytesWhileRespondingChangeNothing() {
        var state = fresh()
        state.requestParsed()
        state.bytesReceived(now: 5_000, headersComplete: false)
        #expect(state.phase == .responding)
        #expect(state.deadline == nil)
    }

    @Test func keepAliveResponseStartsIdleTimeout() {
        var state = afterFirstResponse(at: 20_000)
        #expect(state.phase == .awaitingRequest(first: false))
        #expect(state.deadline == 20_000 + Self.idle)
        #expect(state.tick(now: 20_000 + Self.idle - 1) == .none)
        #expect(state.tick(now: 20_000 + Self.idle) == .close(reason: "idle timeout"))
        #expect(state.phase == .closed)
    }

    @Test func headerTimeoutRestartsAtFirstByteOfNextRequest() {
        var state = afterFirstResponse(at: 20_000)
        state.bytesReceived(now: 30_000, headersComplete: false)
        #expect(state.phase == .readingRequest)
        #expect(state.deadline == 30_000 + Self.header)
        #expect(state.tick(now: 30_000 + Self.header) == .close(reason: "header timeout"))
    }

    @Test func responseWithoutKeepAliveCloses() {
        var state = fresh()
        state.bytesReceived(now: 1_500, headersComplete: true)
        state.requestParsed()
        #expect(state.responseFinished(now: 2_000, keepAlive: false) == .close(reason: "connection: close"))
        #expect(state.phase == .closed)
        #expect(state.deadline == nil)
    }

    @Test func responseFinishedOutsideRespondingIsIgnored() {
        var state = fresh(at: 1_000)
        #expect(state.responseFinished(now: 2_000, keepAlive: false) == .none)
        #expect(state.phase == .awaitingRequest(first: true))
        #expect(state.deadline == 11_000)
    }

    @Test func streamingHasNoDeadline() {
        var state = fresh()
        state.requestParsed()
        state.streamStarted()
        #expect(state.phase == .streaming)
        #expect(state.deadline == nil)
        #expect(state.tick(now: .max) == .none)
        #expect(state.phase == .streaming)
    }

    @Test func finishedShortStreamReturnsToIdle() {
        var state = fresh()
        state.requestParsed()
        state.streamStarted()
        #expect(state.streamFinished(now: 40_000, keepAlive: true) == .none)
        #expect(state.phase == .awaitingRequest(first: false))
        #expect(state.deadline == 40_000 + Self.idle)
    }

    @Test func finishedStreamWithoutKeepAliveCloses() {
        var state = fresh()
        state.requestParsed()
        state.streamStarted()
        #expect(state.streamFinished(now: 40_000, keepAlive: false) == .close(reason: "stream finished"))
        #expect(state.phase == .closed)
    }

    @Test func streamFinishedOutsideStreamingIsIgnored() {
        var state = fresh()
        state.requestParsed()
        #expect(state.streamFinished(now: 2_000, keepAlive: false) == .none)
        #expect(state.phase == .responding)
    }

    @Test func closedConnectionStaysClosed() {
        var state = fresh()
        state.closed()
        #expect(state.phase == .closed)
        #expect(state.deadline == nil)
        state.bytesReceived(now: 2_000, headersComplete: false)
        state.requestParsed()
        state.streamStarted()
        #expect(state.phase == .closed)
        #expect(state.deadline == nil)
        #expect(state.tick(now: .max) == .none)
    }

    @Test func keepsTheConfiguredTimeouts() {
        let state = fresh()
        #expect(state.headerTimeoutMs == Self.header)
        #expect(state.idleTimeoutMs == Self.idle)
    }
}
