import Foundation

/// Credentials that do not change on their own: a bearer token or basic-auth header from the kubeconfig, a
/// client certificate alone, or nothing. Certificate and CA files are read when the source is made and read
/// again after `invalidate()` (a 401 may follow a certificate rotation).
///
/// An actor: any task may call it. Holds secrets; never logs or prints them.
public actor StaticCredentials: CredentialSource {
    private let headers: [(String, String)]
    private let material: TLSMaterial
    /// Nil after an `invalidate()` that must re-read files.
    private var tls: TLSOptions?

    /// - Parameters:
    ///   - headers: sent with every request (`Authorization`).
    ///   - material: where the TLS settings come from.
    ///   - tls: `material` loaded once already (by the factory, so that a bad file is reported at once).
    init(headers: [(String, String)], material: TLSMaterial, tls: TLSOptions) {
        self.headers = headers
        self.material = material
        self.tls = tls
    }

    public func current() async throws(KubeError) -> RequestAuth {
        if let tls { return RequestAuth(tls: tls, headers: headers) }
        let loaded = try material.load()
        tls = loaded
        return RequestAuth(tls: loaded, headers: headers)
    }

    public func invalidate() async {
        if material.readsFiles { tls = nil }
    }

    /// `Authorization: Bearer <token>`.
    static func bearer(_ token: String) -> (String, String) {
        ("Authorization", "Bearer " + token)
    }

    /// `Authorization: Basic base64(username:password)`.
    static func basic(username: String, password: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString())
    }
}
