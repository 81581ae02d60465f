/// The server-wide cap on resource subscriptions, so that many sessions together cannot open an unbounded
/// number of watches on the API server.
///
/// Loop thread only. Shared by every session of one `MCPServer`.
@LoopActor
public final class SubscriptionBudget {
    /// Resource subscriptions allowed in one session at once.
    public static let perSessionLimit = 100
    /// Resource subscriptions allowed in the whole server at once (each holds one watch connection).
    public static let serverLimit = 1_000

    public let limit: Int
    public private(set) var inUse = 0

    public init(limit: Int = SubscriptionBudget.serverLimit) {
        self.limit = limit
    }

    /// Takes one unit; false when the server is at its limit.
    public func acquire() -> Bool {
        guard inUse < limit else { return false }
        inUse += 1
        return true
    }

    public func release(_ count: Int = 1) {
        inUse = max(0, inUse - count)
    }
}
