import Foundation

/// Lookup, validation and resolution of a (merged) kubeconfig into a `ResolvedContext`.
///
/// Pure functions on a plain value, any thread; no file is opened here (files named by the kubeconfig are
/// read by whoever uses the resolved context, which reports its own errors).
extension KubeConfig {
    /// The files this config was loaded from, in load order (from the entries' origins).
    public var originFiles: [String] {
        var files: [String] = []
        let all = clusters.map(\.origin) + users.map(\.origin) + contexts.map(\.origin)
        for file in all.compactMap({ $0?.file }) + [currentContextOrigin].compactMap({ $0 })
        where !files.contains(file) {
            files.append(file)
        }
        return files
    }

    public func cluster(named name: String) -> NamedCluster? { clusters.first { $0.name == name } }
    public func user(named name: String) -> NamedUser? { users.first { $0.name == name } }
    public func context(named name: String) -> NamedContext? { contexts.first { $0.name == name } }

    /// The context that `resolvedContext(named: override)` would use, or the reason there is none.
    public func selectedContext(named override: String?) throws(KubeConfigError) -> NamedContext {
        if let override, !override.isEmpty {
            guard let found = context(named: override) else {
                throw .unknownContext(name: override, paths: originFiles)
            }
            return found
        }
        guard let current = currentContext, !current.isEmpty else { throw .noCurrentContext(paths: originFiles) }
        guard let found = context(named: current) else {
            throw .unknownCurrentContext(name: current, path: currentContextOrigin ?? originFiles.first ?? "<memory>")
        }
        return found
    }

    /// Resolves the named context, or `current-context` when `name` is nil or empty, checking everything that
    /// context uses: its cluster and user exist, the server URL parses, the credentials are complete and
    /// consistent, `*-data` fields decode. Relative paths resolve against the directory of the defining file.
    public func resolvedContext(named name: String?) throws(KubeConfigError) -> ResolvedContext {
        let named = try selectedContext(named: name)
        let contextEntry = entry(.contexts, named.name, named.origin, fallback: contexts.firstIndex(of: named))
        guard let clusterName = named.context.cluster, !clusterName.isEmpty else {
            throw .contextWithoutCluster(entry: contextEntry)
        }
        guard let namedCluster = cluster(named: clusterName) else {
            throw .unknownCluster(context: contextEntry, cluster: clusterName)
        }
        let resolvedCluster = try resolve(namedCluster)
        let resolvedUser: ResolvedContext.User
        if let userName = named.context.user, !userName.isEmpty {
            guard let namedUser = user(named: userName) else {
                throw .unknownUser(context: contextEntry, user: userName)
            }
            resolvedUser = try resolve(namedUser)
        } else {
            resolvedUser = ResolvedContext.User(name: "", auth: .none)
        }
        let namespace = named.context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return ResolvedContext(contextName: named.name, namespace: namespace, cluster: resolvedCluster,
                               user: resolvedUser)
    }

    /// Checks the whole config, not only the context in use: the load-time checks, every cluster and user,
    /// every context's references and `current-context`. Throws the first problem found.
    public func validate() throws(KubeConfigError) {
        try validateStructure()
        for named in clusters { _ = try resolve(named) }
        for named in users { _ = try resolve(named) }
        for (index, named) in contexts.enumerated() {
            let contextEntry = entry(.contexts, named.name, named.origin, fallback: index)
            guard let clusterName = named.context.cluster, !clusterName.isEmpty else {
                throw .contextWithoutCluster(entry: contextEntry)
            }
            if cluster(named: clusterName) == nil { throw .unknownCluster(context: contextEntry, cluster: clusterName) }
            if let userName = named.context.user, !userName.isEmpty, user(named: userName) == nil {
                throw .unknownUser(context: contextEntry, user: userName)
            }
        }
        if let current = currentContext, !current.isEmpty, context(named: current) == nil {
            throw .unknownCurrentContext(name: current, path: currentContextOrigin ?? originFiles.first ?? "<memory>")
        }
    }

