/// The TLS half of a context's credentials, as configured: the cluster's CA and verification settings and the
/// user's client certificate, each inline or in a file. `load()` turns it into `TLSOptions` with PEM bytes.
///
/// Plain value, any thread; `load()` reads files, so call it off the loop thread. Holds no secret bytes of
/// its own unless the kubeconfig inlines them.
struct TLSMaterial: Sendable, Equatable {
    var certificateAuthority: ResolvedContext.Source?
    var insecureSkipTLSVerify: Bool
    var serverName: String?
    var clientCertificate: ResolvedContext.ClientCertificate?

    init(certificateAuthority: ResolvedContext.Source? = nil, insecureSkipTLSVerify: Bool = false,
         serverName: String? = nil, clientCertificate: ResolvedContext.ClientCertificate? = nil) {
        self.certificateAuthority = certificateAuthority
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.serverName = serverName
        self.clientCertificate = clientCertificate
    }

    /// The cluster's trust settings and the user's certificate, whether it is the only credential or
    /// accompanies a token or plugin.
    init(context: ResolvedContext) {
        var certificate = context.user.clientCertificate
        if certificate == nil, case .clientCertificate(let only) = context.user.auth { certificate = only }
        self.init(certificateAuthority: context.cluster.certificateAuthority,
                  insecureSkipTLSVerify: context.cluster.insecureSkipTLSVerify,
                  serverName: context.cluster.tlsServerName, clientCertificate: certificate)
    }

    /// Some of it comes from files, which may change (rotated certificates): worth reading again after a 401.
    var readsFiles: Bool {
        if case .file? = certificateAuthority { return true }
        guard let clientCertificate else { return false }
        if case .file = clientCertificate.certificate { return true }
        if case .file = clientCertificate.key { return true }
        return false
    }

    /// The options for libcurl, with files read now.
    /// - Throws: `KubeError.credentials` naming a missing, unreadable or empty file.
    func load() throws(KubeError) -> TLSOptions {
        var tls = TLSOptions(insecureSkipVerify: insecureSkipTLSVerify, serverName: serverName)
        if let certificateAuthority {
            tls.caData = try CredentialFile.bytes(of: certificateAuthority, what: "certificate authority")
        }
        if let clientCertificate {
            tls.clientCertificate = try CredentialFile.bytes(of: clientCertificate.certificate,
                                                             what: "client certificate")
            tls.clientKey = try CredentialFile.bytes(of: clientCertificate.key, what: "client key")
        }
        return tls
    }
}
