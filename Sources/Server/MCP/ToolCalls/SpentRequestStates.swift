/// The 2026-07-28 confirmation states (`requestState` nonces) already answered, kept until they expire so
/// that one user answer cannot be replayed to run a destructive call twice.
///
/// Plain value; owned by the `ToolCallGate` (loop thread) or a test. Time is passed in.
public struct SpentRequestStates: Sendable {
    /// The most unexpired spent states remembered; beyond it new confirmations are refused until some expire.
    public static var capacity: Int { 10_000 }

    private var expiries: [String: UInt64] = [:]

    public init() {}

    public var count: Int { expiries.count }

    /// Records `nonce` as spent; false when it was spent before or the table is full of unexpired entries.
    public mutating func spend(_ nonce: String, expiresAt: UInt64, now: UInt64) -> Bool {
        guard expiries[nonce] == nil else { return false }
        if expiries.count >= Self.capacity { expiries = expiries.filter { $0.value >= now } }
        guard expiries.count < Self.capacity else { return false }
        expiries[nonce] = expiresAt
        return true
    }
}
