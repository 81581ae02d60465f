/// A resource as `resources/list` shows it.
public struct ResourceDefinition: Sendable, Equatable {
    public var uri: String
    public var name: String
    public var title: String?
    public var description: String?
    public var mimeType: String?

    public init(uri: String, name: String, title: String? = nil, description: String? = nil, mimeType: String? = nil) {
        self.uri = uri
        self.name = name
        self.title = title
        self.description = description
        self.mimeType = mimeType
    }

    public var json: JSONValue {
        var o = JSONObject([("uri", .string(uri)), ("name", .string(name))])
        if let title { o["title"] = .string(title) }
        if let description { o["description"] = .string(description) }
        if let mimeType { o["mimeType"] = .string(mimeType) }
        return .object(o)
    }
}

/// A parameterised family of resources (RFC 6570 URI template).
public struct ResourceTemplateDefinition: Sendable, Equatable {
    public var uriTemplate: String
    public var name: String
    public var title: String?
    public var description: String?
    public var mimeType: String?

    public init(uriTemplate: String, name: String, title: String? = nil, description: String? = nil,
                mimeType: String? = nil) {
        self.uriTemplate = uriTemplate
        self.name = name
        self.title = title
        self.description = description
        self.mimeType = mimeType
    }

    public var json: JSONValue {
        var o = JSONObject([("uriTemplate", .string(uriTemplate)), ("name", .string(name))])
        if let title { o["title"] = .string(title) }
        if let description { o["description"] = .string(description) }
        if let mimeType { o["mimeType"] = .string(mimeType) }
        return .object(o)
    }
}

/// The text of one read resource.
public struct ResourceContents: Sendable, Equatable {
    public var uri: String
    public var mimeType: String
    public var text: String

    public init(uri: String, mimeType: String, text: String) {
        self.uri = uri
        self.mimeType = mimeType
        self.text = text
    }

    public var json: JSONValue { ["uri": .string(uri), "mimeType": .string(mimeType), "text": .string(text)] }
}

/// A source of resources. Implementations are immutable and `Sendable`; their methods run off the loop.
public protocol ResourceProvider: Sendable {
    /// Concrete resources this provider lists.
    func list() async -> [ResourceDefinition]
    /// Templates this provider serves.
    var templates: [ResourceTemplateDefinition] { get }
    /// Reads a URI; nil when the URI is not this provider's.
    func read(uri: String) async throws -> [ResourceContents]?
    /// Completion values for a template argument (empty when it has none).
    func complete(template: String, argument: String, prefix: String, context: [String: String]) async -> [String]
    /// Starts watching `uri` for `resources/subscribe`: the watch yields once per change and finishes when the
    /// resource can no longer be watched. Nil when the URI is not this provider's; throws (e.g. `-32002`,
    /// `-32602`) when it is but cannot be watched.
    func watch(uri: String) async throws(JSONRPCError) -> ResourceWatch?
}

extension ResourceProvider {
    /// Providers without subscriptions.
    public func watch(uri: String) async throws(JSONRPCError) -> ResourceWatch? { nil }
}

/// A running watch on one resource: its changes, and how to stop it.
///
/// Sendable value; any task. `stop` is idempotent and must be called when the subscription ends (iterating
/// `changes` to its end or cancelling the iterating task also stops it).
public struct ResourceWatch: Sendable {
    public let changes: AsyncStream<ResourceChange>
    public let stop: @Sendable () -> Void

    public init(changes: AsyncStream<ResourceChange>, stop: @escaping @Sendable () -> Void) {
        self.changes = changes
        self.stop = stop
    }
}

/// What a watched resource did.
public enum ResourceChange: Sendable, Equatable {
    /// Created or changed (or may have changed: the watch lost track and relisted).
    case updated
    case deleted
}

/// A prompt as `prompts/list` shows it.
public struct PromptDefinition: Sendable, Equatable {
    public struct Argument: Sendable, Equatable {
        public var name: String
        public var description: String
        public var required: Bool

        public init(name: String, description: String, required: Bool) {
            self.name = name
            self.description = description
            self.required = required
        }
    }

    public var name: String
    public var title: String
    public var description: String
    public var arguments: [Argument]

    public init(name: String, title: String, description: String, arguments: [Argument]) {
        self.name = name
        self.title = title
        self.description = description
        self.arguments = arguments
    }

    public var json: JSONValue {
        ["name": .string(name), "title": .string(title), "description": .string(description),
         "arguments": .array(arguments.map {
             ["name": .string($0.name), "description": .string($0.description), "required": .bool($0.required)]
         })]
    }
}

/// A prompt template. Implementations are immutable and `Sendable`.
public protocol Prompt: Sendable {
    var definition: PromptDefinition { get }
    /// The messages for the given (string) arguments; throw `JSONRPCError.invalidParams` for bad ones.
    func messages(arguments: [String: String]) async throws -> [JSONValue]
    /// Completion values for one argument; `context` holds the arguments the client already chose.
    func complete(argument: String, prefix: String, context: [String: String]) async -> [String]
}
