import Testing
@testable import Server

/// `TokenBucket` driven with made-up loop-clock times.
@Suite struct TokenBucketTests {
    @Test func burstThenRefusalWithTheWaitForTheNextToken() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 2)
        #expect(bucket.take(nowMilliseconds: 1000) == .allowed)
        #expect(bucket.take(nowMilliseconds: 1000) == .allowed)
        #expect(bucket.take(nowMilliseconds: 1000) == .refused(retryAfterSeconds: 1))
        // A refused call takes nothing: 400 ms later 0.4 tokens are there, 0.6 s to wait.
        guard case .refused(let wait) = bucket.take(nowMilliseconds: 1400) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(abs(wait - 0.6) < 1e-9)
        #expect(bucket.take(nowMilliseconds: 2000) == .allowed)
        #expect(bucket.take(nowMilliseconds: 2000) != .allowed)
    }

    @Test func refillIsCappedAtTheBurst() {
        var bucket = TokenBucket(ratePerSecond: 10, burst: 3)
        for _ in 0..<3 { #expect(bucket.take(nowMilliseconds: 0) == .allowed) }
        // An hour of idleness saves up only three tokens.
        for _ in 0..<3 { #expect(bucket.take(nowMilliseconds: 3_600_000) == .allowed) }
        #expect(bucket.take(nowMilliseconds: 3_600_000) != .allowed)
    }

    @Test func fractionalRatesAndAClockThatDoesNotMoveForward() {
        var bucket = TokenBucket(ratePerSecond: 0.5, burst: 1)
        #expect(bucket.take(nowMilliseconds: 10_000) == .allowed)
        #expect(bucket.take(nowMilliseconds: 9_000) == .refused(retryAfterSeconds: 2))
        #expect(bucket.take(nowMilliseconds: 11_000) != .allowed)
        #expect(bucket.take(nowMilliseconds: 12_000) == .allowed)
    }

    @Test func burstIsAtLeastOne() {
        var bucket = TokenBucket(ratePerSecond: 1, burst: 0)
        #expect(bucket.burst == 1)
        #expect(bucket.take(nowMilliseconds: 0) == .allowed)
    }

    @Test func refusalTextFormatting() {
        #expect(ToolCallGate.number(1) == "1")
        #expect(ToolCallGate.number(0.5) == "0.5")
        #expect(ToolCallGate.seconds(0.61) == "0.7")
        #expect(ToolCallGate.seconds(1) == "1.0")
        #expect(ToolCallGate.seconds(12.34) == "12.4")
    }
}