    /// The checks the loader runs on every file, for every entry (as kubectl does when it decodes a file):
    /// each entry has a name, names are unique per section, `*-data` fields are base64, and `server` and
    /// `proxy-url`, when set, parse.
    public func validateStructure() throws(KubeConfigError) {
        try checkNames(clusters.map { ($0.name, $0.origin) }, .clusters)
        try checkNames(users.map { ($0.name, $0.origin) }, .users)
        try checkNames(contexts.map { ($0.name, $0.origin) }, .contexts)
        for (index, named) in clusters.enumerated() {
            let e = entry(.clusters, named.name, named.origin, fallback: index)
            let cluster = named.cluster
            try checkBase64(cluster.certificateAuthorityData, "certificate-authority-data", e)
            if let server = cluster.server, !server.trimmingCharacters(in: .whitespaces).isEmpty {
                _ = try Self.parseServer(server, entry: e)
            }
            if let proxy = cluster.proxyURL, !proxy.isEmpty { _ = try Self.parseProxy(proxy, entry: e) }
        }
        for (index, named) in users.enumerated() {
            let e = entry(.users, named.name, named.origin, fallback: index)
            try checkBase64(named.user.clientCertificateData, "client-certificate-data", e)
            try checkBase64(named.user.clientKeyData, "client-key-data", e)
        }
    }

    /// This config with every relative file path made absolute against the directory of the file that
    /// defined it (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`, and an exec
    /// `command` containing a `/`), so a merged or minified view means the same wherever it is read.
    public var withAbsolutePaths: KubeConfig {
        var copy = self
        for index in copy.clusters.indices {
            let origin = copy.clusters[index].origin
            let cluster = copy.clusters[index].cluster
            copy.clusters[index].cluster.certificateAuthority =
                Self.resolvePath(cluster.certificateAuthority, origin: origin) ?? cluster.certificateAuthority
        }
        for index in copy.users.indices {
            let origin = copy.users[index].origin
            var user = copy.users[index].user
            user.clientCertificate = Self.resolvePath(user.clientCertificate, origin: origin) ?? user.clientCertificate
            user.clientKey = Self.resolvePath(user.clientKey, origin: origin) ?? user.clientKey
            user.tokenFile = Self.resolvePath(user.tokenFile, origin: origin) ?? user.tokenFile
            if var exec = user.exec, let command = exec.command, command.contains("/") {
                exec.command = Self.resolvePath(command, origin: origin) ?? command
                user.exec = exec
            }
            copy.users[index].user = user
        }
        return copy
    }

    // MARK: - Resolution of one entry

