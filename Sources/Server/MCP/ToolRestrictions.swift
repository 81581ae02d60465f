/// The tool-level guard rails: which tools `tools/list` hides and `tools/call` refuses. The first rule that
/// applies to a tool gives the message, which names the rule and how to change it.
///
/// Plain value, any thread. Rules: `--read-only` (only tools annotated read-only), `--disable-destructive`
/// (no tool annotated destructive and not read-only), `--enabled-tools` (an allow-list; empty: every tool),
/// `--disabled-tools` (a deny-list), and `withheld` (tools the application keeps back for a reason of its own,
/// e.g. a tool whose requests the request policy cannot see).
public struct ToolRestrictions: Sendable, Equatable {
    public var readOnly: Bool
    public var disableDestructive: Bool
    /// When not empty, only these tools are offered.
    public var enabledTools: [String]
    public var disabledTools: [String]
    /// Tool name → the reason it is withheld, a clause that completes "tool \"x\" is disabled: ...".
    public var withheld: [String: String]

    public init(readOnly: Bool = false, disableDestructive: Bool = false, enabledTools: [String] = [],
                disabledTools: [String] = [], withheld: [String: String] = [:]) {
        self.readOnly = readOnly
        self.disableDestructive = disableDestructive
        self.enabledTools = enabledTools
        self.disabledTools = disabledTools
        self.withheld = withheld
    }

    /// Why `definition` is hidden and refused, or nil when it is offered.
    public func refusal(for definition: ToolDefinition) -> String? {
        let name = definition.name
        let hints = definition.annotations
        let prefix = "tool \"\(name)\" is disabled: "
        if readOnly && !hints.readOnlyHint {
            return prefix + "the server runs with --read-only (MCP_READ_ONLY) and this tool can change the cluster; "
                + "restart the server without --read-only to allow it"
        }
        if disableDestructive && hints.destructiveHint && !hints.readOnlyHint {
            return prefix + "the server runs with --disable-destructive (MCP_DISABLE_DESTRUCTIVE) and this tool can "
                + "delete or overwrite; restart the server without --disable-destructive to allow destructive tools"
        }
        if !enabledTools.isEmpty && !enabledTools.contains(name) {
            return prefix + "it is not in --enabled-tools (MCP_ENABLED_TOOLS: \(enabledTools.joined(separator: ",")));"
                + " restart the server with \(name) added to that list to allow it"
        }
        if disabledTools.contains(name) {
            return prefix + "it is listed in --disabled-tools (MCP_DISABLED_TOOLS); restart the server without "
                + "\(name) in that list to allow it"
        }
        if let reason = withheld[name] {
            return prefix + reason
        }
        return nil
    }

    /// Names in `enabledTools` and `disabledTools` that are not among `known`, in the order given.
    public func unknownToolNames(known: [String]) -> [String] {
        let knownSet = Set(known)
        var seen = Set<String>()
        return (enabledTools + disabledTools).filter { !knownSet.contains($0) && seen.insert($0).inserted }
    }
}
