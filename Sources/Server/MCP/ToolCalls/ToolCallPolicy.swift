/// What the MCP layer enforces around every `tools/call`, whatever the tool: confirmation of destructive
/// tools (`--confirm-destructive`, `--confirm-fallback`) and the tool-call rate limit (`--tool-rate-limit`,
/// `--tool-rate-burst`).
///
/// Plain value, any thread; resolved once at startup into `Config.toolCalls`.
public struct ToolCallPolicy: Sendable, Equatable {
    /// What happens to a destructive call that needs confirmation when the client cannot be asked.
    public enum Fallback: String, Sendable, Equatable, CaseIterable {
        /// Run it without asking (the default: clients without elicitation keep working).
        case allow
        /// Refuse it with a tool error (recommended for shared deployments).
        case deny
    }

    /// The tool-call rate limit: `perSecond` calls on average, `burst` at once.
    public struct RateLimit: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Int

        public init(perSecond: Double, burst: Int) {
            self.perSecond = perSecond
            self.burst = burst
        }

        /// The burst used when none is given: twice the rate, rounded up, at least 1.
        public static func defaultBurst(perSecond: Double) -> Int {
            max(1, Int((perSecond * 2).rounded(.up)))
        }
    }

    /// Ask the user (MCP elicitation) before running a tool that is destructive and not read-only.
    public var confirmDestructive: Bool
    public var confirmFallback: Fallback
    /// Nil: no limit (the default).
    public var rateLimit: RateLimit?

    public init(confirmDestructive: Bool = false, confirmFallback: Fallback = .allow, rateLimit: RateLimit? = nil) {
        self.confirmDestructive = confirmDestructive
        self.confirmFallback = confirmFallback
        self.rateLimit = rateLimit
    }

    /// Whether a tool's annotations call for confirmation under this policy.
    public func needsConfirmation(destructive: Bool) -> Bool {
        confirmDestructive && destructive
    }
}
