import Foundation
import Synchronization
import Testing
@testable import Server

/// A clock that tests move by hand.
private final class ManualClock: Sendable {
    private let value = Mutex(Date(timeIntervalSince1970: 1_700_000_000))

    var now: @Sendable () -> Date { { self.value.withLock { $0 } } }
    var date: Date { value.withLock { $0 } }

    func advance(by seconds: TimeInterval) { value.withLock { $0 += seconds } }
}

private let server = URL(string: "https://10.0.0.1:6443")!

private func context(_ auth: ResolvedContext.Auth, ca: ResolvedContext.Source? = nil,
                     certificate: ResolvedContext.ClientCertificate? = nil, insecure: Bool = false,
                     serverName: String? = nil) -> ResolvedContext {
    ResolvedContext(contextName: "test", namespace: "default",
                    cluster: .init(name: "cluster", server: server, certificateAuthority: ca,
                                   insecureSkipTLSVerify: insecure, tlsServerName: serverName),
                    user: .init(name: "alice", auth: auth, clientCertificate: certificate))
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func credentialsMessage(_ error: KubeError?) -> String {
    guard case .credentials(let message)? = error else { return "not a credentials error: \(String(describing: error))" }
    return message
}

// MARK: - Static, token-file and TLS material

@Suite struct CredentialsTests {
    @Test func tokenBecomesBearerHeaderWithClusterTLS() async throws {
        let source = try CredentialFactory.make(
            for: context(.token("abc123"), ca: .inline(bytes("CA-PEM")), insecure: true, serverName: "api.internal"),
            environment: [:])
        let auth = try await source.current()
        #expect(auth.headers.count == 1)
        #expect(auth.headers.first?.0 == "Authorization")
        #expect(auth.headers.first?.1 == "Bearer abc123")
        #expect(auth.tls == TLSOptions(caData: bytes("CA-PEM"), insecureSkipVerify: true, serverName: "api.internal"))
    }

    @Test func basicAuthIsBase64OfUserColonPassword() async throws {
        let source = try CredentialFactory.make(for: context(.basic(username: "admin", password: "s3:cret")),
                                                environment: [:])
        let auth = try await source.current()
        #expect(auth.headers.first?.1 == "Basic " + Data("admin:s3:cret".utf8).base64EncodedString())
        #expect(auth.headers.first?.1 == "Basic YWRtaW46czM6Y3JldA==")
        #expect(auth.tls == TLSOptions())
    }

    @Test func clientCertificateFilesBecomePEMBlobs() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let ca = try dir.write("ca.crt", "CA-FILE")
        let cert = try dir.write("client.crt", "CERT-FILE")
        let key = try dir.write("client.key", "KEY-FILE")
        let source = try CredentialFactory.make(
            for: context(.clientCertificate(.init(certificate: .file(cert), key: .file(key))), ca: .file(ca)),
            environment: [:])
        let auth = try await source.current()
        #expect(auth.headers.isEmpty)
        #expect(auth.tls.caData == bytes("CA-FILE"))
        #expect(auth.tls.clientCertificate == bytes("CERT-FILE"))
        #expect(auth.tls.clientKey == bytes("KEY-FILE"))
        #expect(auth.tls.caFile == nil)
    }

    @Test func certificateNextToATokenIsSentToo() async throws {
        let source = try CredentialFactory.make(
            for: context(.token("t"), certificate: .init(certificate: .inline(bytes("C")), key: .inline(bytes("K")))),
            environment: [:])
        let auth = try await source.current()
        #expect(auth.headers.first?.1 == "Bearer t")
        #expect(auth.tls.clientCertificate == bytes("C"))
        #expect(auth.tls.clientKey == bytes("K"))
    }

    @Test func noCredentialsStillCarryTheClusterTrust() async throws {
        let source = try CredentialFactory.make(for: context(.none, ca: .inline(bytes("CA"))), environment: [:])
        #expect(try await source.current() == RequestAuth(tls: TLSOptions(caData: bytes("CA"))))
    }

    @Test func missingFilesAreNamedInTheError() throws {
        let missingKey = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(
                for: context(.clientCertificate(.init(certificate: .inline(bytes("C")),
                                                      key: .file("/nonexistent/k.key")))),
                environment: [:])
        }
        let keyMessage = credentialsMessage(missingKey)
        #expect(keyMessage.contains("client key file \"/nonexistent/k.key\""))
        #expect(keyMessage.contains("No such file"))
        let missingCA = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(for: context(.token("secret-token"), ca: .file("/nonexistent/ca.crt")),
                                           environment: [:])
        }
        #expect(credentialsMessage(missingCA).contains("certificate authority file \"/nonexistent/ca.crt\""))
        #expect(!credentialsMessage(missingCA).contains("secret-token"))
        #expect(missingCA?.description.hasPrefix("cannot get credentials: ") == true)
    }

    @Test func directoryOrEmptyFileIsRejected() throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let empty = try dir.write("empty.crt", "")
        let emptyError = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(for: context(.none, ca: .file(empty)), environment: [:])
        }
        #expect(credentialsMessage(emptyError).contains("is empty"))
        let directoryError = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(for: context(.none, ca: .file(dir.path)), environment: [:])
        }
        #expect(credentialsMessage(directoryError).contains("cannot be read"))
    }

    @Test func certificateFilesAreReadAgainAfterInvalidate() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let cert = try dir.write("client.crt", "CERT-1")
        let key = try dir.write("client.key", "KEY-1")
        let source = try CredentialFactory.make(
            for: context(.clientCertificate(.init(certificate: .file(cert), key: .file(key)))), environment: [:])
        try dir.write("client.crt", "CERT-2")
        try dir.write("client.key", "KEY-2")
        #expect(try await source.current().tls.clientCertificate == bytes("CERT-1"))
        await source.invalidate()
        let renewed = try await source.current()
        #expect(renewed.tls.clientCertificate == bytes("CERT-2"))
        #expect(renewed.tls.clientKey == bytes("KEY-2"))
        // A file that disappears is reported on the next use after a 401.
        try FileManager.default.removeItem(atPath: key)
        await source.invalidate()
        let error = await #expect(throws: KubeError.self) { _ = try await source.current() }
        #expect(credentialsMessage(error).contains(key))
    }

    @Test func authProviderIsUnsupportedWithAnExecSuggestion() throws {
        let error = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(for: context(.authProvider(name: "gcp", config: ["access-token": "ya29.x"])),
                                           environment: [:])
        }
        let message = credentialsMessage(error)
        #expect(message.contains("auth-provider \"gcp\""))
        #expect(message.contains("gke-gcloud-auth-plugin"))
        #expect(message.contains("exec"))
        #expect(!message.contains("ya29"))
    }

    // MARK: Token files

    @Test func tokenFileIsTrimmedAndReadAgainAfterInvalidate() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let path = try dir.write("token", "  first-token \n\n")
        let clock = ManualClock()
        let source = try CredentialFactory.make(for: context(.tokenFile(path), ca: .inline(bytes("CA"))),
                                                environment: [:], now: clock.now)
        #expect(source is TokenFileCredentials)
        let first = try await source.current()
        #expect(first.headers.first?.1 == "Bearer first-token")
        #expect(first.tls.caData == bytes("CA"))
        try dir.write("token", "second-token\n")
        #expect(try await source.current().headers.first?.1 == "Bearer first-token")
        await source.invalidate()
        #expect(try await source.current().headers.first?.1 == "Bearer second-token")
    }

    @Test func tokenFileIsReadAgainAfterAMinute() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let path = try dir.write("token", "old")
        let clock = ManualClock()
        let source = try CredentialFactory.make(for: context(.tokenFile(path)), environment: [:], now: clock.now)
        try dir.write("token", "new")
        clock.advance(by: 59)
        #expect(try await source.current().headers.first?.1 == "Bearer old")
        clock.advance(by: 1)
        #expect(try await source.current().headers.first?.1 == "Bearer new")
    }

    @Test func periodicReadFailureKeepsTheTokenButInvalidateDoesNot() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let path = try dir.write("token", "kept")
        let clock = ManualClock()
        let source = try CredentialFactory.make(for: context(.tokenFile(path)), environment: [:], now: clock.now)
        try FileManager.default.removeItem(atPath: path)
        clock.advance(by: 120)
        #expect(try await source.current().headers.first?.1 == "Bearer kept")
        await source.invalidate()
        let error = await #expect(throws: KubeError.self) { _ = try await source.current() }
        #expect(credentialsMessage(error).contains("token file \"\(path)\""))
        #expect(!credentialsMessage(error).contains("kept"))
    }

    @Test func emptyOrMissingTokenFileIsAnError() throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let blank = try dir.write("blank", " \n\t\n")
        let blankError = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(for: context(.tokenFile(blank)), environment: [:])
        }
        #expect(credentialsMessage(blankError).contains("only whitespace"))
        let empty = try dir.write("empty", "")
        let emptyError = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(for: context(.tokenFile(empty)), environment: [:])
        }
        #expect(credentialsMessage(emptyError).contains("is empty"))
        let missingError = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(for: context(.tokenFile(dir.path + "/none")), environment: [:])
        }
        #expect(credentialsMessage(missingError).contains("token file \"\(dir.path)/none\" cannot be read"))
    }
}

