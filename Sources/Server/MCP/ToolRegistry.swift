/// The tools this server offers, in a stable order, with the tool restrictions applied (`--read-only`,
/// `--disable-destructive`, `--enabled-tools`, `--disabled-tools`; see `ToolRestrictions`).
///
/// Immutable after construction; any thread. A tool hidden by a restriction is also refused when called by
/// name, so the restriction holds even for clients that never listed tools.
public struct ToolRegistry: Sendable {
    /// What a lookup by name found.
    public enum Lookup: Sendable {
        case found(any Tool)
        /// The tool exists but a restriction disables it; the text says which rule and how to change it.
        case disabled(String)
        case unknown
    }

    public let all: [any Tool]
    public let enabled: [any Tool]
    public let restrictions: ToolRestrictions
    public var readOnly: Bool { restrictions.readOnly }

    public init(tools: [any Tool], restrictions: ToolRestrictions) {
        all = tools
        self.restrictions = restrictions
        enabled = tools.filter { restrictions.refusal(for: $0.definition) == nil }
    }

    public init(tools: [any Tool], readOnly: Bool) {
        self.init(tools: tools, restrictions: ToolRestrictions(readOnly: readOnly))
    }

    public func lookup(_ name: String) -> Lookup {
        if let tool = enabled.first(where: { $0.definition.name == name }) { return .found(tool) }
        if let tool = all.first(where: { $0.definition.name == name }) {
            return .disabled(restrictions.refusal(for: tool.definition) ?? "tool \"\(name)\" is disabled")
        }
        return .unknown
    }
}
