import Foundation

/// Turns API answers into tool results shaped for a model: lists as compact tables (or YAML/JSON), objects as
/// YAML without managedFields, Secrets redacted, every result capped with a note saying what was cut.
///
/// Stateless; any thread (runs in the tool's task, off the event loop).
enum KubeToolOutput {
    private static func formatter(_ settings: OutputSettings, format: ListFormat) -> ResultFormatter {
        ResultFormatter(format: format, maxBytes: settings.maxBytes,
                        redaction: KubeRedaction(showSecrets: settings.showSecrets), now: Date())
    }

    /// A list answer (server-side Table or plain List) for `resourceName` ("pods").
    static func list(_ document: JSONValue, resourceName: String, settings: OutputSettings) -> ToolResult {
        let format = ListFormat(rawValue: settings.listFormat) ?? .table
        return result(formatter(settings, format: format).render(document, resource: resourceName))
    }

    /// One object as YAML.
    static func object(_ document: JSONValue, settings: OutputSettings) -> ToolResult {
        result(formatter(settings, format: .yaml).render(document))
    }

    /// The body as the first content block (pure table, YAML or JSON), notes about cuts and redactions in a
    /// second one, so that a client can parse the first block as it is.
    private static func result(_ formatted: FormattedResult) -> ToolResult {
        var content: [ContentBlock] = [.text(formatted.body)]
        if !formatted.notes.isEmpty { content.append(.text(formatted.notes.joined(separator: "\n"))) }
        return ToolResult(content: content)
    }
}
