import Foundation

/// Chooses and builds the `CredentialSource` for a context's user.
///
/// Stateless, any thread; `make` reads credential files, so not on the loop thread.
public enum CredentialFactory {
    /// The source for `context`:
    /// - a token or username/password → `StaticCredentials` with an `Authorization` header;
    /// - a client certificate alone, or nothing → `StaticCredentials` with TLS settings only;
    /// - a token file (also the in-cluster service account) → `TokenFileCredentials`, re-read as it rotates;
    /// - an exec plugin → `ExecCredentials`, run on demand and cached until expiry.
    ///
    /// Every source's TLS settings carry the cluster's CA (file read now, or inline), `insecure-skip-tls-verify`,
    /// `tls-server-name` and the user's client certificate when there is one (also next to a token or plugin).
    /// - Parameters:
    ///   - environment: the server's environment, handed to exec plugins and searched for their `PATH`.
    ///   - now: the clock for token ages and credential expiry (tests move it).
    /// - Throws: `KubeError.credentials` for an unreadable file (named, never quoted), an auth provider, or an
    ///   exec plugin that cannot work here.
    public static func make(for context: ResolvedContext, environment: [String: String],
                            now: @escaping @Sendable () -> Date = { Date() })
        throws(KubeError) -> any CredentialSource
    {
        if case .authProvider(let name, _) = context.user.auth {
            throw .credentials(authProviderUnsupported(name, user: context.user.name))
        }
        let material = TLSMaterial(context: context)
        let tls = try material.load()
        switch context.user.auth {
        case .none, .clientCertificate:
            return StaticCredentials(headers: [], material: material, tls: tls)
        case .token(let token):
            return StaticCredentials(headers: [StaticCredentials.bearer(token)], material: material, tls: tls)
        case .basic(let username, let password):
            return StaticCredentials(headers: [StaticCredentials.basic(username: username, password: password)],
                                     material: material, tls: tls)
        case .tokenFile(let path):
            return try TokenFileCredentials(path: path, material: material, tls: tls, now: now)
        case .exec(let exec):
            return try ExecCredentials(exec: exec, cluster: context.cluster, material: material, tls: tls,
                                       environment: environment, now: now)
        case .authProvider(let name, _):
            throw .credentials(authProviderUnsupported(name, user: context.user.name))
        }
    }

    private static func authProviderUnsupported(_ name: String, user: String) -> String {
        var suggestion = "a client-go exec plugin"
        switch name {
        case "gcp":
            suggestion = "the exec plugin gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin)"
        case "azure": suggestion = "the exec plugin kubelogin (https://azure.github.io/kubelogin/)"
        case "oidc": suggestion = "an OIDC exec plugin such as kubelogin (https://github.com/int128/kubelogin)"
        default: break
        }
        return "the user \"\(user)\" authenticates with the auth-provider \"\(name)\", which kube-mcp does not support "
            + "(kubectl dropped these built-in providers too); configure \(suggestion) in users[].user.exec instead"
    }
}
