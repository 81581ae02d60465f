import Testing
@testable import Server

/// `--confirm-destructive`, `--confirm-fallback`, `--tool-rate-limit`, `--tool-rate-burst` and their
/// environment variables.
@Suite struct ToolCallPolicyConfigTests {
    private func resolve(_ arguments: [String] = [], _ environment: [String: String] = [:]) throws -> ToolCallPolicy {
        try ConfigResolution.resolve(arguments, environment).toolCalls
    }

    private func failure(_ arguments: [String] = [], _ environment: [String: String] = [:]) -> String? {
        ConfigResolution.failure(arguments, environment)
    }

    @Test func offByDefault() throws {
        let policy = try resolve()
        #expect(policy == ToolCallPolicy(confirmDestructive: false, confirmFallback: .allow, rateLimit: nil))
    }

    @Test func flagsAndEnvironment() throws {
        let flags = try resolve(["--confirm-destructive", "--confirm-fallback", "deny", "--tool-rate-limit", "2.5",
                                 "--tool-rate-burst", "4"])
        #expect(flags == ToolCallPolicy(confirmDestructive: true, confirmFallback: .deny,
                                        rateLimit: .init(perSecond: 2.5, burst: 4)))
        let env = try resolve([], ["MCP_CONFIRM_DESTRUCTIVE": "yes", "MCP_CONFIRM_FALLBACK": "DENY",
                                   "MCP_TOOL_RATE_LIMIT": "1", "MCP_TOOL_RATE_BURST": "3"])
        #expect(env == flags.with(rate: .init(perSecond: 1, burst: 3)))
        // A flag beats its variable.
        let mixed = try resolve(["--no-confirm-destructive", "--confirm-fallback", "allow", "--tool-rate-limit", "0"],
                                ["MCP_CONFIRM_DESTRUCTIVE": "1", "MCP_CONFIRM_FALLBACK": "deny",
                                 "MCP_TOOL_RATE_LIMIT": "5"])
        #expect(mixed == ToolCallPolicy())
    }

    @Test(arguments: [(0.4, 1), (1, 2), (1.2, 3), (10, 20)])
    func burstDefaultsToTwiceTheRate(rate: Double, burst: Int) throws {
        #expect(try resolve(["--tool-rate-limit", String(rate)]).rateLimit?.burst == burst)
    }

    @Test func badValuesNameTheirSource() {
        #expect(failure(["--confirm-fallback", "maybe"]) == "--confirm-fallback: \"maybe\" is not allow or deny")
        #expect(failure([], ["MCP_CONFIRM_FALLBACK": "ask"])?.hasPrefix("MCP_CONFIRM_FALLBACK:") == true)
        #expect(failure([], ["MCP_CONFIRM_DESTRUCTIVE": "perhaps"])?.hasPrefix("MCP_CONFIRM_DESTRUCTIVE:") == true)
        #expect(failure(["--tool-rate-limit=-1"])?.hasPrefix("--tool-rate-limit: \"-1.0\" is not 0 (no limit)") == true)
        #expect(failure(["--tool-rate-limit", "nan"])?.hasPrefix("--tool-rate-limit:") == true)
        #expect(failure(["--tool-rate-limit", "20000"])?.hasPrefix("--tool-rate-limit:") == true)
        #expect(failure([], ["MCP_TOOL_RATE_LIMIT": "fast"])?.hasPrefix("MCP_TOOL_RATE_LIMIT:") == true)
        #expect(failure(["--tool-rate-limit", "1", "--tool-rate-burst", "0"])?.hasPrefix("--tool-rate-burst:") == true)
        #expect(failure(["--tool-rate-limit", "1"], ["MCP_TOOL_RATE_BURST": "x"])?
            .hasPrefix("MCP_TOOL_RATE_BURST:") == true)
        #expect(failure(["--tool-rate-burst", "3"])?.contains("without --tool-rate-limit") == true)
    }
}

private extension ToolCallPolicy {
    func with(rate: RateLimit) -> ToolCallPolicy {
        var copy = self
        copy.rateLimit = rate
        return copy
    }
}
