/// A token bucket for tool calls: `ratePerSecond` tokens flow in, at most `burst` are saved up, each call
/// takes one. A refused call takes nothing and learns how long until a token is there. Time is passed in
/// (loop-clock milliseconds), so tests drive it without a clock.
///
/// Plain value; owned by one session (loop thread), by the server for sessionless requests, or by a test.
public struct TokenBucket: Sendable, Equatable {
    /// What `take` decided.
    public enum Decision: Sendable, Equatable {
        case allowed
        /// No token: the next one is there after this many seconds.
        case refused(retryAfterSeconds: Double)
    }

    public let ratePerSecond: Double
    public let burst: Int
    public private(set) var tokens: Double
    private var lastMilliseconds: UInt64?

    /// A full bucket.
    public init(ratePerSecond: Double, burst: Int) {
        self.ratePerSecond = ratePerSecond
        self.burst = max(1, burst)
        tokens = Double(max(1, burst))
    }

    /// Refills for the time since the last call, then takes a token if there is one.
    public mutating func take(nowMilliseconds now: UInt64) -> Decision {
        if let last = lastMilliseconds, now > last {
            tokens = min(Double(burst), tokens + Double(now - last) / 1000 * ratePerSecond)
        }
        if lastMilliseconds.map({ now > $0 }) ?? true { lastMilliseconds = now }
        if tokens >= 1 {
            tokens -= 1
            return .allowed
        }
        return .refused(retryAfterSeconds: (1 - tokens) / ratePerSecond)
    }
}