// MARK: - Exec plugins

/// Exec plugins are `#!/bin/sh` scripts in a temporary directory, run for real on the test's event loop.
@Suite struct ExecCredentialsTests {
    init() { RunningLoop.ensure() }

    private static let v1 = "client.authentication.k8s.io/v1"
    private static let v1beta1 = "client.authentication.k8s.io/v1beta1"
    private let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/test"]

    /// A plugin that counts its runs in `count`, saves its `KUBERNETES_EXEC_INFO` in `info`, its arguments in
    /// `args` and `$EXTRA` in `extra`, then prints `output` (a here-document: `$`-expansion applies).
    private func plugin(in dir: KubeTestDirectory, output: String, before: String = "") throws -> String {
        let script = """
            #!/bin/sh
            d=\(dir.path)
            n=$(cat "$d/count" 2>/dev/null || echo 0)
            echo $((n + 1)) > "$d/count"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "$d/info"
            echo "$@" > "$d/args"
            printf '%s' "$EXTRA" > "$d/extra"
            \(before)
            cat <<EOF
            \(output)
            EOF

            """
        return try dir.write("plugin", script, executable: true)
    }

    private func runs(_ dir: KubeTestDirectory) -> Int {
        Int((try? String(contentsOfFile: dir.path + "/count", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0
    }

    private func tokenOutput(_ version: String = v1, token: String = "plugin-token", expiry: String? = nil) -> String {
        let stamp = expiry.map { ",\"expirationTimestamp\":\"\($0)\"" } ?? ""
        return "{\"apiVersion\":\"\(version)\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"\(token)\"\(stamp)}}"
    }

    private func stamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private func execContext(_ command: String, version: String = v1, args: [String] = [],
                             env: [KubeConfig.EnvVar] = [], installHint: String? = nil, clusterInfo: Bool = false,
                             interactiveMode: String = "IfAvailable", ca: ResolvedContext.Source? = nil,
                             certificate: ResolvedContext.ClientCertificate? = nil) -> ResolvedContext {
        context(.exec(.init(apiVersion: version, command: command, args: args, env: env, installHint: installHint,
                            provideClusterInfo: clusterInfo, interactiveMode: interactiveMode)),
                ca: ca, certificate: certificate, insecure: clusterInfo, serverName: clusterInfo ? "api.internal" : nil)
    }

    @Test func v1TokenIsCachedWithoutExpiry() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let command = try plugin(in: dir, output: tokenOutput())
        let source = try CredentialFactory.make(
            for: execContext(command, args: ["get-token", "--cluster", "c 1"], env: [.init(name: "EXTRA", value: "x=y")],
                             ca: .inline(bytes("CA"))),
            environment: environment)
        let first = try await source.current()
        let second = try await source.current()
        #expect(first.headers.first?.1 == "Bearer plugin-token")
        #expect(first.tls.caData == bytes("CA"))
        #expect(second == first)
        #expect(runs(dir) == 1)
        #expect(try String(contentsOfFile: dir.path + "/args", encoding: .utf8) == "get-token --cluster c 1\n")
        #expect(try String(contentsOfFile: dir.path + "/extra", encoding: .utf8) == "x=y")
    }

    @Test func execInfoDescribesTheRequest() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let command = try plugin(in: dir, output: tokenOutput(Self.v1beta1))
        let source = try CredentialFactory.make(for: execContext(command, version: Self.v1beta1),
                                                environment: environment)
        _ = try await source.current()
        let info = try String(contentsOfFile: dir.path + "/info", encoding: .utf8)
        #expect(info == #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","#
            + #""spec":{"interactive":false}}"#)
    }

    @Test func provideClusterInfoAddsTheCluster() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let command = try plugin(in: dir, output: tokenOutput())
        let ca = try dir.write("ca.crt", "CA-BYTES")
        let source = try CredentialFactory.make(for: execContext(command, clusterInfo: true, ca: .file(ca)),
                                                environment: environment)
        _ = try await source.current()
        let info = try String(contentsOfFile: dir.path + "/info", encoding: .utf8)
        let caData = Data("CA-BYTES".utf8).base64EncodedString()
        #expect(info == #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"cluster":{"#
            + #""certificate-authority-data":"\#(caData)","insecure-skip-tls-verify":true,"#
            + #""server":"https://10.0.0.1:6443","tls-server-name":"api.internal"},"interactive":false}}"#)
    }