    func resolve(_ named: NamedCluster) throws(KubeConfigError) -> ResolvedContext.Cluster {
        let e = entry(.clusters, named.name, named.origin, fallback: clusters.firstIndex(of: named))
        let cluster = named.cluster
        guard let rawServer = cluster.server, !rawServer.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .missingServer(entry: e)
        }
        let server = try Self.parseServer(rawServer, entry: e)
        var ca: ResolvedContext.Source?
        if let data = try decodeBase64(cluster.certificateAuthorityData, "certificate-authority-data", e) {
            ca = .inline(data)
        } else if let file = Self.resolvePath(cluster.certificateAuthority, origin: named.origin) {
            ca = .file(file)
        }
        let insecure = cluster.insecureSkipTLSVerify ?? false
        if insecure && ca != nil {
            throw .conflictingFields(entry: e, first: "insecure-skip-tls-verify",
                                     second: "certificate-authority(-data)")
        }
        var proxy: URL?
        if let rawProxy = cluster.proxyURL, !rawProxy.isEmpty { proxy = try Self.parseProxy(rawProxy, entry: e) }
        return ResolvedContext.Cluster(
            name: named.name, server: server, certificateAuthority: ca, insecureSkipTLSVerify: insecure,
            tlsServerName: cluster.tlsServerName.flatMap { $0.isEmpty ? nil : $0 }, proxyURL: proxy,
            disableCompression: cluster.disableCompression ?? false)
    }

    func resolve(_ named: NamedUser) throws(KubeConfigError) -> ResolvedContext.User {
        let e = entry(.users, named.name, named.origin, fallback: users.firstIndex(of: named))
        let user = named.user

        // Client certificate: file or inline, never both; certificate and key together.
        let certData = try decodeBase64(user.clientCertificateData, "client-certificate-data", e)
        let keyData = try decodeBase64(user.clientKeyData, "client-key-data", e)
        let certFile = Self.resolvePath(user.clientCertificate, origin: named.origin)
        let keyFile = Self.resolvePath(user.clientKey, origin: named.origin)
        if certData != nil && certFile != nil {
            throw .conflictingFields(entry: e, first: "client-certificate", second: "client-certificate-data")
        }
        if keyData != nil && keyFile != nil {
            throw .conflictingFields(entry: e, first: "client-key", second: "client-key-data")
        }
        let certificate = certData.map(ResolvedContext.Source.inline) ?? certFile.map(ResolvedContext.Source.file)
        let key = keyData.map(ResolvedContext.Source.inline) ?? keyFile.map(ResolvedContext.Source.file)
        var clientCertificate: ResolvedContext.ClientCertificate?
        switch (certificate, key) {
        case (let certificate?, let key?):
            clientCertificate = ResolvedContext.ClientCertificate(certificate: certificate, key: key)
        case (.some, nil):
            throw .incompleteClientCertificate(entry: e, missing: "client-key or client-key-data")
        case (nil, .some):
            throw .incompleteClientCertificate(entry: e, missing: "client-certificate or client-certificate-data")
        case (nil, nil):
            clientCertificate = nil
        }

        let token = user.token.flatMap { $0.isEmpty ? nil : $0 }
        let tokenFile = Self.resolvePath(user.tokenFile, origin: named.origin)
        let username = user.username.flatMap { $0.isEmpty ? nil : $0 }
        let password = user.password.flatMap { $0.isEmpty ? nil : $0 }
        if (token != nil || tokenFile != nil) && (username != nil || password != nil) {
            throw .conflictingFields(entry: e, first: token != nil ? "token" : "tokenFile", second: "username/password")
        }
        if user.exec != nil && user.authProvider != nil {
            throw .conflictingFields(entry: e, first: "exec", second: "auth-provider")
        }

        let auth: ResolvedContext.Auth
        if let exec = user.exec {
            auth = .exec(try Self.resolveExec(exec, origin: named.origin, entry: e))
        } else if let provider = user.authProvider {
            auth = .authProvider(name: provider.name, config: provider.config ?? [:])
        } else if let token {
            auth = .token(token)
        } else if let tokenFile {
            auth = .tokenFile(tokenFile)
        } else if username != nil || password != nil {
            auth = .basic(username: username ?? "", password: password ?? "")
        } else if let clientCertificate {
            auth = .clientCertificate(clientCertificate)
        } else {
            auth = .none
        }
        return ResolvedContext.User(name: named.name, auth: auth, clientCertificate: clientCertificate)
    }

    static func resolveExec(_ exec: ExecConfig, origin: Origin?, entry e: KubeConfigError.Entry)
        throws(KubeConfigError) -> ResolvedContext.Exec
    {
        guard let command = exec.command, !command.isEmpty else { throw .execWithoutCommand(entry: e) }
        guard let apiVersion = exec.apiVersion, !apiVersion.isEmpty else { throw .execWithoutAPIVersion(entry: e) }
        let mode = exec.interactiveMode.flatMap { $0.isEmpty ? nil : $0 } ?? "IfAvailable"
        guard ["Never", "IfAvailable", "Always"].contains(mode) else {
            throw .invalidInteractiveMode(entry: e, value: mode)
        }
        // kubectl: a command with a path separator is relative to the kubeconfig; a bare name is found in PATH.
        let resolvedCommand = command.contains("/") ? (resolvePath(command, origin: origin) ?? command) : command
        return ResolvedContext.Exec(
            apiVersion: apiVersion, command: resolvedCommand, args: exec.args ?? [], env: exec.env ?? [],
            installHint: exec.installHint, provideClusterInfo: exec.provideClusterInfo ?? false,
            interactiveMode: mode)
    }

    // MARK: - Helpers

    func entry(_ section: KubeConfigError.Section, _ name: String, _ origin: Origin?, fallback: Int?)
        -> KubeConfigError.Entry
    {
        KubeConfigError.Entry(path: origin?.file ?? "<memory>", section: section,
                              index: origin?.index ?? fallback ?? 0, name: name)
    }

    private func checkNames(_ names: [(String, Origin?)], _ section: KubeConfigError.Section)
        throws(KubeConfigError)
    {
        var firstIndexByName: [String: Int] = [:]
        for (position, (name, origin)) in names.enumerated() {
            let index = origin?.index ?? position
            if name.isEmpty {
                throw .missingName(path: origin?.file ?? "<memory>", section: section, index: index)
            }
            if let first = firstIndexByName[name] {
                throw .duplicateName(entry: entry(section, name, origin, fallback: position), firstIndex: first)
            }
            firstIndexByName[name] = index
        }
    }

    private func checkBase64(_ value: String?, _ field: String, _ e: KubeConfigError.Entry) throws(KubeConfigError) {
        _ = try decodeBase64(value, field, e)
    }

    private func decodeBase64(_ value: String?, _ field: String, _ e: KubeConfigError.Entry)
        throws(KubeConfigError) -> [UInt8]?
    {
        guard let value, !value.isEmpty else { return nil }
        guard let bytes = Self.decodeBase64(value) else { throw .invalidBase64(entry: e, field: field) }
        return bytes
    }

    /// Standard base64 with padding; line breaks and spaces (folded YAML) are ignored.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        let compact = text.filter { !$0.isWhitespace }
        guard !compact.isEmpty, let data = Data(base64Encoded: compact) else { return nil }
        return [UInt8](data)
    }

    /// An absolute path: absolute paths stay, relative ones join the directory of the defining file.
    static func resolvePath(_ path: String?, origin: Origin?) -> String? {
        guard let path, !path.isEmpty else { return nil }
        if path.hasPrefix("/") { return path }
        guard let origin, origin.file.hasPrefix("/") else { return path }
        let base = URL(fileURLWithPath: origin.directory, isDirectory: true)
        return URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
    }

    /// Parses `server` as kubectl does: `https://` is assumed without a scheme; http(s) with a host only.
    static func parseServer(_ raw: String, entry e: KubeConfigError.Entry) throws(KubeConfigError) -> URL {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let withScheme = text.contains("://") ? text : "https://" + text
        guard let components = URLComponents(string: withScheme), let url = components.url else {
            throw .invalidServerURL(entry: e, server: raw, reason: "it cannot be parsed")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw .invalidServerURL(entry: e, server: raw, reason: "the scheme must be https or http")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidServerURL(entry: e, server: raw, reason: "it has no host")
        }
        if components.user != nil || components.password != nil {
            throw .invalidServerURL(entry: e, server: "(redacted)", reason: "credentials do not belong in the URL")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .invalidServerURL(entry: e, server: raw, reason: "port \(port) is out of range")
        }
        return url
    }

    /// Parses `proxy-url`: http, https or socks5 with a host. The text is not echoed: it may hold credentials.
    static func parseProxy(_ raw: String, entry e: KubeConfigError.Entry) throws(KubeConfigError) -> URL {
        guard let components = URLComponents(string: raw.trimmingCharacters(in: .whitespaces)),
              let url = components.url
        else {
            throw .invalidProxyURL(entry: e, reason: "it cannot be parsed")
        }
        guard let scheme = components.scheme?.lowercased(), ["http", "https", "socks5"].contains(scheme) else {
            throw .invalidProxyURL(entry: e, reason: "the scheme must be http, https or socks5")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidProxyURL(entry: e, reason: "it has no host")
        }
        return url
    }
}
