import Foundation
import Logging
import Testing
@testable import Server

@Suite struct ConfigTests {
    private func resolve(_ arguments: [String] = [], _ environment: [String: String] = [:]) throws -> Config {
        try ConfigResolution.resolve(arguments, environment)
    }

    private func failure(_ arguments: [String] = [], _ environment: [String: String] = [:]) -> String? {
        ConfigResolution.failure(arguments, environment)
    }

    // MARK: Defaults

    @Test func usesDefaultsWithoutFlagsOrEnvironment() throws {
        let config = try resolve()
        #expect(config.host == "localhost")
        #expect(config.bindAddress == "127.0.0.1")
        #expect(config.isLoopback)
        #expect(config.port == 8080)
        #expect(config.kubeconfigPath == nil && config.context == nil && config.namespace == nil)
        #expect(!config.stateless && !config.readOnly && !config.stdio)
        #expect(config.logLevel == .info)
        #expect(config.authTokens.isEmpty && config.authTokenFile == nil && !config.requiresAuthentication)
        #expect(!config.allowUnauthenticated)
        #expect(config.allowedHosts.isEmpty && config.allowedOrigins.isEmpty)
        #expect(config.limits == HTTPLimits.defaults)
    }

    // MARK: Precedence flag > environment > default

    @Test func hostFlagBeatsEnvironmentWhichBeatsDefault() throws {
        #expect(try resolve([], ["MCP_HOST": "127.0.0.2"]).host == "127.0.0.2")
        #expect(try resolve(["--host", "::1"], ["MCP_HOST": "127.0.0.2"]).host == "::1")
    }

    @Test func portFlagBeatsEnvironmentWhichBeatsDefault() throws {
        #expect(try resolve([], ["MCP_PORT": "9000"]).port == 9000)
        #expect(try resolve(["--port", "0"], ["MCP_PORT": "9000"]).port == 0)
    }

    @Test func kubernetesFlagsBeatEnvironment() throws {
        let env = ["K8S_KUBECONFIG_PATH": "/env/config", "K8S_CONTEXT": "env-ctx", "K8S_NAMESPACE": "env-ns"]
        let fromEnv = try resolve([], env)
        #expect(fromEnv.kubeconfigPath == "/env/config")
        #expect(fromEnv.context == "env-ctx")
        #expect(fromEnv.namespace == "env-ns")
        let fromFlags = try resolve(["--kubeconfig", "/flag/config", "--context", "flag-ctx", "--namespace", "flag-ns"],
                                    env)
        #expect(fromFlags.kubeconfigPath == "/flag/config")
        #expect(fromFlags.context == "flag-ctx")
        #expect(fromFlags.namespace == "flag-ns")
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let config = try resolve([], ["K8S_CONTEXT": "", "MCP_PORT": " ", "MCP_HOST": ""])
        #expect(config.context == nil)
        #expect(config.port == 8080)
        #expect(config.host == "localhost")
    }

