/// Hints a host uses for auto-approval and confirmation (MCP `ToolAnnotations`). Set them honestly on
/// every tool; they never replace the server-side checks.
public struct ToolAnnotations: Sendable, Equatable {
    public var title: String?
    public var readOnlyHint: Bool
    public var destructiveHint: Bool
    public var idempotentHint: Bool
    public var openWorldHint: Bool

    public init(title: String? = nil, readOnlyHint: Bool, destructiveHint: Bool, idempotentHint: Bool,
                openWorldHint: Bool = false) {
        self.title = title
        self.readOnlyHint = readOnlyHint
        self.destructiveHint = destructiveHint
        self.idempotentHint = idempotentHint
        self.openWorldHint = openWorldHint
    }

    /// A tool that only reads: not destructive, idempotent, closed world.
    public static func readOnly(title: String? = nil) -> ToolAnnotations {
        ToolAnnotations(title: title, readOnlyHint: true, destructiveHint: false, idempotentHint: true)
    }

    public var json: JSONValue {
        var o = JSONObject()
        if let title { o["title"] = .string(title) }
        o["readOnlyHint"] = .bool(readOnlyHint)
        o["destructiveHint"] = .bool(destructiveHint)
        o["idempotentHint"] = .bool(idempotentHint)
        o["openWorldHint"] = .bool(openWorldHint)
        return .object(o)
    }
}

/// A tool as `tools/list` shows it: name, description, JSON Schemas and annotations. Plain data.
public struct ToolDefinition: Sendable, Equatable {
    /// Programmatic id, `[A-Za-z0-9_.-]{1,128}`, e.g. `pods_list_in_namespace`.
    public var name: String
    /// Human display name.
    public var title: String
    public var description: String
    /// An object schema (`{"type":"object",...}`); never null.
    public var inputSchema: JSONValue
    /// When set, every successful result carries `structuredContent` conforming to it.
    public var outputSchema: JSONValue?
    public var annotations: ToolAnnotations

    public init(name: String, title: String, description: String, inputSchema: JSONValue,
                outputSchema: JSONValue? = nil, annotations: ToolAnnotations) {
        self.name = name
        self.title = title
        self.description = description
        self.inputSchema = inputSchema
        self.outputSchema = outputSchema
        self.annotations = annotations
    }

    /// The `Tool` object of `tools/list`.
    public var json: JSONValue {
        var o = JSONObject()
        o["name"] = .string(name)
        o["title"] = .string(title)
        o["description"] = .string(description)
        o["inputSchema"] = inputSchema
        if let outputSchema { o["outputSchema"] = outputSchema }
        o["annotations"] = annotations.json
        return .object(o)
    }
}

/// One block of a tool result's `content`.
public enum ContentBlock: Sendable, Equatable {
    case text(String)

    public var json: JSONValue {
        switch self {
        case .text(let t): return ["type": "text", "text": .string(t)]
        }
    }
}

/// The outcome of a tool call (`CallToolResult`). A failure the model can act on is a result with
/// `isError` set, not a thrown error.
public struct ToolResult: Sendable, Equatable {
    public var content: [ContentBlock]
    public var structuredContent: JSONValue?
    public var isError: Bool

    public init(content: [ContentBlock], structuredContent: JSONValue? = nil, isError: Bool = false) {
        self.content = content
        self.structuredContent = structuredContent
        self.isError = isError
    }

    /// A successful text result.
    public static func text(_ text: String, structured: JSONValue? = nil) -> ToolResult {
        ToolResult(content: [.text(text)], structuredContent: structured)
    }

    /// A failed call with a message a person (or model) can act on.
    public static func error(_ message: String) -> ToolResult {
        ToolResult(content: [.text(message)], isError: true)
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["content"] = .array(content.map(\.json))
        if let structuredContent { o["structuredContent"] = structuredContent }
        o["isError"] = .bool(isError)
        return .object(o)
    }
}

/// What a running tool may use besides its arguments: progress and log notifications towards the
/// client that called it. Safe from any thread; cancellation arrives as Swift task cancellation.
public struct ToolContext: Sendable {
    /// Sends `notifications/progress` when the caller asked for progress (no-op otherwise).
    public var reportProgress: @Sendable (_ progress: Double, _ total: Double?, _ message: String?) async -> Void
    /// Sends `notifications/message` when the session's log level lets it through.
    public var log: @Sendable (_ level: LogLevel, _ data: JSONValue) async -> Void

    public init(reportProgress: @escaping @Sendable (Double, Double?, String?) async -> Void = { _, _, _ in },
                log: @escaping @Sendable (LogLevel, JSONValue) async -> Void = { _, _ in }) {
        self.reportProgress = reportProgress
        self.log = log
    }
}

/// A tool: its definition plus the code that runs it. Implementations are immutable and `Sendable`; `call`
/// runs off the event loop.
public protocol Tool: Sendable {
    var definition: ToolDefinition { get }
    /// Runs the tool. Arguments were already checked against `definition.inputSchema` for types and
    /// required members. Throw only for bugs; report failures as `ToolResult.error`.
    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult
    /// Whether this call can delete or overwrite (what `--confirm-destructive` asks about). By default the
    /// annotations decide; a tool whose arguments choose between reading and writing (kubectl) answers per call.
    func isDestructive(arguments: JSONObject) -> Bool
}

extension Tool {
    public func isDestructive(arguments: JSONObject) -> Bool {
        definition.annotations.destructiveHint && !definition.annotations.readOnlyHint
    }
}
