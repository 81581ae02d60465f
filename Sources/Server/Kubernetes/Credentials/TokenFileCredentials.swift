import Foundation

/// A bearer token kept in a file that something else rotates: a kubeconfig `tokenFile`, or the in-cluster
/// service-account token (projected tokens are replaced about every hour). The file is read when the source is
/// made, again once the token is older than a minute, and again after `invalidate()` (a 401).
///
/// An actor: any task may call it. Holds the token; never logs or prints it. The clock is injected so that
/// tests can age the token without sleeping.
public actor TokenFileCredentials: CredentialSource {
    /// How long a token read from the file is used before the file is read again.
    public static let rereadInterval: TimeInterval = 60

    private let path: String
    private let material: TLSMaterial
    private let now: @Sendable () -> Date
    private var tls: TLSOptions?
    /// Nil after `invalidate()`: the next call must read the file, and fails if it cannot.
    private var token: String?
    private var readAt: Date

    /// Reads the token now.
    /// - Throws: `KubeError.credentials` when the file is missing, unreadable or holds only whitespace.
    init(path: String, material: TLSMaterial, tls: TLSOptions, now: @escaping @Sendable () -> Date)
        throws(KubeError)
    {
        self.path = path
        self.material = material
        self.tls = tls
        self.now = now
        token = try Self.readToken(path)
        readAt = now()
    }

    public func current() async throws(KubeError) -> RequestAuth {
        let tls = try currentTLS()
        let moment = now()
        let age = moment.timeIntervalSince(readAt)
        if let token, age < Self.rereadInterval, age >= 0 {
            return RequestAuth(tls: tls, headers: [StaticCredentials.bearer(token)])
        }
        do {
            let fresh = try Self.readToken(path)
            token = fresh
            readAt = moment
            return RequestAuth(tls: tls, headers: [StaticCredentials.bearer(fresh)])
        } catch {
            // A periodic re-read that fails (the file is being swapped) keeps the token that worked so far;
            // after a 401 there is no such token, and the failure is the answer.
            guard let token else { throw error }
            return RequestAuth(tls: tls, headers: [StaticCredentials.bearer(token)])
        }
    }

    public func invalidate() async {
        token = nil
        if material.readsFiles { tls = nil }
    }

    private func currentTLS() throws(KubeError) -> TLSOptions {
        if let tls { return tls }
        let loaded = try material.load()
        tls = loaded
        return loaded
    }

    /// The file's content without surrounding whitespace and newlines.
    static func readToken(_ path: String) throws(KubeError) -> String {
        let bytes = try CredentialFile.contents(of: path, what: "token")
        let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .credentials("the token file \"\(path)\" holds only whitespace") }
        return token
    }
}
