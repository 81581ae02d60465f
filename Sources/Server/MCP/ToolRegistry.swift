/// The tools this server offers, in a stable order, with the `--read-only` restriction applied.
///
/// Immutable after construction; any thread. A tool hidden by a restriction is also refused when called by
/// name, so the restriction holds even for clients that never listed tools.
public struct ToolRegistry: Sendable {
    /// What a lookup by name found.
    public enum Lookup: Sendable {
        case found(any Tool)
        /// The tool exists but a restriction (read-only mode) disables it; the text says which.
        case disabled(String)
        case unknown
    }

    public let all: [any Tool]
    public let enabled: [any Tool]
    public let readOnly: Bool

    public init(tools: [any Tool], readOnly: Bool) {
        all = tools
        self.readOnly = readOnly
        enabled = readOnly ? tools.filter { $0.definition.annotations.readOnlyHint } : tools
    }

    public func lookup(_ name: String) -> Lookup {
        if let tool = enabled.first(where: { $0.definition.name == name }) { return .found(tool) }
        if all.contains(where: { $0.definition.name == name }) {
            return .disabled("tool \"\(name)\" is disabled: the server runs with --read-only")
        }
        return .unknown
    }
}