    @Test func readOnlyFlagBeatsEnvironmentInBothDirections() throws {
        #expect(try resolve([], ["MCP_READ_ONLY": "yes"]).readOnly)
        #expect(try resolve([], ["MCP_READ_ONLY": "0"]).readOnly == false)
        #expect(try resolve(["--read-only"], ["MCP_READ_ONLY": "false"]).readOnly)
        #expect(try resolve(["--no-read-only"], ["MCP_READ_ONLY": "true"]).readOnly == false)
        for truthy in ["true", "TRUE", "1", "yes"] { #expect(try resolve([], ["MCP_READ_ONLY": truthy]).readOnly) }
        for falsy in ["false", "0", "no", "No"] { #expect(try !resolve([], ["MCP_READ_ONLY": falsy]).readOnly) }
    }

    @Test func logLevelFlagBeatsEnvironmentWhichBeatsDebugSwitch() throws {
        #expect(try resolve([], ["MCP_LOG_LEVEL": "warning"]).logLevel == .warning)
        #expect(try resolve(["--log-level", "trace"], ["MCP_LOG_LEVEL": "warning"]).logLevel == .trace)
        #expect(try resolve([], ["MCP_DEBUG": "1"]).logLevel == .debug)
        #expect(try resolve([], ["MCP_DEBUG": "true", "MCP_LOG_LEVEL": "error"]).logLevel == .error)
        #expect(try resolve(["--log-level", "critical"], ["MCP_DEBUG": "yes"]).logLevel == .critical)
        #expect(try resolve([], ["MCP_DEBUG": "0"]).logLevel == .info)
        #expect(try resolve([], ["MCP_LOG_LEVEL": "NOTICE"]).logLevel == .notice)
    }

    @Test func allowedHostsAndOriginsFlagsBeatEnvironment() throws {
        let env = ["MCP_ALLOWED_HOSTS": "a.example, b.example ,", "MCP_ALLOWED_ORIGINS": "https://app.example"]
        let fromEnv = try resolve([], env)
        #expect(fromEnv.allowedHosts == ["a.example", "b.example"])
        #expect(fromEnv.allowedOrigins == ["https://app.example"])
        let fromFlags = try resolve(["--allowed-host", "c.example", "--allowed-host", "d.example,e.example",
                                     "--allowed-origin", "https://other.example"], env)
        #expect(fromFlags.allowedHosts == ["c.example", "d.example", "e.example"])
        #expect(fromFlags.allowedOrigins == ["https://other.example"])
    }

    @Test func plainFlagsSetTheirFields() throws {
        let config = try resolve(["--stateless", "--stdio", "--allow-unauthenticated"])
        #expect(config.stateless && config.stdio && config.allowUnauthenticated)
    }

    // MARK: Bad values

    @Test func rejectsNonNumericPortFromEnvironment() {
        #expect(failure([], ["MCP_PORT": "abc"]) == "MCP_PORT: \"abc\" is not a port number (0-65535)")
    }

    @Test func rejectsOutOfRangePorts() {
        #expect(failure([], ["MCP_PORT": "65536"]) == "MCP_PORT: \"65536\" is not a port number (0-65535)")
        #expect(failure(["--port", "70000"]) == "--port: \"70000\" is not a port number (0-65535)")
        #expect(failure(["--port=-1"]) == "--port: \"-1\" is not a port number (0-65535)")
    }

    @Test func rejectsBadBooleansAndLogLevels() {
        #expect(failure([], ["MCP_READ_ONLY": "maybe"])
            == "MCP_READ_ONLY: \"maybe\" is not a boolean (true/false/1/0/yes/no)")
        #expect(failure([], ["MCP_DEBUG": "sure"]) == "MCP_DEBUG: \"sure\" is not a boolean (true/false/1/0/yes/no)")
        #expect(failure([], ["MCP_LOG_LEVEL": "loud"])
            == "MCP_LOG_LEVEL: \"loud\" is not a log level (trace, debug, info, notice, warning, error, critical)")
        #expect(failure(["--log-level", "verbose"])?.hasPrefix("--log-level: \"verbose\" is not a log level") == true)
    }

