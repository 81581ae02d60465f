import Logging

/// Every tool the server offers, built in one place from the loaded kubeconfig and the configuration.
///
/// Stateless; any thread. The order here is the order of `tools/list` and of the README's tool table.
public enum ToolCatalog {
    public static func makeTools(kubeConfig: Result<LoadedKubeConfig, KubeConfigError>, config: Config,
                                 clients: KubeClients) -> [any Tool] {
        let environment = KubeToolEnvironment(clients: clients, output: config.output)
        let tools: [(any Tool)?] = [
            ConfigurationContextsListTool(kubeConfig: kubeConfig, contextOverride: config.context),
            ConfigurationViewTool(kubeConfig: kubeConfig, contextOverride: config.context),
            ClusterInfoTool(environment: environment),
            APIResourcesTool(environment: environment),
            NamespacesListTool(environment: environment),
            PodsListTool(environment: environment),
            PodsListInNamespaceTool(environment: environment),
            PodsGetTool(environment: environment),
            PodsLogTool(environment: environment),
            PodsExecTool(environment: environment),
            PodsTopTool(environment: environment),
            NodesTopTool(environment: environment),
            EventsListTool(environment: environment),
            ResourcesListTool(environment: environment),
            ResourcesGetTool(environment: environment),
            ResourcesDescribeTool(environment: environment),
            ResourcesCreateOrUpdateTool(environment: environment),
            ResourcesDeleteTool(environment: environment),
            ResourcesScaleTool(environment: environment),
            PodsDeleteTool(environment: environment),
            PodsRunTool(environment: environment),
            DeploymentsRestartTool(environment: environment),
            RolloutStatusTool(environment: environment),
            KubectlTool.make(kubeConfig: kubeConfig, config: config),
        ]
        return tools.compactMap { $0 }
    }

    /// The tool definitions alone (no kubeconfig needed), for documentation.
    public static func definitions(config: Config) -> [ToolDefinition] {
        let none: Result<LoadedKubeConfig, KubeConfigError> = .failure(.noConfiguration(searched: []))
        let clients = KubeClients(kubeConfig: none, contextOverride: nil, namespaceOverride: nil,
                                  options: config.kube, logger: Logger(label: "kube-mcp"),
                                  makeCredentials: { _ throws(KubeError) in
                                      throw KubeError.configuration("no kubeconfig")
                                  })
        var definitions = makeTools(kubeConfig: none, config: config, clients: clients).map(\.definition)
        // The documentation lists kubectl even where this binary runs without it on PATH.
        if !definitions.contains(where: { $0.name == KubectlTool.name }) {
            definitions.append(KubectlTool.definition(readOnly: config.readOnly))
        }
        return definitions
    }

    /// The Markdown table of the README: name, title, whether it only reads, and the description's first sentence.
    public static func markdownTable(_ definitions: [ToolDefinition]) -> String {
        var lines = ["| Tool | Title | Read-only | Destructive | Description |", "|---|---|---|---|---|"]
        for d in definitions {
            let firstSentence = Self.firstSentence(d.description)
            let text = firstSentence.hasSuffix(".") ? firstSentence : firstSentence + "."
            let cell = text.replacingPipes()
            lines.append("| `\(d.name)` | \(d.title.replacingPipes()) | \(d.annotations.readOnlyHint ? "yes" : "no") | "
                         + "\(d.annotations.destructiveHint && !d.annotations.readOnlyHint ? "yes" : "no") | \(cell) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ToolCatalog {
    /// Text up to the first ". " that is followed by a capital letter and does not end "e.g." or "i.e.".
    static func firstSentence(_ text: String) -> String {
        let chars = Array(text)
        var i = 0
        while i + 2 < chars.count {
            let abbreviation = i >= 3 && ["e.g", "i.e"].contains(String(chars[(i - 3)..<i]))
            if chars[i] == ".", chars[i + 1] == " ", chars[i + 2].isUppercase, !abbreviation {
                return String(chars[0...i])
            }
            i += 1
        }
        return text
    }
}

extension String {
    fileprivate func replacingPipes() -> String {
        String(map { $0 == "|" ? "/" : ($0.isNewline ? " " : $0) })
    }
}
