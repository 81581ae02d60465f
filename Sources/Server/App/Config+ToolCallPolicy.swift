import Foundation

extension Config {
    /// The highest `--tool-rate-limit` accepted (calls per second).
    static let maxToolRate = 10_000.0
    /// The highest `--tool-rate-burst` accepted.
    static let maxToolBurst = 1_000_000

    /// `--confirm-destructive`, `--confirm-fallback`, `--tool-rate-limit` and `--tool-rate-burst`, each from
    /// its flag, else its environment variable (`MCP_CONFIRM_DESTRUCTIVE`, `MCP_CONFIRM_FALLBACK`,
    /// `MCP_TOOL_RATE_LIMIT`, `MCP_TOOL_RATE_BURST`), else off / allow / no limit. `environment` holds only
    /// non-blank values.
    static func resolveToolCallPolicy(options: ServerOptions, environment env: [String: String])
        throws(ConfigError) -> ToolCallPolicy
    {
        var policy = ToolCallPolicy()
        if let flag = options.confirmDestructive {
            policy.confirmDestructive = flag
        } else if let text = env["MCP_CONFIRM_DESTRUCTIVE"] {
            policy.confirmDestructive = try parseBool(text, source: "MCP_CONFIRM_DESTRUCTIVE")
        }

        let fallbackSource = options.confirmFallback != nil ? "--confirm-fallback" : "MCP_CONFIRM_FALLBACK"
        if let text = options.confirmFallback ?? env["MCP_CONFIRM_FALLBACK"] {
            let word = text.trimmingCharacters(in: .whitespaces).lowercased()
            guard let fallback = ToolCallPolicy.Fallback(rawValue: word) else {
                throw .invalidValue(source: fallbackSource, value: text, expected: "allow or deny")
            }
            policy.confirmFallback = fallback
        }

        let rate: Double?
        if let flag = options.toolRateLimit {
            rate = try checkedRate(flag, text: String(flag), source: "--tool-rate-limit")
        } else if let text = env["MCP_TOOL_RATE_LIMIT"] {
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidValue(source: "MCP_TOOL_RATE_LIMIT", value: text, expected: rateExpectation)
            }
            rate = try checkedRate(value, text: text, source: "MCP_TOOL_RATE_LIMIT")
        } else {
            rate = nil
        }

        let burstSource = options.toolRateBurst != nil ? "--tool-rate-burst" : "MCP_TOOL_RATE_BURST"
        var burst: Int?
        if let flag = options.toolRateBurst {
            burst = flag
        } else if let text = env["MCP_TOOL_RATE_BURST"] {
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidValue(source: burstSource, value: text,
                                    expected: "a whole number of calls from 1 to \(maxToolBurst)")
            }
            burst = value
        }
        if let value = burst, !(1...maxToolBurst).contains(value) {
            throw .invalidValue(source: burstSource, value: String(value),
                                expected: "a whole number of calls from 1 to \(maxToolBurst)")
        }

        if let rate {
            policy.rateLimit = ToolCallPolicy.RateLimit(
                perSecond: rate, burst: burst ?? ToolCallPolicy.RateLimit.defaultBurst(perSecond: rate))
        } else if let burst, options.toolRateBurst != nil {
            throw .invalidValue(source: "--tool-rate-burst", value: String(burst),
                                expected: "usable without --tool-rate-limit (or MCP_TOOL_RATE_LIMIT) to set the rate")
        }
        return policy
    }

    private static var rateExpectation: String {
        "0 (no limit) or a number of tool calls per second up to \(Int(maxToolRate))"
    }

    /// A positive finite rate up to `maxToolRate`; 0 means no limit (nil).
    private static func checkedRate(_ value: Double, text: String, source: String) throws(ConfigError) -> Double? {
        guard value.isFinite, value >= 0, value <= maxToolRate else {
            throw .invalidValue(source: source, value: text, expected: rateExpectation)
        }
        return value == 0 ? nil : value
    }
}
