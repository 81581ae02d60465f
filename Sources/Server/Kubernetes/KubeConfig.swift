/// A kubeconfig as `kubectl` reads it: a plain `Codable` mirror of the YAML (`clusters`, `users`,
/// `contexts`, `current-context`, `preferences`), with the file each entry came from recorded while loading.
///
/// Plain value, safe on any thread. Unknown fields are tolerated and dropped when decoding. String fields
/// keep the text of the file (`*-data` stays base64, relative paths stay relative); `resolvedContext(named:)`
/// turns them into checked values. `origin` is not part of the YAML: the loader sets it so that relative
/// paths resolve against the directory of the file that defined them and errors can name that file.
public struct KubeConfig: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String?
    public var clusters: [NamedCluster]
    public var users: [NamedUser]
    public var contexts: [NamedContext]
    public var currentContext: String?
    public var preferences: AnyValue?
    /// The file that set `current-context` (not encoded).
    public var currentContextOrigin: String?

    enum CodingKeys: String, CodingKey {
        case apiVersion, kind, clusters, users, contexts
        case currentContext = "current-context"
        case preferences
    }

    public init(apiVersion: String? = "v1", kind: String? = "Config", clusters: [NamedCluster] = [],
                users: [NamedUser] = [], contexts: [NamedContext] = [], currentContext: String? = nil,
                preferences: AnyValue? = nil, currentContextOrigin: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
        self.preferences = preferences
        self.currentContextOrigin = currentContextOrigin
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        clusters = try c.decodeIfPresent([NamedCluster].self, forKey: .clusters) ?? []
        users = try c.decodeIfPresent([NamedUser].self, forKey: .users) ?? []
        contexts = try c.decodeIfPresent([NamedContext].self, forKey: .contexts) ?? []
        currentContext = try c.decodeIfPresent(String.self, forKey: .currentContext).flatMap { $0.isEmpty ? nil : $0 }
        preferences = try c.decodeIfPresent(AnyValue.self, forKey: .preferences)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(apiVersion ?? "v1", forKey: .apiVersion)
        try c.encode(kind ?? "Config", forKey: .kind)
        try c.encode(clusters, forKey: .clusters)
        try c.encode(users, forKey: .users)
        try c.encode(contexts, forKey: .contexts)
        try c.encode(currentContext ?? "", forKey: .currentContext)
        try c.encode(preferences ?? .mapping([]), forKey: .preferences)
    }

    /// Where an entry was defined: the file (absolute path, or a label for synthetic configs) and its index
    /// in that file's list.
    public struct Origin: Sendable, Equatable {
        public var file: String
        public var index: Int

        public init(file: String, index: Int) {
            self.file = file
            self.index = index
        }

        /// The directory relative paths of this entry resolve against.
        public var directory: String {
            guard let slash = file.lastIndex(of: "/") else { return "." }
            let dir = String(file[..<slash])
            return dir.isEmpty ? "/" : dir
        }
    }

    // MARK: - Clusters

    /// One `clusters[]` entry.
    public struct NamedCluster: Codable, Sendable, Equatable {
        public var name: String
        public var cluster: Cluster
        public var origin: Origin?

        enum CodingKeys: String, CodingKey { case name, cluster }

        public init(name: String, cluster: Cluster, origin: Origin? = nil) {
            self.name = name
            self.cluster = cluster
            self.origin = origin
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
            cluster = try c.decodeIfPresent(Cluster.self, forKey: .cluster) ?? Cluster()
        }
    }

    /// The `cluster` body: where the API server is and how to trust it.
    public struct Cluster: Codable, Sendable, Equatable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?
        public var proxyURL: String?
        public var disableCompression: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
            case disableCompression = "disable-compression"
        }

        public init(server: String? = nil, certificateAuthority: String? = nil,
                    certificateAuthorityData: String? = nil, insecureSkipTLSVerify: Bool? = nil,
                    tlsServerName: String? = nil, proxyURL: String? = nil, disableCompression: Bool? = nil) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
            self.proxyURL = proxyURL
            self.disableCompression = disableCompression
        }
    }

    // MARK: - Users

    /// One `users[]` entry.
    public struct NamedUser: Codable, Sendable, Equatable {
        public var name: String
        public var user: User
        public var origin: Origin?

        enum CodingKeys: String, CodingKey { case name, user }

        public init(name: String, user: User, origin: Origin? = nil) {
            self.name = name
            self.user = user
            self.origin = origin
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
            user = try c.decodeIfPresent(User.self, forKey: .user) ?? User()
        }
    }

    /// The `user` body (client-go's `AuthInfo`): the credentials presented to the API server.
    public struct User: Codable, Sendable, Equatable {
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var token: String?
        public var tokenFile: String?
        public var username: String?
        public var password: String?
        public var exec: ExecConfig?
        public var authProvider: AuthProvider?

        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token
            case tokenFile
            case username
            case password
            case exec
            case authProvider = "auth-provider"
        }

        public init(clientCertificate: String? = nil, clientCertificateData: String? = nil, clientKey: String? = nil,
                    clientKeyData: String? = nil, token: String? = nil, tokenFile: String? = nil,
                    username: String? = nil, password: String? = nil, exec: ExecConfig? = nil,
                    authProvider: AuthProvider? = nil) {
            self.clientCertificate = clientCertificate
            self.clientCertificateData = clientCertificateData
            self.clientKey = clientKey
            self.clientKeyData = clientKeyData
            self.token = token
            self.tokenFile = tokenFile
            self.username = username
            self.password = password
            self.exec = exec
            self.authProvider = authProvider
        }
    }

    /// An exec credential plugin (`users[].user.exec`).
    public struct ExecConfig: Codable, Sendable, Equatable {
        public var apiVersion: String?
        public var command: String?
        public var args: [String]?
        public var env: [EnvVar]?
        public var installHint: String?
        public var provideClusterInfo: Bool?
        public var interactiveMode: String?

        public init(apiVersion: String? = nil, command: String? = nil, args: [String]? = nil, env: [EnvVar]? = nil,
                    installHint: String? = nil, provideClusterInfo: Bool? = nil, interactiveMode: String? = nil) {
            self.apiVersion = apiVersion
            self.command = command
            self.args = args
            self.env = env
            self.installHint = installHint
            self.provideClusterInfo = provideClusterInfo
            self.interactiveMode = interactiveMode
        }
    }

    /// One `exec.env[]` variable.
    public struct EnvVar: Codable, Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A legacy auth-provider plugin (`users[].user.auth-provider`), e.g. `oidc`.
    public struct AuthProvider: Codable, Sendable, Equatable {
        public var name: String
        public var config: [String: String]?

        public init(name: String, config: [String: String]? = nil) {
            self.name = name
            self.config = config
        }
    }

    // MARK: - Contexts

    /// One `contexts[]` entry.
    public struct NamedContext: Codable, Sendable, Equatable {
        public var name: String
        public var context: Context
        public var origin: Origin?

        enum CodingKeys: String, CodingKey { case name, context }

        public init(name: String, context: Context, origin: Origin? = nil) {
            self.name = name
            self.context = context
            self.origin = origin
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
            context = try c.decodeIfPresent(Context.self, forKey: .context) ?? Context()
        }
    }

    /// The `context` body: which cluster, which user, which default namespace.
    public struct Context: Codable, Sendable, Equatable {
        public var cluster: String?
        public var user: String?
        public var namespace: String?

        public init(cluster: String? = nil, user: String? = nil, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }

    // MARK: - Free-form values

    /// Any YAML value, for free-form sections such as `preferences`; mappings keep their order.
    public indirect enum AnyValue: Codable, Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case sequence([AnyValue])
        case mapping([Member])

        /// One key of a mapping.
        public struct Member: Sendable, Equatable {
            public var key: String
            public var value: AnyValue

            public init(key: String, value: AnyValue) {
                self.key = key
                self.value = value
            }
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { return nil }
        }

        public init(from decoder: any Decoder) throws {
            if let keyed = try? decoder.container(keyedBy: Key.self) {
                var members: [Member] = []
                for key in keyed.allKeys {
                    members.append(Member(key: key.stringValue, value: try keyed.decode(AnyValue.self, forKey: key)))
                }
                self = .mapping(members)
                return
            }
            if var unkeyed = try? decoder.unkeyedContainer() {
                var elements: [AnyValue] = []
                while !unkeyed.isAtEnd { elements.append(try unkeyed.decode(AnyValue.self)) }
                self = .sequence(elements)
                return
            }
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let b = try? single.decode(Bool.self) {
                self = .bool(b)
            } else if let i = try? single.decode(Int.self) {
                self = .int(i)
            } else if let d = try? single.decode(Double.self) {
                self = .double(d)
            } else {
                self = .string(try single.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .null:
                var single = encoder.singleValueContainer()
                try single.encodeNil()
            case .bool(let b):
                var single = encoder.singleValueContainer()
                try single.encode(b)
            case .int(let i):
                var single = encoder.singleValueContainer()
                try single.encode(i)
            case .double(let d):
                var single = encoder.singleValueContainer()
                try single.encode(d)
            case .string(let s):
                var single = encoder.singleValueContainer()
                try single.encode(s)
            case .sequence(let elements):
                var unkeyed = encoder.unkeyedContainer()
                for element in elements { try unkeyed.encode(element) }
            case .mapping(let members):
                var keyed = encoder.container(keyedBy: Key.self)
                for member in members { try keyed.encode(member.value, forKey: Key(stringValue: member.key)) }
            }
        }
    }
}
