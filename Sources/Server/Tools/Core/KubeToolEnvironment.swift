/// What every cluster tool shares: the per-context clients and how results are shaped.
///
/// Immutable; any thread.
public struct KubeToolEnvironment: Sendable {
    public let clients: KubeClients
    public let output: OutputSettings

    public init(clients: KubeClients, output: OutputSettings) {
        self.clients = clients
        self.output = output
    }
}

/// How tool results are shaped for a model's context window (`--list-output`, `--output-limit-bytes`,
/// `--show-secrets`).
public struct OutputSettings: Sendable, Equatable {
    /// `table` (default), `yaml` or `json` for lists.
    public var listFormat: String
    /// The most bytes a result may hold (default 64 KiB); more is cut with a note.
    public var maxBytes: Int
    /// Show Secret values (off by default: they are replaced by REDACTED).
    public var showSecrets: Bool

    public init(listFormat: String = "table", maxBytes: Int = 64 * 1024, showSecrets: Bool = false) {
        self.listFormat = listFormat
        self.maxBytes = maxBytes
        self.showSecrets = showSecrets
    }
}

/// Schema pieces every cluster tool uses.
enum KubeToolSchema {
    static let context = ToolSchema.string(
        "Kubeconfig context to use (optional; default: the server's context). See configuration_contexts_list.")
    static let labelSelector = ToolSchema.string(
        "Optional label selector, e.g. 'app=web,tier!=cache' or 'env in (prod,staging)'.")
    static let fieldSelector = ToolSchema.string(
        "Optional field selector, e.g. 'status.phase=Running' or 'spec.nodeName=node-1'.")
    static let limit = ToolSchema.integer(
        "Optional page size: return at most this many items and a continue token for the rest.", minimum: 1,
        maximum: 10_000)
    static let continueToken = ToolSchema.string(
        "Optional continue token from a previous call's result, to fetch the next page.")
}

/// Runs a tool body and turns every Kubernetes failure into a tool error a person can act on.
enum KubeToolRun {
    static func run(_ what: String, _ body: () async throws(KubeError) -> ToolResult) async -> ToolResult {
        do {
            return try await body()
        } catch {
            return .error("\(what) failed: \(error)")
        }
    }
}

extension JSONObject {
    /// A non-empty string argument, or nil.
    func string(_ name: String) -> String? {
        guard let s = self[name]?.stringValue, !s.isEmpty else { return nil }
        return s
    }

    /// A required string argument.
    func requiredString(_ name: String) throws(KubeError) -> String {
        guard let s = string(name) else { throw .configuration("the argument \"\(name)\" is required") }
        return s
    }
}