    @Test func v1beta1ClientCertificateReplacesTheKubeconfigOne() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let output = #"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"#
            + #""clientCertificateData":"-----BEGIN CERTIFICATE-----\nPLUGIN\n-----END CERTIFICATE-----\n","#
            + #""clientKeyData":"-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n"}}"#
        let command = try plugin(in: dir, output: output)
        let source = try CredentialFactory.make(
            for: execContext(command, version: Self.v1beta1,
                             certificate: .init(certificate: .inline(bytes("KC")), key: .inline(bytes("KK")))),
            environment: environment)
        let auth = try await source.current()
        #expect(auth.headers.isEmpty)
        #expect(auth.tls.clientCertificate == bytes("-----BEGIN CERTIFICATE-----\nPLUGIN\n-----END CERTIFICATE-----\n"))
        #expect(auth.tls.clientKey == bytes("-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n"))
    }

    @Test func concurrentCallersShareOneRun() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let command = try plugin(in: dir, output: tokenOutput(), before: "sleep 0.2")
        let source = try CredentialFactory.make(for: execContext(command), environment: environment)
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<5 { group.addTask { try await source.current().headers.first?.1 ?? "" } }
            var all: [String] = []
            for try await token in group { all.append(token) }
            return all
        }
        #expect(tokens == Array(repeating: "Bearer plugin-token", count: 5))
        #expect(runs(dir) == 1)
    }

    @Test func expiredOrSoonExpiringCredentialRunsThePluginAgain() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let clock = ManualClock()
        // Already expired: every call runs the plugin.
        let expired = try plugin(in: dir, output: tokenOutput(expiry: stamp(clock.date.addingTimeInterval(-60))))
        let source = try CredentialFactory.make(for: execContext(expired), environment: environment, now: clock.now)
        _ = try await source.current()
        _ = try await source.current()
        #expect(runs(dir) == 2)
        // Expiring within the refresh margin counts as expired.
        try FileManager.default.removeItem(atPath: dir.path + "/count")
        let soon = try plugin(in: dir, output: tokenOutput(expiry: stamp(clock.date.addingTimeInterval(5))))
        let soonSource = try CredentialFactory.make(for: execContext(soon), environment: environment, now: clock.now)
        _ = try await soonSource.current()
        _ = try await soonSource.current()
        #expect(runs(dir) == 2)
    }

    @Test func credentialIsCachedUntilShortlyBeforeExpiry() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let clock = ManualClock()
        let command = try plugin(in: dir, output: tokenOutput(expiry: stamp(clock.date.addingTimeInterval(3_600))))
        let source = try CredentialFactory.make(for: execContext(command), environment: environment, now: clock.now)
        _ = try await source.current()
        clock.advance(by: 3_589)
        _ = try await source.current()
        #expect(runs(dir) == 1)
        clock.advance(by: 1)
        _ = try await source.current()
        #expect(runs(dir) == 2)
    }

    @Test func invalidateRunsThePluginAgain() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let command = try plugin(in: dir, output: tokenOutput(token: "token-$n"))
        let source = try CredentialFactory.make(for: execContext(command), environment: environment)
        #expect(try await source.current().headers.first?.1 == "Bearer token-0")
        #expect(try await source.current().headers.first?.1 == "Bearer token-0")
        await source.invalidate()
        #expect(try await source.current().headers.first?.1 == "Bearer token-1")
        #expect(runs(dir) == 2)
    }

    @Test func failingPluginReportsExitCodeAndStderrButNotStdout() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let command = try plugin(in: dir, output: tokenOutput(token: "leaked-secret"), before: """
            cat <<EOF
            {"status":{"token":"leaked-secret"}}
            EOF
            echo "error: could not refresh: login expired" >&2
            echo "run: aws sso login" >&2
            exit 1
            """)
        let source = try CredentialFactory.make(for: execContext(command), environment: environment)
        let error = await #expect(throws: KubeError.self) { _ = try await source.current() }
        let message = credentialsMessage(error)
        #expect(message.contains("exited with code 1"))
        #expect(message.contains("error: could not refresh: login expired\nrun: aws sso login"))
        #expect(!message.contains("leaked-secret"))
        // Failures are not cached: the next call runs the plugin again.
        _ = try? await source.current()
        #expect(runs(dir) == 2)
    }

    @Test func longStderrIsCut() {
        let stderr = (1...20).map { "line \($0)" }.joined(separator: "\n")
        #expect(ExecCredentials.excerpt(of: bytes(stderr)) == ": line 1\nline 2\nline 3\nline 4\nline 5 …")
        #expect(ExecCredentials.excerpt(of: bytes(String(repeating: "x", count: 5_000))).count < 900)
        #expect(ExecCredentials.excerpt(of: []) == "")
    }

    @Test func apiVersionMismatchIsAnError() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let command = try plugin(in: dir, output: tokenOutput(Self.v1beta1))
        let source = try CredentialFactory.make(for: execContext(command, version: Self.v1), environment: environment)
        let error = await #expect(throws: KubeError.self) { _ = try await source.current() }
        let message = credentialsMessage(error)
        #expect(message.contains("returned apiVersion \"\(Self.v1beta1)\""))
        #expect(message.contains("asks for \"\(Self.v1)\""))
        #expect(!message.contains("plugin-token"))
    }

    @Test func malformedAnswersAreDescribedWithoutQuotingThem() throws {
        func parse(_ text: String) -> String {
            do {
                _ = try ExecCredentials.parse(bytes(text), apiVersion: Self.v1, command: "p", tls: TLSOptions())
                return "parsed"
            } catch {
                return credentialsMessage(error)
            }
        }
        #expect(parse("token=secret").contains("not JSON"))
        #expect(!parse("token=secret").contains("secret"))
        #expect(parse("").contains("printed nothing"))
        #expect(parse("[1]").contains("not an ExecCredential object"))
        let head = #"{"apiVersion":"\#(Self.v1)","kind":"ExecCredential""#
        #expect(parse(#"{"apiVersion":"\#(Self.v1)","kind":"Pod","status":{"token":"s"}}"#).contains("kind \"Pod\""))
        #expect(parse(head + "}").contains("without status"))
        #expect(parse(head + #","status":{}}"#).contains("neither"))
        #expect(parse(head + #","status":{"clientCertificateData":"c"}}"#).contains("without status.clientKeyData"))
        #expect(parse(head + #","status":{"token":"s","expirationTimestamp":"tomorrow"}}"#)
            .contains("not RFC 3339: \"tomorrow\""))
        let fractional = try ExecCredentials.parse(
            bytes(head + #","status":{"token":"s","expirationTimestamp":"2030-01-02T03:04:05.123456Z"}}"#),
            apiVersion: Self.v1, command: "p", tls: TLSOptions())
        #expect(fractional.expiry != nil)
        #expect(ExecCredentials.parseTimestamp("2030-01-02T03:04:05+02:00")
            == ExecCredentials.parseTimestamp("2030-01-02T01:04:05Z"))
    }

    @Test func commandNotFoundInPATHQuotesTheInstallHint() async throws {
        let source = try CredentialFactory.make(
            for: execContext("kube-mcp-missing-plugin", installHint: "brew install kube-mcp-missing-plugin"),
            environment: environment)
        let error = await #expect(throws: KubeError.self) { _ = try await source.current() }
        let message = credentialsMessage(error)
        #expect(message.contains("\"kube-mcp-missing-plugin\" was not found in PATH"))
        #expect(message.contains("brew install kube-mcp-missing-plugin"))
    }

    @Test func bareCommandIsFoundInTheServersPATH() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        _ = try plugin(in: dir, output: tokenOutput())
        var env = environment
        env["PATH"] = (env["PATH"] ?? "") + ":" + dir.path
        let source = try CredentialFactory.make(for: execContext("plugin"), environment: env)
        #expect(try await source.current().headers.first?.1 == "Bearer plugin-token")
    }

    @Test func interactiveAlwaysAndOldAPIVersionsAreRejected() throws {
        let always = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(for: execContext("kubelogin", interactiveMode: "Always"), environment: [:])
        }
        #expect(credentialsMessage(always).contains("interactiveMode Always"))
        #expect(credentialsMessage(always).contains("no terminal"))
        let alpha = #expect(throws: KubeError.self) {
            _ = try CredentialFactory.make(for: execContext("p", version: "client.authentication.k8s.io/v1alpha1"),
                                           environment: [:])
        }
        #expect(credentialsMessage(alpha).contains("not supported"))
    }

    @Test func slowPluginIsStoppedAtTheTimeLimit() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let command = try plugin(in: dir, output: tokenOutput(), before: "echo waiting for the browser >&2; sleep 10")
        let exec = ResolvedContext.Exec(apiVersion: Self.v1, command: command)
        let source = try ExecCredentials(exec: exec, cluster: context(.none).cluster, material: TLSMaterial(),
                                         tls: TLSOptions(), environment: environment, timeoutMilliseconds: 1500,
                                         now: { Date() })
        let start = ContinuousClock.now
        let error = await #expect(throws: KubeError.self) { _ = try await source.current() }
        #expect(ContinuousClock.now - start < .seconds(8), "stopped long before the plugin's own 10 s")
        // 1.5 s: long enough for a shell on a loaded machine to print its line before it is stopped.
        #expect(credentialsMessage(error).contains("did not finish within 1500 ms"))
        #expect(credentialsMessage(error).contains("waiting for the browser"))
    }
}
