/// A token bucket for the requests to one API server: `qps` tokens per second, at most `burst` saved up.
/// Callers reserve a token at once and sleep until it is theirs, so concurrent callers queue fairly.
///
/// Actor; any task.
public actor RateLimiter {
    public let qps: Double
    public let burst: Double
    private var tokens: Double
    private var last: ContinuousClock.Instant
    private let clock = ContinuousClock()

    public init(qps: Double, burst: Int) {
        self.qps = max(qps, 0.001)
        self.burst = Double(max(burst, 1))
        tokens = Double(max(burst, 1))
        last = clock.now
    }

    /// How long the caller must wait for its token (zero when one is available); the token is taken.
    public func reserve(now: ContinuousClock.Instant? = nil) -> Duration {
        let now = now ?? clock.now
        let elapsed = last.duration(to: now)
        if elapsed > .zero {
            tokens = min(burst, tokens + Double(elapsed.components.seconds) * qps
                + Double(elapsed.components.attoseconds) / 1e18 * qps)
            last = now
        }
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .nanoseconds(Int64(-tokens / qps * 1e9))
    }

    /// Waits for a token; throws `CancellationError` when the task is cancelled meanwhile.
    public func acquire() async throws {
        let wait = reserve()
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}
