/// The notifications a `subscriptions/listen` request opts in to (the schema's `SubscriptionFilter`), as
/// requested or as acknowledged.
///
/// Plain value; any thread. Parsing checks the shape the 2026-07-28 schema gives `params.notifications` and
/// the per-stream limit on resource URIs; whether each URI can be watched is decided later, by its watch.
public struct ListenFilter: Sendable, Equatable {
    public var toolsListChanged = false
    public var promptsListChanged = false
    public var resourcesListChanged = false
    /// Resource URIs to watch, in request order, without duplicates.
    public var resourceSubscriptions: [String] = []

    /// Resource URIs one listen stream may ask for (each is one watch on the API server); the same cap as
    /// `SubscriptionBudget.perSessionLimit` for a session's `resources/subscribe`.
    public static let maxResourceSubscriptions = 100

    public init(toolsListChanged: Bool = false, promptsListChanged: Bool = false, resourcesListChanged: Bool = false,
                resourceSubscriptions: [String] = []) {
        self.toolsListChanged = toolsListChanged
        self.promptsListChanged = promptsListChanged
        self.resourcesListChanged = resourcesListChanged
        self.resourceSubscriptions = resourceSubscriptions
    }

    /// Reads `params.notifications` of a `subscriptions/listen` request; throws -32602 when it is missing or
    /// malformed, or names more than `maxResourceSubscriptions` distinct URIs.
    public init(params: JSONObject) throws(JSONRPCError) {
        guard let raw = params["notifications"] else {
            throw .invalidParams("subscriptions/listen needs \"notifications\": an object such as "
                                 + "{\"toolsListChanged\":true,\"resourceSubscriptions\":[\"k8s://…\"]}")
        }
        guard let notifications = raw.objectValue else {
            throw .invalidParams("\"notifications\" must be an object, not \(raw.typeName)")
        }
        toolsListChanged = try Self.flag(notifications, "toolsListChanged")
        promptsListChanged = try Self.flag(notifications, "promptsListChanged")
        resourcesListChanged = try Self.flag(notifications, "resourcesListChanged")
        switch notifications["resourceSubscriptions"] {
        case nil, .null?:
            break
        case .array(let items)?:
            var seen = Set<String>()
            for item in items {
                guard let uri = item.stringValue else {
                    throw .invalidParams("\"resourceSubscriptions\" must be an array of URI strings")
                }
                if seen.insert(uri).inserted { resourceSubscriptions.append(uri) }
            }
            guard resourceSubscriptions.count <= Self.maxResourceSubscriptions else {
                throw .invalidParams("\"resourceSubscriptions\" names \(resourceSubscriptions.count) resources; one "
                                     + "listen stream may watch at most \(Self.maxResourceSubscriptions)")
            }
        case let other?:
            throw .invalidParams("\"resourceSubscriptions\" must be an array of URI strings, not \(other.typeName)")
        }
    }

    private static func flag(_ o: JSONObject, _ key: String) throws(JSONRPCError) -> Bool {
        switch o[key] {
        case nil, .null?: return false
        case .bool(let b)?: return b
        case let other?: throw .invalidParams("\"\(key)\" must be a boolean, not \(other.typeName)")
        }
    }

    /// Whether the filter asks for `change`.
    public func wants(_ change: ListChange) -> Bool {
        switch change {
        case .tools: return toolsListChanged
        case .prompts: return promptsListChanged
        case .resources: return resourcesListChanged
        }
    }

    /// The wire form: only the kinds that are on, and the URI list only when it is not empty (as the schema's
    /// acknowledgement omits what is not honoured).
    public var json: JSONValue {
        var o = JSONObject()
        if toolsListChanged { o["toolsListChanged"] = true }
        if promptsListChanged { o["promptsListChanged"] = true }
        if resourcesListChanged { o["resourcesListChanged"] = true }
        if !resourceSubscriptions.isEmpty { o["resourceSubscriptions"] = .array(resourceSubscriptions.map { .string($0) }) }
        return .object(o)
    }
}

/// A list whose change a listen stream can be told of.
public enum ListChange: Sendable, Equatable, CaseIterable {
    case tools
    case prompts
    case resources

    /// The notification method that announces it.
    public var method: String {
        switch self {
        case .tools: return "notifications/tools/list_changed"
        case .prompts: return "notifications/prompts/list_changed"
        case .resources: return "notifications/resources/list_changed"
        }
    }
}
