/// Why the command line and environment do not make a usable configuration; each description names the
/// flag or environment variable at fault and what would be accepted.
///
/// Plain value, any thread. Descriptions never contain a token.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A flag or environment variable has a value that does not parse or is out of range;
    /// `source` is `--port` or `MCP_PORT`, `expected` completes "is not ...".
    case invalidValue(source: String, value: String, expected: String)
    /// The token file does not exist or cannot be read.
    case unreadableTokenFile(source: String, path: String, reason: String)
    /// The token file holds no token (only blank lines and comments).
    case emptyTokenFile(source: String, path: String)
    /// A line of the token file is not a usable bearer token (e.g. it contains a space); the token is not shown.
    case invalidToken(source: String, path: String, line: Int, reason: String)
    /// The server would listen on a non-loopback address with no bearer tokens and no explicit consent.
    case unauthenticatedNonLoopback(host: String)
    /// `--enabled-tools` or `--disabled-tools` names tools the server does not have.
    case unknownTools(names: [String], known: [String])

    public var description: String {
        switch self {
        case .invalidValue(let source, let value, let expected):
            return "\(source): \"\(value)\" is not \(expected)"
        case .unreadableTokenFile(let source, let path, let reason):
            return "\(source): cannot read token file \(path): \(reason)"
        case .emptyTokenFile(let source, let path):
            return "\(source): token file \(path) holds no token (only blank lines and # comments)"
        case .invalidToken(let source, let path, let line, let reason):
            return "\(source): token file \(path), line \(line): \(reason)"
        case .unauthenticatedNonLoopback(let host):
            return "refusing to listen on \(host), which is not a loopback address, without authentication: "
                + "anyone who can reach the port could use the cluster credentials. Pass --auth-token-file "
                + "(or MCP_AUTH_TOKEN_FILE) to require bearer tokens, or --allow-unauthenticated if a proxy in "
                + "front of the server authenticates clients."
        case .unknownTools(let names, let known):
            return "--enabled-tools/--disabled-tools (MCP_ENABLED_TOOLS/MCP_DISABLED_TOOLS): no tool is called "
                + names.map { "\"\($0)\"" }.joined(separator: ", ") + "; the tools are: "
                + known.joined(separator: ", ")
        }
    }
}
