/// Every tool the server offers, built in one place from the loaded kubeconfig and the configuration.
///
/// Stateless; any thread. The order here is the order of `tools/list` and of the README's tool table.
public enum ToolCatalog {
    public static func makeTools(kubeConfig: Result<LoadedKubeConfig, KubeConfigError>, config: Config) -> [any Tool] {
        [
            ConfigurationContextsListTool(kubeConfig: kubeConfig, contextOverride: config.context),
            ConfigurationViewTool(kubeConfig: kubeConfig, contextOverride: config.context),
        ]
    }

    /// The tool definitions alone (no kubeconfig needed), for documentation.
    public static func definitions(config: Config) -> [ToolDefinition] {
        makeTools(kubeConfig: .failure(.noConfiguration(searched: [])), config: config).map(\.definition)
    }

    /// The Markdown table of the README: name, title, whether it only reads, and the description's first sentence.
    public static func markdownTable(_ definitions: [ToolDefinition]) -> String {
        var lines = ["| Tool | Title | Read-only | Destructive | Description |", "|---|---|---|---|---|"]
        for d in definitions {
            let firstSentence = d.description.split(separator: ". ", maxSplits: 1).first.map(String.init) ?? d.description
            let text = firstSentence.hasSuffix(".") ? firstSentence : firstSentence + "."
            let cell = text.replacingPipes()
            lines.append("| `\(d.name)` | \(d.title.replacingPipes()) | \(d.annotations.readOnlyHint ? "yes" : "no") | "
                         + "\(d.annotations.destructiveHint && !d.annotations.readOnlyHint ? "yes" : "no") | \(cell) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        String(map { $0 == "|" ? "/" : ($0.isNewline ? " " : $0) })
    }
}
