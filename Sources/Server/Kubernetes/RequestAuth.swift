/// What one request needs to authenticate: TLS settings (trust and client certificate) and headers
/// (`Authorization`).
///
/// Plain value, any thread. Holds secrets: never log it.
public struct RequestAuth: Sendable, Equatable {
    public var tls: TLSOptions
    public var headers: [(String, String)]

    public init(tls: TLSOptions, headers: [(String, String)] = []) {
        self.tls = tls
        self.headers = headers
    }

    public static func == (lhs: RequestAuth, rhs: RequestAuth) -> Bool {
        lhs.tls == rhs.tls && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }
}

/// A source of credentials for one kubeconfig user on one cluster: static values, a token file re-read as
/// it rotates, or an exec plugin whose output is cached until it expires.
public protocol CredentialSource: Sendable {
    /// The credentials to use now (may read files or run a plugin; never on the loop thread).
    func current() async throws(KubeError) -> RequestAuth
    /// The API server answered 401: forget cached credentials so that the next `current()` refreshes them.
    func invalidate() async
}
