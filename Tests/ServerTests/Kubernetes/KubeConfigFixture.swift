import Foundation
import Testing
@testable import Server

/// Paths of the kubeconfig fixtures (copied into the test bundle) and temporary directories for tests that
/// need files of their own. Plain helpers, any thread.
enum KubeConfigFixture {
    /// The absolute path of `Fixtures/kubeconfig` inside the test bundle.
    static let directory: String = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            return "/nonexistent-fixtures"
        }
        return url.appendingPathComponent("kubeconfig").standardizedFileURL.path
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    /// Loads one fixture as if given with `--kubeconfig`, with nothing else in the environment.
    static func load(_ name: String) throws(KubeConfigError) -> LoadedKubeConfig {
        try KubeConfigLoader.load(explicitPath: path(name), environment: [:],
                                  serviceAccountDirectory: "/nonexistent/serviceaccount")
    }

    /// The error loading a fixture throws, or nil when it loads.
    static func loadError(_ name: String) -> KubeConfigError? {
        do {
            _ = try load(name)
            return nil
        } catch {
            return error
        }
    }

    /// The error resolving a fixture's context throws, or nil when it resolves.
    static func resolveError(_ name: String, context: String? = nil) -> KubeConfigError? {
        do {
            _ = try load(name).resolvedContext(named: context)
            return nil
        } catch {
            return error
        }
    }

    /// Every fixture that loads, in merge order (used to check that redaction catches every secret).
    static let loadable = [
        "client-cert-files.yaml", "client-cert-inline.yaml", "token.yaml", "token-file.yaml", "exec-v1.yaml",
        "exec-v1beta1.yaml", "tls-options.yaml", "basic.yaml", "auth-provider.yaml", "merge/first.yaml",
        "merge/second.yaml", "merge/third.yaml", "relative/nested/config",
    ]

    /// Every credential value in the loadable fixtures, raw and decoded.
    static let secrets = [
        "bearer-token-secret-5d1e", "basic-password-secret-3e9f", "exec-env-secret-profile-42",
        "oidc-id-token-secret-6a0b", "oidc-refresh-secret-1c7d", "proxy-secret-pw-8c4d", "first-token-secret",
        "second-token-secret", "RkFLRS1DTElFTlQtQ0VSVC1TRUNSRVQtREFUQS03ZjNh",
        "RkFLRS1DTElFTlQtS0VZLVNFQ1JFVC1EQVRBLTliMmM=", "FAKE-CLIENT-CERT-SECRET", "FAKE-CLIENT-KEY-SECRET",
        "tokenfile-secret-from-file",
    ]

    /// All loadable fixtures merged through `KUBECONFIG`.
    static func mergedAll() throws(KubeConfigError) -> LoadedKubeConfig {
        try KubeConfigLoader.load(
            explicitPath: nil, environment: ["KUBECONFIG": loadable.map(path).joined(separator: ":")],
            serviceAccountDirectory: "/nonexistent/serviceaccount")
    }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct KubeTestDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "kube-mcp-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `contents` to `name` (intermediate directories created) and returns the file's path.
    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        try write(name, Data(contents.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let file = path + "/" + name
        let parent = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: file))
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
