import Foundation

/// One kubeconfig context made usable: the cluster's parsed server URL and trust settings, the user's
/// credentials decoded and classified, file paths made absolute, and the namespace defaulted.
///
/// Plain value, safe on any thread. It holds credentials: its `description` names only the kind of
/// credential, never the value, so it can be logged. Built by `KubeConfig.resolvedContext(named:)`;
/// `--namespace` is applied with `overriding(namespace:)` by the caller, never by editing files.
public struct ResolvedContext: Sendable, Equatable, CustomStringConvertible {
    /// The context's name (`contexts[].name`).
    public var contextName: String
    /// The context's namespace, `default` when the context sets none.
    public var namespace: String
    public var cluster: Cluster
    public var user: User

    public init(contextName: String, namespace: String, cluster: Cluster, user: User) {
        self.contextName = contextName
        self.namespace = namespace
        self.cluster = cluster
        self.user = user
    }

    /// The same context with another namespace (for `--namespace` / `K8S_NAMESPACE`); nil or empty keeps it.
    public func overriding(namespace newNamespace: String?) -> ResolvedContext {
        guard let newNamespace, !newNamespace.isEmpty else { return self }
        var copy = self
        copy.namespace = newNamespace
        return copy
    }

    public var description: String {
        "context \"\(contextName)\" (cluster \"\(cluster.name)\" at \(cluster.server.absoluteString), "
            + "user \"\(user.name)\" with \(user.auth.kindName), namespace \"\(namespace)\")"
    }

    /// Bytes that come either from a file (absolute path, read when used) or inline from the kubeconfig.
    public enum Source: Sendable, Equatable {
        case file(String)
        case inline([UInt8])
    }

    /// The API server and how to reach and trust it.
    public struct Cluster: Sendable, Equatable {
        public var name: String
        /// The parsed `server`; `https://` is assumed when the kubeconfig gives only `host:port`, as kubectl does.
        public var server: URL
        /// The CA bundle to trust, nil for the system roots.
        public var certificateAuthority: Source?
        public var insecureSkipTLSVerify: Bool
        /// The name to verify the server certificate against (SNI) instead of the URL's host.
        public var tlsServerName: String?
        public var proxyURL: URL?
        public var disableCompression: Bool

        public init(name: String, server: URL, certificateAuthority: Source? = nil, insecureSkipTLSVerify: Bool = false,
                    tlsServerName: String? = nil, proxyURL: URL? = nil, disableCompression: Bool = false) {
            self.name = name
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
            self.proxyURL = proxyURL
            self.disableCompression = disableCompression
        }
    }

    /// A TLS client certificate and its private key.
    public struct ClientCertificate: Sendable, Equatable {
        public var certificate: Source
        public var key: Source

        public init(certificate: Source, key: Source) {
            self.certificate = certificate
            self.key = key
        }
    }

    /// An exec credential plugin, with `command` resolved like kubectl does (relative to the kubeconfig's
    /// directory when it contains a `/`, else looked up in `PATH` when run).
    public struct Exec: Sendable, Equatable {
        public var apiVersion: String
        public var command: String
        public var args: [String]
        public var env: [KubeConfig.EnvVar]
        public var installHint: String?
        public var provideClusterInfo: Bool
        /// `Never`, `IfAvailable` (the default) or `Always`.
        public var interactiveMode: String

        public init(apiVersion: String, command: String, args: [String] = [], env: [KubeConfig.EnvVar] = [],
                    installHint: String? = nil, provideClusterInfo: Bool = false,
                    interactiveMode: String = "IfAvailable") {
            self.apiVersion = apiVersion
            self.command = command
            self.args = args
            self.env = env
            self.installHint = installHint
            self.provideClusterInfo = provideClusterInfo
            self.interactiveMode = interactiveMode
        }
    }

    /// How requests authenticate. When a user sets several fields, the request credential wins in this order:
    /// exec, auth-provider, token, tokenFile, basic; `clientCertificate` is the kind only when the certificate
    /// is the sole credential (a certificate combined with a token is still in `User.clientCertificate`).
    public enum Auth: Sendable, Equatable {
        case clientCertificate(ClientCertificate)
        case token(String)
        /// A file holding the bearer token, re-read when it changes (service-account tokens rotate).
        case tokenFile(String)
        case exec(Exec)
        case basic(username: String, password: String)
        case authProvider(name: String, config: [String: String])
        case none

        /// A name for logs and messages: `client certificate`, `token`, ... (never the value).
        public var kindName: String {
            switch self {
            case .clientCertificate(let cert):
                if case .inline = cert.certificate { return "client certificate (inline)" }
                return "client certificate (file)"
            case .token: return "token"
            case .tokenFile: return "token file"
            case .exec: return "exec plugin"
            case .basic: return "basic auth"
            case .authProvider(let name, _): return "auth provider \(name)"
            case .none: return "no credentials"
            }
        }
    }

    /// Who the requests are made as.
    public struct User: Sendable, Equatable {
        /// The `users[].name`, empty when the context names no user.
        public var name: String
        public var auth: Auth
        /// The TLS client certificate, whenever one is configured (also when `auth` is a token or exec plugin).
        public var clientCertificate: ClientCertificate?

        public init(name: String, auth: Auth, clientCertificate: ClientCertificate? = nil) {
            self.name = name
            self.auth = auth
            self.clientCertificate = clientCertificate
        }
    }
}
