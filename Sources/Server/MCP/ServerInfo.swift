/// Who this server is, as `initialize` and `server/discover` say it.
public struct ServerInfo: Sendable {
    public static let name = "kube-mcp"
    public static let title = "Kubernetes MCP Server"
    public static let version = "0.1.0"

    public static var json: JSONValue {
        ["name": .string(name), "title": .string(title), "version": .string(version)]
    }

    /// Free text a host may put into the model's prompt.
    public static let instructions = """
        kube-mcp gives read access to Kubernetes clusters through the kubeconfig it was started with. \
        Use configuration_contexts_list to see the available contexts and configuration_view to see the \
        (redacted) kubeconfig. Every tool that talks to a cluster accepts an optional "context".
        """
}
