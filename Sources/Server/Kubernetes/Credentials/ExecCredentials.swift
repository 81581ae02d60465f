import Foundation

/// Credentials printed by a kubeconfig exec plugin (`client.authentication.k8s.io/v1` or `v1beta1`):
/// `aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin`, ... The plugin runs without a shell or a
/// terminal (`UVProcess`, stdin closed, 30 s limit) with `KUBERNETES_EXEC_INFO` describing the request; its
/// `ExecCredential` (a token, or a client certificate and key) is cached until shortly before
/// `expirationTimestamp`, or until `invalidate()` after a 401. Concurrent callers share one run of the plugin.
///
/// An actor: any task may call it. The plugin's stdout holds the credential: it never appears in logs or
/// errors; failures quote the exit status and the first lines of stderr.
public actor ExecCredentials: CredentialSource {
    /// The `apiVersion`s of the ExecCredential protocol spoken here.
    public static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
    /// A credential is refreshed this long before it expires.
    public static let refreshMargin: TimeInterval = 10
    /// How long a plugin may run.
    public static let defaultTimeoutMilliseconds = 30_000
    /// How much of the plugin's stderr an error quotes.
    static let stderrLineLimit = 5
    static let stderrCharacterLimit = 800

    /// One answer of the plugin.
    struct Credential: Sendable, Equatable {
        var auth: RequestAuth
        /// Nil: valid until a 401.
        var expiry: Date?
    }

    private let exec: ResolvedContext.Exec
    private let cluster: ResolvedContext.Cluster
    private let material: TLSMaterial
    private let environment: [String: String]
    private let timeoutMilliseconds: Int
    private let now: @Sendable () -> Date
    private var tls: TLSOptions?
    private var cached: Credential?
    private var inFlight: Task<Result<Credential, KubeError>, Never>?

    /// - Parameters:
    ///   - environment: the server's own environment; the plugin gets it plus the kubeconfig's `env` entries.
    ///   - tls: `material` loaded already; its CA goes into `KUBERNETES_EXEC_INFO` with `provideClusterInfo`,
    ///     and its client certificate is used unless the plugin returns one.
    /// - Throws: `KubeError.credentials` for an unsupported `apiVersion` or `interactiveMode: Always`.
    init(exec: ResolvedContext.Exec, cluster: ResolvedContext.Cluster, material: TLSMaterial, tls: TLSOptions,
         environment: [String: String], timeoutMilliseconds: Int = defaultTimeoutMilliseconds,
         now: @escaping @Sendable () -> Date) throws(KubeError) {
        guard Self.supportedAPIVersions.contains(exec.apiVersion) else {
            throw .credentials("the exec plugin \"\(exec.command)\" uses apiVersion \"\(exec.apiVersion)\", "
                + "which is not supported; use \(Self.supportedAPIVersions.joined(separator: " or "))")
        }
        guard exec.interactiveMode != "Always" else {
            throw .credentials("the exec plugin \"\(exec.command)\" has interactiveMode Always, but kube-mcp has no "
                + "terminal to prompt on; configure the plugin to work without interaction (interactiveMode "
                + "IfAvailable or Never, e.g. with a cached login or a service principal)")
        }
        self.exec = exec
        self.cluster = cluster
        self.material = material
        self.tls = tls
        self.environment = environment
        self.timeoutMilliseconds = timeoutMilliseconds
        self.now = now
    }

    public func current() async throws(KubeError) -> RequestAuth {
        if let cached, isFresh(cached) { return cached.auth }
        let task: Task<Result<Credential, KubeError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let base: TLSOptions
            if let tls {
                base = tls
            } else {
                base = try material.load()
                tls = base
            }
            task = Task { await self.runPlugin(tls: base) }
            inFlight = task
        }
        let result = await task.value
        if inFlight == task {
            inFlight = nil
            if case .success(let credential) = result { cached = credential }
        }
        return try result.get().auth
    }

    public func invalidate() async {
        cached = nil
        if material.readsFiles { tls = nil }
    }

    private func isFresh(_ credential: Credential) -> Bool {
        guard let expiry = credential.expiry else { return true }
        return now() < expiry.addingTimeInterval(-Self.refreshMargin)
    }

    // MARK: Running the plugin

    /// Runs the plugin once and reads its answer.
    private nonisolated func runPlugin(tls: TLSOptions) async -> Result<Credential, KubeError> {
        let name = exec.command
        // The command is found in the server's PATH, as kubectl does; the plugin's env applies to the plugin.
        guard let path = UVProcess.locate(name, baseDirectory: nil, environment: environment) else {
            return .failure(notFound())
        }
        var childEnvironment = environment
        for variable in exec.env { childEnvironment[variable.name] = variable.value }
        childEnvironment["KUBERNETES_EXEC_INFO"] = execInfo(tls: tls)
        let result: ProcessResult
        do {
            result = try await UVProcess.run(executable: path, arguments: exec.args, environment: childEnvironment,
                                             timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            if error.name == "ENOENT" { return .failure(notFound()) }
            if error.name == "ECANCELED" { return .failure(.cancelled) }
            return .failure(.credentials("the exec plugin \"\(name)\" could not be started: \(error)"))
        }
        let excerpt = Self.excerpt(of: result.stderr)
        if result.timedOut {
            let limit = timeoutMilliseconds % 1000 == 0 ? "\(timeoutMilliseconds / 1000) s" : "\(timeoutMilliseconds) ms"
            return .failure(.credentials("the exec plugin \"\(name)\" did not finish within \(limit) and was stopped"
                + excerpt))
        }
        if result.termSignal != 0 {
            return .failure(.credentials("the exec plugin \"\(name)\" was killed by signal \(result.termSignal)"
                + excerpt))
        }
        if result.exitStatus != 0 {
            return .failure(.credentials("the exec plugin \"\(name)\" exited with code \(result.exitStatus)" + excerpt))
        }
        if result.truncated && result.stdout.count >= UVProcess.defaultOutputLimit {
            return .failure(.credentials("the exec plugin \"\(name)\" printed more than "
                + "\(UVProcess.defaultOutputLimit >> 20) MiB; that is not an ExecCredential"))
        }
        do {
            return .success(try Self.parse(result.stdout, apiVersion: exec.apiVersion, command: name, tls: tls))
        } catch {
            return .failure(error)
        }
    }

    private nonisolated func notFound() -> KubeError {
        var message = "the exec plugin \"\(exec.command)\" was not found"
            + (exec.command.contains("/") ? "" : " in PATH")
            + "; install it or correct users[].user.exec.command in the kubeconfig"
        if let hint = exec.installHint?.trimmingCharacters(in: .whitespacesAndNewlines), !hint.isEmpty {
            message += ". Install hint from the kubeconfig: " + hint
        }
        return .credentials(message)
    }

    /// `KUBERNETES_EXEC_INFO`: the ExecCredential the plugin is asked to complete, with the cluster when the
    /// kubeconfig sets `provideClusterInfo`.
    nonisolated func execInfo(tls: TLSOptions) -> String {
        var spec = ExecInfo.Spec(interactive: false)
        if exec.provideClusterInfo {
            spec.cluster = ExecInfo.Cluster(
                server: cluster.server.absoluteString,
                tlsServerName: cluster.tlsServerName,
                insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ? true : nil,
                certificateAuthorityData: tls.caData.map { Data($0).base64EncodedString() },
                proxyURL: cluster.proxyURL?.absoluteString,
                disableCompression: cluster.disableCompression ? true : nil)
        }
        let info = ExecInfo(apiVersion: exec.apiVersion, kind: "ExecCredential", spec: spec)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, booleans and optionals only: encoding cannot fail.
        let data = (try? encoder.encode(info)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private struct ExecInfo: Encodable {
        struct Cluster: Encodable {
            var server: String
            var tlsServerName: String?
            var insecureSkipTLSVerify: Bool?
            var certificateAuthorityData: String?
            var proxyURL: String?
            var disableCompression: Bool?

            enum CodingKeys: String, CodingKey {
                case server
                case tlsServerName = "tls-server-name"
                case insecureSkipTLSVerify = "insecure-skip-tls-verify"
                case certificateAuthorityData = "certificate-authority-data"
                case proxyURL = "proxy-url"
                case disableCompression = "disable-compression"
            }
        }

        struct Spec: Encodable {
            var cluster: Cluster?
            var interactive: Bool
        }

        var apiVersion: String
        var kind: String
        var spec: Spec
    }

    // MARK: Reading the answer

    /// The credential in the plugin's stdout: `status.token`, or `status.clientCertificateData` and
    /// `status.clientKeyData` (PEM), with an optional RFC 3339 `status.expirationTimestamp`.
    /// - Throws: `KubeError.credentials` describing what is wrong, never quoting the output.
    static func parse(_ stdout: [UInt8], apiVersion: String, command: String, tls: TLSOptions)
        throws(KubeError) -> Credential
    {
        let prefix = "the exec plugin \"\(command)\" "
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(stdout)) as? [String: Any] else {
                throw KubeError.credentials(prefix + "printed JSON that is not an ExecCredential object")
            }
            object = parsed
        } catch let error as KubeError {
            throw error
        } catch {
            throw .credentials(prefix + (stdout.isEmpty ? "printed nothing" : "printed something that is not JSON")
                + "; an ExecCredential was expected on stdout")
        }
        let returnedVersion = object["apiVersion"] as? String ?? ""
        guard returnedVersion == apiVersion else {
            throw .credentials(prefix + "returned apiVersion \"\(returnedVersion)\", but the kubeconfig asks for "
                + "\"\(apiVersion)\"")
        }
        guard object["kind"] as? String == "ExecCredential" else {
            let kind = object["kind"] as? String ?? ""
            throw .credentials(prefix + "returned kind \"\(kind)\" instead of ExecCredential")
        }
        guard let status = object["status"] as? [String: Any] else {
            throw .credentials(prefix + "returned an ExecCredential without status")
        }
        var expiry: Date?
        if let stamp = status["expirationTimestamp"] as? String, !stamp.isEmpty {
            guard let date = parseTimestamp(stamp) else {
                throw .credentials(prefix + "returned an expirationTimestamp that is not RFC 3339: \"\(stamp)\"")
            }
            expiry = date
        }
        var tls = tls
        let certificate = (status["clientCertificateData"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let key = (status["clientKeyData"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        switch (certificate, key) {
        case (let certificate?, let key?):
            tls.clientCertificate = Array(certificate.utf8)
            tls.clientKey = Array(key.utf8)
        case (nil, nil):
            break
        case (_?, nil):
            throw .credentials(prefix + "returned status.clientCertificateData without status.clientKeyData")
        case (nil, _?):
            throw .credentials(prefix + "returned status.clientKeyData without status.clientCertificateData")
        }
        var headers: [(String, String)] = []
        if let token = status["token"] as? String, !token.isEmpty {
            headers.append(StaticCredentials.bearer(token))
        } else if certificate == nil {
            throw .credentials(prefix + "returned neither status.token nor status.clientCertificateData and "
                + "status.clientKeyData")
        }
        return Credential(auth: RequestAuth(tls: tls, headers: headers), expiry: expiry)
    }

    /// RFC 3339 with or without fractional seconds.
    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// `: <first lines of stderr>` for an error message, or nothing when stderr is empty.
    static func excerpt(of stderr: [UInt8]) -> String {
        let lines = String(decoding: stderr, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !lines.isEmpty else { return "" }
        var text = lines.prefix(stderrLineLimit).joined(separator: "\n")
        var cut = lines.count > stderrLineLimit
        if text.count > stderrCharacterLimit {
            text = String(text.prefix(stderrCharacterLimit))
            cut = true
        }
        return ": " + text + (cut ? " …" : "")
    }
}