    @Test func rejectsHostNamesOtherThanLocalhost() {
        #expect(failure(["--host", "example.com"])?.hasPrefix("--host: \"example.com\" is not an IP address or localhost")
            == true)
        #expect(failure([], ["MCP_HOST": "256.1.1.1"])?.hasPrefix("MCP_HOST: \"256.1.1.1\"") == true)
    }

    @Test func acceptsIPLiteralsAndComputesBindAddress() throws {
        #expect(try resolve(["--host", "LOCALHOST"]).bindAddress == "127.0.0.1")
        #expect(try resolve(["--host", "[::1]"]).bindAddress == "::1")
        #expect(try resolve(["--host", "::1"]).isLoopback)
        #expect(try resolve(["--host", "127.8.9.10"]).isLoopback)
        #expect(try resolve(["--host", "0.0.0.0", "--allow-unauthenticated"]).bindAddress == "0.0.0.0")
        #expect(try !resolve(["--host", "0.0.0.0", "--allow-unauthenticated"]).isLoopback)
        #expect(try !resolve(["--host", "::", "--allow-unauthenticated"]).isLoopback)
        #expect(try !resolve(["--host", "192.168.1.5", "--allow-unauthenticated"]).isLoopback)
        #expect(Config.isLoopbackAddress("::ffff:127.0.0.1"))
    }

    @Test func rejectsNonPositiveLimits() {
        #expect(failure(["--max-body-bytes", "0"]) == "--max-body-bytes: \"0\" is not a positive integer")
        #expect(failure(["--header-timeout=-1"]) == "--header-timeout: \"-1.0\" is not a positive number of seconds")
        #expect(failure(["--shutdown-grace=-2"])
            == "--shutdown-grace: \"-2.0\" is not zero or a positive number of seconds")
    }

    @Test func readsEveryLimitFlag() throws {
        let config = try resolve([
            "--max-request-line-bytes", "100", "--max-header-count", "7", "--max-header-bytes", "2000",
            "--max-body-bytes", "300", "--header-timeout", "0.25", "--idle-timeout", "5", "--max-connections", "10",
            "--stream-queue-bytes", "4096", "--heartbeat-interval", "1.5", "--shutdown-grace", "0",
        ])
        #expect(config.limits == HTTPLimits(
            maxRequestLineBytes: 100, maxHeaderCount: 7, maxHeaderBytes: 2000, maxBodyBytes: 300, headerTimeout: 0.25,
            idleTimeout: 5, maxConnections: 10, streamQueueBytes: 4096, heartbeatInterval: 1.5, shutdownGrace: 0))
        #expect(config.limits.headerTimeoutMilliseconds == 250)
        #expect(config.limits.shutdownGraceMilliseconds == 0)
    }

    // MARK: Loopback rule

    @Test func refusesUnauthenticatedNonLoopbackListener() {
        let message = failure(["--host", "0.0.0.0"])
        #expect(message?.hasPrefix("refusing to listen on 0.0.0.0, which is not a loopback address, without "
            + "authentication") == true)
        #expect(message?.contains("--auth-token-file") == true)
        #expect(message?.contains("--allow-unauthenticated") == true)
        #expect(failure([], ["MCP_HOST": "::"]) != nil)
    }

    @Test func allowsNonLoopbackListenerWithTokensOrConsentOrOverStdio() throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let file = try dir.write("tokens", "secret-token-1\n")
        #expect(try resolve(["--host", "0.0.0.0", "--auth-token-file", file]).requiresAuthentication)
        #expect(try resolve(["--host", "0.0.0.0", "--allow-unauthenticated"]).allowUnauthenticated)
        #expect(try resolve(["--host", "0.0.0.0", "--stdio"]).stdio)
    }

    // MARK: Token file

    @Test func parsesTokenFileSkippingBlanksAndComments() throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let file = try dir.write("tokens", "# team tokens\n\n  alpha-token-1  \r\nbeta-token-2\n   # indented comment\n")
        let config = try resolve(["--auth-token-file", file])
        #expect(config.authTokens == [Array("alpha-token-1".utf8), Array("beta-token-2".utf8)])
        #expect(config.authTokenFile == file)
    }

    @Test func tokenFileFlagBeatsEnvironment() throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let flagFile = try dir.write("flag", "from-flag\n")
        let envFile = try dir.write("env", "from-env\n")
        #expect(try resolve([], ["MCP_AUTH_TOKEN_FILE": envFile]).authTokens == [Array("from-env".utf8)])
        #expect(try resolve(["--auth-token-file", flagFile], ["MCP_AUTH_TOKEN_FILE": envFile]).authTokens
            == [Array("from-flag".utf8)])
    }

    @Test func rejectsEmptyMissingAndMalformedTokenFiles() throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let empty = try dir.write("empty", "# nothing\n\n")
        #expect(failure(["--auth-token-file", empty])
            == "--auth-token-file: token file \(empty) holds no token (only blank lines and # comments)")
        #expect(failure([], ["MCP_AUTH_TOKEN_FILE": dir.path + "/absent"])
            == "MCP_AUTH_TOKEN_FILE: cannot read token file \(dir.path)/absent: the file does not exist")
        let spaced = try dir.write("spaced", "good-token\nbad token-secret-value\n")
        let message = failure(["--auth-token-file", spaced])
        #expect(message == "--auth-token-file: token file \(spaced), line 2: a token must not contain spaces or "
            + "control characters")
        #expect(message?.contains("token-secret-value") == false)
    }

    @Test func neverRevealsTokensInDescriptions() throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let file = try dir.write("tokens", "very-secret-token-A\nvery-secret-token-B\n")
        let config = try resolve(["--auth-token-file", file])
        var dumped = ""
        dump(config, to: &dumped)
        for rendered in [config.description, config.debugDescription, "\(config)", String(reflecting: config), dumped] {
            #expect(!rendered.contains("very-secret-token"))
            // Nor as the byte values of the token.
            #expect(!rendered.contains(Array("very-secret-token-A".utf8).map(String.init).joined(separator: ", ")))
        }
        #expect(config.description.contains("2 token(s)"))
    }

    // MARK: Options

    @Test func documentsEveryEnvironmentVariable() {
        for name in ["MCP_HOST", "MCP_PORT", "MCP_READ_ONLY", "MCP_LOG_LEVEL", "MCP_DEBUG", "MCP_AUTH_TOKEN_FILE",
                     "MCP_ALLOWED_HOSTS", "MCP_ALLOWED_ORIGINS", "K8S_KUBECONFIG_PATH", "K8S_CONTEXT", "K8S_NAMESPACE",
                     "KUBECONFIG"] {
            #expect(ServerOptions.discussion.contains(name))
        }
        let help = ServerOptions.helpMessage()
        for flag in ["--host", "--port", "--kubeconfig", "--context", "--namespace", "--stateless", "--read-only",
                     "--stdio", "--log-level", "--auth-token-file", "--allow-unauthenticated", "--allowed-host",
                     "--allowed-origin", "--max-request-line-bytes", "--max-header-count", "--max-header-bytes",
                     "--max-body-bytes", "--header-timeout", "--idle-timeout", "--max-connections",
                     "--stream-queue-bytes", "--heartbeat-interval", "--shutdown-grace"] {
            #expect(help.contains(flag), "\(flag) missing from help")
        }
    }
}
