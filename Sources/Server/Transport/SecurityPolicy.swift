/// The checks every HTTP request passes before routing: DNS-rebinding protection (Host, Origin) while bound
/// to loopback, and static bearer tokens when configured.
///
/// Immutable; any thread. Tokens are compared in constant time and never printed.
public struct SecurityPolicy: Sendable {
    /// Why a request was refused.
    public enum Refusal: Sendable, Equatable {
        case forbiddenHost
        case forbiddenOrigin
        case unauthorized

        public var status: HTTPStatus {
            switch self {
            case .forbiddenHost, .forbiddenOrigin: return .forbidden
            case .unauthorized: return .unauthorized
            }
        }

        public var message: String {
            switch self {
            case .forbiddenHost: return "Host header not allowed (DNS rebinding protection; see --allowed-host)"
            case .forbiddenOrigin: return "Origin not allowed (see --allowed-origin)"
            case .unauthorized:
                return "missing or invalid bearer token: send 'Authorization: Bearer <token>' (see --auth-token-file)"
            }
        }
    }

    public let checkHost: Bool
    private let allowedHosts: Set<String>
    private let allowedOrigins: Set<String>
    private let tokens: [[UInt8]]

    /// - Parameters:
    ///   - loopback: whether the server is bound to a loopback address (Host and Origin are then checked).
    ///   - extraHosts: further allowed Host values (with or without port).
    ///   - extraOrigins: further allowed Origin values (`scheme://host[:port]`).
    ///   - tokens: accepted bearer tokens; empty disables authentication.
    public init(loopback: Bool, extraHosts: [String], extraOrigins: [String], tokens: [[UInt8]]) {
        checkHost = loopback
        allowedHosts = Set(extraHosts.map { $0.lowercased() })
        allowedOrigins = Set(extraOrigins.map { $0.lowercased().trimmingTrailingSlash() })
        self.tokens = tokens
    }

    public var requiresAuthentication: Bool { !tokens.isEmpty }

    /// Checks a request; nil when it may proceed. `authExempt` paths (liveness probes) skip the token check.
    public func check(_ headers: HTTPRequestHeaders, authExempt: Bool) -> Refusal? {
        if checkHost {
            guard let host = headers.host, hostAllowed(host) else { return .forbiddenHost }
            if let origin = headers.origin, !originAllowed(origin) { return .forbiddenOrigin }
        } else if let origin = headers.origin, !allowedOrigins.isEmpty, !originAllowed(origin) {
            return .forbiddenOrigin
        }
        if !tokens.isEmpty && !authExempt {
            guard let auth = headers.authorization, tokenAccepted(auth) else { return .unauthorized }
        }
        return nil
    }

    /// `localhost`, `127.0.0.1`, `[::1]` with any port, or a configured value.
    func hostAllowed(_ raw: String) -> Bool {
        let host = raw.lowercased()
        if allowedHosts.contains(host) { return true }
        let name = Self.stripPort(host)
        if allowedHosts.contains(name) { return true }
        return name == "localhost" || name == "127.0.0.1" || name == "[::1]"
    }

    func originAllowed(_ raw: String) -> Bool {
        let origin = raw.lowercased().trimmingTrailingSlash()
        if allowedOrigins.contains(origin) { return true }
        guard checkHost else { return false }
        for scheme in ["http://", "https://"] where origin.hasPrefix(scheme) {
            let host = Self.stripPort(String(origin.dropFirst(scheme.count)))
            return host == "localhost" || host == "127.0.0.1" || host == "[::1]"
        }
        return false
    }

    /// The host without a `:port` suffix; a malformed suffix (not digits) leaves the value unmatched.
    private static func stripPort(_ host: String) -> String {
        var name = Substring(host)
        var rest: Substring = ""
        if host.hasPrefix("[") {
            guard let end = host.firstIndex(of: "]") else { return host }
            name = host[...end]
            rest = host[host.index(after: end)...]
        } else if let colon = host.firstIndex(of: ":") {
            name = host[..<colon]
            rest = host[colon...]
        }
        if rest.isEmpty { return String(name) }
        guard rest.first == ":", rest.count > 1, rest.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return host  // "localhost:evil", "[::1]evil": never equal to an allowed name
        }
        return String(name)
    }

    /// The caller as an opaque value: a SHA-256 digest of the bearer token it presented (which the router has
    /// already accepted when tokens are configured), or empty. Never the token itself.
    nonisolated static func principal(authorization: String?) -> String {
        guard let authorization, !authorization.isEmpty else { return "" }
        return Array(SHA256.hash(Array(authorization.utf8)).prefix(16)).hexString
    }

    /// Constant-time comparison against every configured token.
    func tokenAccepted(_ authorization: String) -> Bool {
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let presented = Array(parts[1].utf8.drop(while: { $0 == 0x20 }))
        var accepted = false
        for token in tokens {
            var diff = UInt8(token.count == presented.count ? 0 : 1)
            let n = max(token.count, presented.count)
            for i in 0..<n {
                let a = i < token.count ? token[i] : 0
                let b = i < presented.count ? presented[i] : 0
                diff |= a ^ b
            }
            if diff == 0 { accepted = true }
        }
        return accepted
    }
}

extension String {
    fileprivate func trimmingTrailingSlash() -> String {
        hasSuffix("/") ? String(dropLast()) : self
    }
}
