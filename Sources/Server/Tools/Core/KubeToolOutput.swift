import Foundation

/// Turns API answers into tool results shaped for a model: lists as compact tables (or YAML/JSON), objects as
/// YAML without managedFields, Secrets redacted, every result capped with a note saying what was cut; and the
/// same answer as `structuredContent` (see `StructuredOutput`), redacted and bounded like the text.
///
/// Stateless; any thread (runs in the tool's task, off the event loop).
enum KubeToolOutput {
    private static func formatter(_ settings: OutputSettings, format: ListFormat, now: Date) -> ResultFormatter {
        ResultFormatter(format: format, maxBytes: settings.maxBytes,
                        redaction: KubeRedaction(showSecrets: settings.showSecrets), now: now)
    }

    /// A list answer (server-side Table or plain List) of `resource`, listed in `namespace` (nil: all).
    static func list(_ document: JSONValue, resource: APIResourceInfo, namespace: String?,
                     settings: OutputSettings) -> ToolResult {
        let now = Date()
        let format = ListFormat(rawValue: settings.listFormat) ?? .table
        let structured = StructuredOutput(maxBytes: settings.maxBytes, now: now)
        let formatted = formatter(settings, format: format, now: now).render(document, resource: resource.plural)
        return result(formatted, structured: structured.list(document, resource: resource, namespace: namespace,
                                                             shown: formatted.count))
    }

    /// One object as YAML.
    static func object(_ document: JSONValue, settings: OutputSettings) -> ToolResult {
        let now = Date()
        let redacted = KubeRedaction(showSecrets: settings.showSecrets).redacted(document).value
        let structured = StructuredOutput(maxBytes: settings.maxBytes, now: now).object(redacted)
        return result(formatter(settings, format: .yaml, now: now).render(redacted), structured: structured)
    }

    /// The body as the first content block (pure table, YAML or JSON), notes about cuts and redactions in a
    /// second one, so that a client can parse the first block as it is.
    private static func result(_ formatted: FormattedResult, structured: JSONValue) -> ToolResult {
        var content: [ContentBlock] = [.text(formatted.body)]
        if !formatted.notes.isEmpty { content.append(.text(formatted.notes.joined(separator: "\n"))) }
        return ToolResult(content: content, structuredContent: structured)
    }
}
