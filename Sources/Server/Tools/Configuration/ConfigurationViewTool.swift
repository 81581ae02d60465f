import Yams

/// `configuration_view`: the kubeconfig the server runs with, as YAML, every credential redacted, optionally
/// cut down to the context in use (`kubectl config view [--minify]`).
///
/// Immutable and `Sendable`, any thread. It owns a copy of the kubeconfig loaded at startup (or the reason
/// loading failed) and never contacts the API server.
public struct ConfigurationViewTool: Tool {
    public static let toolDefinition = ToolDefinition(
        name: "configuration_view",
        title: "View kubeconfig",
        description: """
            Shows the kubeconfig this server uses as YAML, with every credential redacted: tokens, passwords, \
            exec environment values and auth-provider settings read REDACTED and certificate or key data reads \
            DATA+OMITTED. By default only the context in use, its cluster and its user are shown; set minified \
            to false to see every context, cluster and user. Comment lines at the top say which file or files \
            the configuration was read from. Relative file paths are shown resolved to absolute paths.
            """,
        inputSchema: ToolSchema.object(properties: [
            "minified": ToolSchema.boolean(
                "True to show only the context in use with its cluster and user; false to show the whole "
                    + "merged configuration.",
                default: true),
        ]),
        annotations: .readOnly(title: "View kubeconfig"))

    public var definition: ToolDefinition { Self.toolDefinition }

    /// The kubeconfig loaded at startup, or why none could be loaded.
    public let kubeConfig: Result<LoadedKubeConfig, KubeConfigError>
    /// `--context` / `K8S_CONTEXT`: the context minification keeps instead of `current-context`.
    public let contextOverride: String?

    public init(kubeConfig: Result<LoadedKubeConfig, KubeConfigError>, contextOverride: String? = nil) {
        self.kubeConfig = kubeConfig
        self.contextOverride = contextOverride.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        let loaded: LoadedKubeConfig
        switch kubeConfig {
        case .success(let value): loaded = value
        case .failure(let error): return .error("No kubeconfig is loaded, so there is nothing to show: \(error)")
        }
        let minified = arguments["minified"]?.boolValue ?? true

        var config = loaded.config
        var header = "# Source: \(Self.commentSafe(loaded.sourceDescription))\n"
        if minified {
            do {
                config = try config.minified(context: contextOverride)
            } catch {
                return .error("Cannot minify the kubeconfig to the context in use: \(error). "
                              + "Call configuration_view with minified set to false to see the whole configuration.")
            }
            let name = config.currentContext ?? ""
            header += "# Minified to context \"\(Self.commentSafe(name))\", the one this server uses.\n"
        }
        await context.reportProgress(1, 3, "redacting credentials")
        config = config.withAbsolutePaths.redacted

        await context.reportProgress(2, 3, "rendering YAML")
        let yaml: String
        do {
            yaml = try YAMLEncoder().encode(config)
        } catch {
            return .error("Cannot render the kubeconfig as YAML: \(error)")
        }
        await context.reportProgress(3, 3, "done")
        await context.log(.info, .string("configuration_view rendered \(config.contexts.count) context(s) from \(loaded.files.count) file(s)"))
        return .text(header + yaml)
    }

    /// Keeps a value on its comment line.
    private static func commentSafe(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
