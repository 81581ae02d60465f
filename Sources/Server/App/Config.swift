import Foundation
import Logging

/// The server's resolved, validated, immutable settings: each value from its flag, else its environment
/// variable, else its default (see `ServerOptions` for flags and variables).
///
/// Plain value, safe on any thread; built once at startup by `resolve(options:environment:)`, which also reads
/// the token file. It holds the accepted bearer tokens: `description`, `debugDescription` and `dump` show only
/// how many there are. The kubeconfig is not read here (see `KubeConfigLoader.load(config:environment:)`).
public struct Config: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The listen address as given (`--host` / `MCP_HOST`, default `localhost`).
    public var host: String
    /// The numeric address to bind: `localhost` becomes `127.0.0.1`, brackets of `[::1]` are removed.
    public var bindAddress: String
    /// `--port` / `MCP_PORT`, default 8080; 0 asks the system for a free port.
    public var port: Int
    /// `--kubeconfig` / `K8S_KUBECONFIG_PATH`; nil to follow the kubeconfig lookup order.
    public var kubeconfigPath: String?
    /// `--context` / `K8S_CONTEXT`; nil for the kubeconfig's current-context.
    public var context: String?
    /// `--namespace` / `K8S_NAMESPACE`; nil for the context's namespace.
    public var namespace: String?
    /// `--stateless`: no MCP sessions, every HTTP request stands alone.
    public var stateless: Bool
    /// `--read-only` / `MCP_READ_ONLY`: only tools that do not change the cluster, only GET requests.
    public var readOnly: Bool
    /// `--disable-destructive` / `MCP_DISABLE_DESTRUCTIVE`: no tool annotated destructive.
    public var disableDestructive = false
    /// `--enabled-tools` / `MCP_ENABLED_TOOLS`: when not empty, only these tools are offered.
    public var enabledTools: [String] = []
    /// `--disabled-tools` / `MCP_DISABLED_TOOLS`: tools never offered.
    public var disabledTools: [String] = []
    /// `--denied-resources` / `MCP_DENIED_RESOURCES`: kinds no API request may address.
    public var deniedResources: [DeniedResource] = []
    /// `--allowed-namespaces` / `MCP_ALLOWED_NAMESPACES`: the only namespaces API requests may address;
    /// empty: all.
    public var allowedNamespaces: [String] = []
    /// `--stdio`: one session over standard input and output, no HTTP listener.
    public var stdio: Bool
    /// `--log-level` / `MCP_LOG_LEVEL`, else debug when `MCP_DEBUG` is truthy, else info.
    public var logLevel: Logger.Level
    /// `--auth-token-file` / `MCP_AUTH_TOKEN_FILE`, the file the tokens were read from.
    public var authTokenFile: String?
    /// The accepted bearer tokens (UTF-8 bytes); empty when no token file was given. Never log them.
    public var authTokens: [[UInt8]]
    /// `--allow-unauthenticated`: permit a non-loopback listener without tokens.
    public var allowUnauthenticated: Bool
    /// `--allowed-host` (repeatable) / `MCP_ALLOWED_HOSTS` (comma list); empty when none were given.
    public var allowedHosts: [String]
    /// `--allowed-origin` (repeatable) / `MCP_ALLOWED_ORIGINS` (comma list); empty when none were given.
    public var allowedOrigins: [String]
    /// HTTP size, count and time limits (flags only).
    public var limits: HTTPLimits
    /// How tool results are shaped (`--list-output`, `--output-limit-bytes`, `--show-secrets`).
    public var output = OutputSettings()
    /// Kubernetes client tunables (`--kube-qps`, `--kube-burst`, `--kube-timeout`).
    public var kube = KubeClient.Options()
    /// Confirmation of destructive tools and the tool-call rate limit (`--confirm-destructive`,
    /// `--confirm-fallback`, `--tool-rate-limit`, `--tool-rate-burst`).
    public var toolCalls = ToolCallPolicy()

    /// The tool-level guard rails for `ToolRegistry`. The `kubectl` tool is withheld while resources are
    /// denied or namespaces restricted: it sends its own requests, which the request policy cannot check.
    public var toolRestrictions: ToolRestrictions {
        var withheld: [String: String] = [:]
        if !deniedResources.isEmpty || !allowedNamespaces.isEmpty {
            let flag = !deniedResources.isEmpty ? "--denied-resources" : "--allowed-namespaces"
            withheld["kubectl"] = "the server runs with \(flag), and the kubectl tool sends its own API requests, "
                + "which the server cannot check; use the other tools, or restart the server without "
                + "--denied-resources and --allowed-namespaces to use kubectl"
        }
        return ToolRestrictions(readOnly: readOnly, disableDestructive: disableDestructive, enabledTools: enabledTools,
                                disabledTools: disabledTools, withheld: withheld)
    }

    /// Checks that `--enabled-tools` and `--disabled-tools` name only tools in `known` (the catalogue's names).
    public func checkToolNames(known: [String]) throws(ConfigError) {
        let unknown = toolRestrictions.unknownToolNames(known: known)
        guard unknown.isEmpty else { throw .unknownTools(names: unknown, known: known) }
    }

    /// True when the bind address is a loopback address (127.0.0.0/8, `::1`, or `localhost`).
    public var isLoopback: Bool { Self.isLoopbackAddress(bindAddress) }

    /// True when HTTP clients must present one of `authTokens`.
    public var requiresAuthentication: Bool { !authTokens.isEmpty }

    public static let defaultHost = "localhost"
    public static let defaultPort = 8080

    /// Merges flags, environment and defaults (flag > environment > default), reads the token file and
    /// checks every value and the rule that a non-loopback HTTP listener needs tokens or
    /// `--allow-unauthenticated`. Blocks on reading the token file: call at startup.
    public static func resolve(options: ServerOptions, environment: [String: String]) throws(ConfigError) -> Config {
        let env = environment.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }

        // Listening.
        let hostSource = options.host != nil ? "--host" : "MCP_HOST"
        let host = (options.host ?? env["MCP_HOST"] ?? defaultHost).trimmingCharacters(in: .whitespaces)
        let bindAddress = try bindAddress(for: host, source: hostSource)
        let port: Int
        if let flag = options.port {
            port = try checkedPort(flag, text: String(flag), source: "--port")
        } else if let text = env["MCP_PORT"] {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let value = Int(trimmed) else { throw .invalidValue(source: "MCP_PORT", value: text,
                                                                      expected: "a port number (0-65535)") }
            port = try checkedPort(value, text: text, source: "MCP_PORT")
        } else {
            port = defaultPort
        }

        // Kubernetes.
        let kubeconfigPath = nonEmpty(options.kubeconfig) ?? env["K8S_KUBECONFIG_PATH"]
        let context = nonEmpty(options.context) ?? env["K8S_CONTEXT"]
        let namespace = nonEmpty(options.namespace) ?? env["K8S_NAMESPACE"]

        let readOnly: Bool
        if let flag = options.readOnly {
            readOnly = flag
        } else if let text = env["MCP_READ_ONLY"] {
            readOnly = try parseBool(text, source: "MCP_READ_ONLY")
        } else {
            readOnly = false
        }

        // Guard rails.
        let disableDestructive: Bool
        if let flag = options.disableDestructive {
            disableDestructive = flag
        } else if let text = env["MCP_DISABLE_DESTRUCTIVE"] {
            disableDestructive = try parseBool(text, source: "MCP_DISABLE_DESTRUCTIVE")
        } else {
            disableDestructive = false
        }
        let (enabledTools, enabledSource) = listOption(options.enabledTools, "--enabled-tools", env, "MCP_ENABLED_TOOLS")
        let (disabledTools, disabledSource) = listOption(options.disabledTools, "--disabled-tools", env,
                                                         "MCP_DISABLED_TOOLS")
        for (names, source) in [(enabledTools, enabledSource), (disabledTools, disabledSource)] {
            for name in names where !isToolName(name) {
                throw .invalidValue(source: source, value: name, expected: "a tool name (letters, digits, _ . -)")
            }
        }
        if let both = enabledTools.first(where: disabledTools.contains) {
            throw .invalidValue(source: "\(enabledSource) and \(disabledSource)", value: both,
                                expected: "allowed in both lists (name each tool in one of them)")
        }
        let (deniedTexts, deniedSource) = listOption(options.deniedResources, "--denied-resources", env,
                                                     "MCP_DENIED_RESOURCES")
        var deniedResources: [DeniedResource] = []
        for text in deniedTexts {
            switch DeniedResource.parse(text) {
            case .success(let entry): if !deniedResources.contains(entry) { deniedResources.append(entry) }
            case .failure(let failure): throw .invalidValue(source: deniedSource, value: text, expected: failure.expected)
            }
        }
        let (namespaceTexts, namespacesSource) = listOption(options.allowedNamespaces, "--allowed-namespaces", env,
                                                            "MCP_ALLOWED_NAMESPACES")
        var allowedNamespaces: [String] = []
        for name in namespaceTexts where !allowedNamespaces.contains(name) {
            guard isNamespaceName(name) else {
                throw .invalidValue(source: namespacesSource, value: name,
                                    expected: "a namespace name (lowercase letters, digits and -, at most 63)")
            }
            allowedNamespaces.append(name)
        }
        if let namespace, !allowedNamespaces.isEmpty, !allowedNamespaces.contains(namespace) {
            throw .invalidValue(source: options.namespace != nil ? "--namespace" : "K8S_NAMESPACE", value: namespace,
                                expected: "one of the allowed namespaces (\(allowedNamespaces.joined(separator: ", ")))")
        }

        // Logging.
        let logLevel: Logger.Level
        if let text = options.logLevel {
            logLevel = try parseLogLevel(text, source: "--log-level")
        } else if let text = env["MCP_LOG_LEVEL"] {
            logLevel = try parseLogLevel(text, source: "MCP_LOG_LEVEL")
        } else if let text = env["MCP_DEBUG"], try parseBool(text, source: "MCP_DEBUG") {
            logLevel = .debug
        } else {
            logLevel = .info
        }

        // Security.
        var authTokenFile: String?
        var authTokens: [[UInt8]] = []
        if let path = nonEmpty(options.authTokenFile) {
            authTokenFile = path
            authTokens = try readTokens(path: path, source: "--auth-token-file")
        } else if let path = env["MCP_AUTH_TOKEN_FILE"] {
            authTokenFile = path
            authTokens = try readTokens(path: path, source: "MCP_AUTH_TOKEN_FILE")
        }
        let allowedHosts = options.allowedHosts.isEmpty
            ? commaList(env["MCP_ALLOWED_HOSTS"]) : commaList(options.allowedHosts.joined(separator: ","))
        let allowedOrigins = options.allowedOrigins.isEmpty
            ? commaList(env["MCP_ALLOWED_ORIGINS"]) : commaList(options.allowedOrigins.joined(separator: ","))

        // Limits.
        let d = HTTPLimits.defaults
        let limits = HTTPLimits(
            maxRequestLineBytes: try positive(options.maxRequestLineBytes, d.maxRequestLineBytes,
                                              "--max-request-line-bytes"),
            maxHeaderCount: try positive(options.maxHeaderCount, d.maxHeaderCount, "--max-header-count"),
            maxHeaderBytes: try positive(options.maxHeaderBytes, d.maxHeaderBytes, "--max-header-bytes"),
            maxBodyBytes: try positive(options.maxBodyBytes, d.maxBodyBytes, "--max-body-bytes"),
            headerTimeout: try seconds(options.headerTimeout, d.headerTimeout, "--header-timeout", allowZero: false),
            idleTimeout: try seconds(options.idleTimeout, d.idleTimeout, "--idle-timeout", allowZero: false),
            maxConnections: try positive(options.maxConnections, d.maxConnections, "--max-connections"),
            streamQueueBytes: try positive(options.streamQueueBytes, d.streamQueueBytes, "--stream-queue-bytes"),
            heartbeatInterval: try seconds(options.heartbeatInterval, d.heartbeatInterval, "--heartbeat-interval",
                                           allowZero: false),
            shutdownGrace: try seconds(options.shutdownGrace, d.shutdownGrace, "--shutdown-grace", allowZero: true))

        var config = Config(
            host: host, bindAddress: bindAddress, port: port, kubeconfigPath: kubeconfigPath, context: context,
            namespace: namespace, stateless: options.stateless, readOnly: readOnly, stdio: options.stdio,
            logLevel: logLevel, authTokenFile: authTokenFile, authTokens: authTokens,
            allowUnauthenticated: options.allowUnauthenticated, allowedHosts: allowedHosts,
            allowedOrigins: allowedOrigins, limits: limits)

        config.disableDestructive = disableDestructive
        config.enabledTools = enabledTools
        config.disabledTools = disabledTools
        config.deniedResources = deniedResources
        config.allowedNamespaces = allowedNamespaces
        config.kube.policy = KubeRequestPolicy(readOnly: readOnly, deniedResources: deniedResources,
                                               allowedNamespaces: allowedNamespaces)

        // Tool output and the Kubernetes client.
        if let format = nonEmpty(options.listOutput) ?? nonEmpty(env["MCP_LIST_OUTPUT"]) {
            guard ["table", "yaml", "json"].contains(format) else {
                throw .invalidValue(source: options.listOutput != nil ? "--list-output" : "MCP_LIST_OUTPUT",
                                    value: format, expected: "table, yaml or json")
            }
            config.output.listFormat = format
        }
        config.output.maxBytes = try positive(options.outputLimitBytes, config.output.maxBytes, "--output-limit-bytes")
        config.output.showSecrets = options.showSecrets
        if let qps = options.kubeQPS {
            guard qps > 0 else { throw .invalidValue(source: "--kube-qps", value: "\(qps)", expected: "a positive number") }
            config.kube.qps = qps
        }
        config.kube.burst = try positive(options.kubeBurst, config.kube.burst, "--kube-burst")
        config.kube.timeoutMilliseconds = Int(try seconds(options.kubeTimeout, 30, "--kube-timeout", allowZero: false) * 1000)
        config.toolCalls = try resolveToolCallPolicy(options: options, environment: env)

        // Over stdio nothing listens, so the network rule does not apply.
        if !config.stdio && !config.isLoopback && !config.requiresAuthentication && !config.allowUnauthenticated {
            throw .unauthenticatedNonLoopback(host: host)
        }
        return config
    }

    // MARK: - Descriptions without secrets

    public var description: String {
        var parts = [
            "host: \(host) (\(bindAddress))", "port: \(port)",
            "kubeconfig: \(kubeconfigPath ?? "(lookup)")", "context: \(context ?? "(current)")",
            "namespace: \(namespace ?? "(context)")", "stateless: \(stateless)", "readOnly: \(readOnly)",
            "stdio: \(stdio)", "logLevel: \(logLevel)",
            "auth: \(authTokens.isEmpty ? "none" : "\(authTokens.count) token(s) from \(authTokenFile ?? "?")")",
            "allowUnauthenticated: \(allowUnauthenticated)",
        ]
        if disableDestructive { parts.append("disableDestructive: true") }
        if !enabledTools.isEmpty { parts.append("enabledTools: \(enabledTools.joined(separator: ","))") }
        if !disabledTools.isEmpty { parts.append("disabledTools: \(disabledTools.joined(separator: ","))") }
        if !deniedResources.isEmpty {
            parts.append("deniedResources: \(deniedResources.map(\.description).joined(separator: ","))")
        }
        if !allowedNamespaces.isEmpty { parts.append("allowedNamespaces: \(allowedNamespaces.joined(separator: ","))") }
        if !allowedHosts.isEmpty { parts.append("allowedHosts: \(allowedHosts.joined(separator: ","))") }
        if !allowedOrigins.isEmpty { parts.append("allowedOrigins: \(allowedOrigins.joined(separator: ","))") }
        return "Config(" + parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description + " \(limits)" }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "host": host, "bindAddress": bindAddress, "port": port, "kubeconfigPath": kubeconfigPath as Any,
            "context": context as Any, "namespace": namespace as Any, "stateless": stateless, "readOnly": readOnly,
            "stdio": stdio, "logLevel": logLevel, "authTokenFile": authTokenFile as Any,
            "authTokens": "\(authTokens.count) redacted", "allowUnauthenticated": allowUnauthenticated,
            "allowedHosts": allowedHosts, "allowedOrigins": allowedOrigins, "limits": limits,
            "disableDestructive": disableDestructive, "enabledTools": enabledTools, "disabledTools": disabledTools,
            "deniedResources": deniedResources, "allowedNamespaces": allowedNamespaces,
        ])
    }

    // MARK: - Parsing helpers

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value
    }

    private static func checkedPort(_ value: Int, text: String, source: String) throws(ConfigError) -> Int {
        guard (0...65535).contains(value) else {
            throw .invalidValue(source: source, value: text, expected: "a port number (0-65535)")
        }
        return value
    }

    /// true/false/1/0/yes/no, any case.
    static func parseBool(_ text: String, source: String) throws(ConfigError) -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw .invalidValue(source: source, value: text, expected: "a boolean (true/false/1/0/yes/no)")
        }
    }

    private static func parseLogLevel(_ text: String, source: String) throws(ConfigError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw .invalidValue(source: source, value: text,
                                expected: "a log level (trace, debug, info, notice, warning, error, critical)")
        }
        return level
    }

    private static func commaList(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A repeatable comma-list option: the flag's values when given, else the environment variable's; with the
    /// source that supplied them, for messages.
    private static func listOption(_ flagValues: [String], _ flag: String, _ env: [String: String], _ variable: String)
        -> ([String], String)
    {
        flagValues.isEmpty ? (commaList(env[variable]), variable) : (commaList(flagValues.joined(separator: ",")), flag)
    }

    /// `[A-Za-z0-9_.-]{1,128}`, the MCP tool name alphabet.
    static func isToolName(_ text: String) -> Bool {
        (1...128).contains(text.count)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
    }

    /// An RFC 1123 label, as namespace names are.
    static func isNamespaceName(_ text: String) -> Bool {
        guard (1...63).contains(text.count), let first = text.first, let last = text.last else { return false }
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLowercase || $0.isNumber) }
        return allowed(first) && allowed(last) && text.allSatisfy { allowed($0) || $0 == "-" }
    }

    private static func positive(_ value: Int?, _ fallback: Int, _ source: String) throws(ConfigError) -> Int {
        guard let value else { return fallback }
        guard value > 0 else { throw .invalidValue(source: source, value: String(value), expected: "a positive integer") }
        return value
    }

    private static func seconds(_ value: Double?, _ fallback: Double, _ source: String, allowZero: Bool)
        throws(ConfigError) -> Double
    {
        guard let value else { return fallback }
        guard value.isFinite, value > 0 || (allowZero && value == 0) else {
            throw .invalidValue(source: source, value: String(value),
                                expected: allowZero ? "zero or a positive number of seconds"
                                                    : "a positive number of seconds")
        }
        return value
    }

    /// The numeric bind address for `host`, or an error for names other than `localhost` (they are not
    /// resolved: a name that resolves to several addresses would make the loopback rule ambiguous).
    static func bindAddress(for host: String, source: String) throws(ConfigError) -> String {
        if host.lowercased() == "localhost" { return "127.0.0.1" }
        var literal = host
        if literal.hasPrefix("[") && literal.hasSuffix("]") && literal.count > 2 {
            literal = String(literal.dropFirst().dropLast())
        }
        var v4 = in_addr()
        var v6 = in6_addr()
        if !literal.isEmpty && (inet_pton(AF_INET, literal, &v4) == 1 || inet_pton(AF_INET6, literal, &v6) == 1) {
            return literal
        }
        throw .invalidValue(source: source, value: host,
                            expected: "an IP address or localhost (use 0.0.0.0 or :: to listen on every interface; "
                                + "host names are not resolved)")
    }

    /// 127.0.0.0/8, `::1` and IPv4-mapped loopback (`::ffff:127.x.y.z`).
    static func isLoopbackAddress(_ address: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127 {
                return true
            }
        }
        return false
    }

    /// One token per line; blank lines and lines starting with `#` are skipped; surrounding whitespace is
    /// trimmed. A token with inner whitespace or control characters is rejected (it could never match an
    /// `Authorization: Bearer` header); the message gives the line number, never the token.
    static func readTokens(path: String, source: String) throws(ConfigError) -> [[UInt8]] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadableTokenFile(source: source, path: path, reason: "the file does not exist")
        }
        guard !isDirectory.boolValue else {
            throw .unreadableTokenFile(source: source, path: path, reason: "it is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableTokenFile(source: source, path: path, reason: "permission denied or I/O error")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableTokenFile(source: source, path: path, reason: "it is not UTF-8 text")
        }
        var tokens: [[UInt8]] = []
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let bytes = Array(line.utf8)
            if bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
                throw .invalidToken(source: source, path: path, line: lineNumber,
                                    reason: "a token must not contain spaces or control characters")
            }
            tokens.append(bytes)
        }
        guard !tokens.isEmpty else { throw .emptyTokenFile(source: source, path: path) }
        return tokens
    }
}
