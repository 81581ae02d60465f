import Logging

/// The MCP protocol engine: answers every JSON-RPC message of every transport from the registries.
///
/// Loop thread only. Cheap methods (`initialize`, `ping`, the lists) are answered synchronously from
/// pre-encoded bytes; tool calls, resource reads and prompts run as tasks off the loop and their encoded
/// results come back to the loop through the executor. Knows nothing of HTTP, libuv or Kubernetes.
@LoopActor
public final class MCPServer {
    public private(set) var tools: ToolRegistry
    public private(set) var resourceProviders: [any ResourceProvider]
    public private(set) var prompts: [any Prompt]
    /// The server-wide cap on `resources/subscribe` watches.
    public let subscriptionBudget = SubscriptionBudget()
    /// Items per page of every list.
    public let pageSize: Int
    let logger: Logger
    /// Checks tool arguments against the tool's input schema; returns a message when they do not fit.
    let validateArguments: @Sendable (JSONObject, JSONValue) -> String?
    private var toolPages: [PageKey: [UInt8]] = [:]
    /// Where tool calls, reads and prompts run (nil: Swift's global executor).
    let workExecutor: (any TaskExecutor)?
    /// Every live session with a stream, for list-change broadcasts (registered by the transports).
    public var broadcastTargets: [ObjectIdentifier: MCPSession] = [:]
    /// Rate limit and confirmation of destructive tools, checked before every tool runs.
    let gate: ToolCallGate
    /// The open `subscriptions/listen` streams (2026-07-28), which get list changes too.
    public let listens = ListenRegistry()

    private struct PageKey: Hashable {
        let offset: Int
        let modern: Bool
    }

    public init(tools: ToolRegistry, resourceProviders: [any ResourceProvider] = [], prompts: [any Prompt] = [],
                pageSize: Int = 100, logger: Logger, workExecutor: (any TaskExecutor)? = nil,
                toolCallGate: ToolCallGate? = nil,
                validateArguments: @escaping @Sendable (JSONObject, JSONValue) -> String? = { _, _ in nil }) {
        self.workExecutor = workExecutor
        gate = toolCallGate ?? ToolCallGate(policy: ToolCallPolicy(), logger: logger)
        self.tools = tools
        self.resourceProviders = resourceProviders
        self.prompts = prompts
        self.pageSize = max(1, pageSize)
        self.logger = logger
        self.validateArguments = validateArguments
    }

    /// Replaces the tool set and tells every session with a stream (`notifications/tools/list_changed`).
    public func replaceTools(_ registry: ToolRegistry) {
        tools = registry
        toolPages.removeAll()
        let note = JSONRPCEncoder.notification(method: "notifications/tools/list_changed", params: nil)
        for session in broadcastTargets.values { session.sendUnsolicited(note) }
        listens.broadcast(.tools)
    }

    /// Replaces the resource providers and prompts (kubeconfig reload); running subscriptions keep their
    /// watches. The resource list (contexts, namespaces) is announced as changed; the prompts' names and
    /// arguments never depend on the kubeconfig, so their list is not.
    public func replaceResourcesAndPrompts(_ providers: [any ResourceProvider], _ prompts: [any Prompt]) {
        resourceProviders = providers
        self.prompts = prompts
        let note = JSONRPCEncoder.notification(method: "notifications/resources/list_changed", params: nil)
        for session in broadcastTargets.values { session.sendUnsolicited(note) }
        listens.broadcast(.resources)
    }

    // MARK: Entry point

    /// Handles one message. Requests are answered through `reply` (maybe later); notifications and responses
    /// are consumed silently.
    public func handle(_ message: JSONRPCMessage, session: MCPSession?, context: MCPRequestContext, reply: MCPReply) {
        switch message {
        case .response(let id, let outcome):
            // The client's answer to a request the server sent (elicitation/create) in this session.
            guard let session, let id else { return }
            switch outcome {
            case .success(let result): session.settleClientRequest(id, with: .result(result))
            case .failure(let error): session.settleClientRequest(id, with: .error(error))
            }
        case .notification(let method, let params):
            handleNotification(method: method, params: params, session: session)
        case .request(let id, let method, let params):
            handleRequest(id: id, method: method, params: params, session: session, context: context, reply: reply)
        }
    }

    private func handleNotification(method: String, params: JSONObject, session: MCPSession?) {
        switch method {
        case "notifications/initialized":
            session?.state.initialized()
        case "notifications/cancelled":
            guard let session, let raw = params["requestId"], let id = JSONRPCID(raw),
                let task = session.inFlight.removeValue(forKey: id)
            else { return }
            task.cancel()
            logger.debug("mcp.request.cancelled", metadata: ["mcp.transport": "\(session.transport.rawValue)"])
        default:
            break
        }
    }

    private func handleRequest(id: JSONRPCID, method: String, params: JSONObject, session: MCPSession?,
                               context: MCPRequestContext, reply: MCPReply) {
        var version = context.version
        if context.isModern {
            if let error = Self.checkModernMeta(params) {
                reply.sendError(id: id, error)
                return
            }
        } else if let session {
            let decision = method == "initialize"
                ? session.state.initialize(requested: params["protocolVersion"]?.stringValue)
                : session.state.message(method: method)
            switch decision {
            case .reject(let error):
                reply.sendError(id: id, error)
                return
            case .serve(let negotiated):
                version = negotiated
            }
        } else if method == "initialize" {
            version = ProtocolVersion.negotiate(requested: params["protocolVersion"]?.stringValue)
        }
        let modern = version.isModern

        switch method {
        case "initialize" where !modern:
            session?.elicitation = ElicitationSupport(capability: params["capabilities"]?["elicitation"])
            reply.sendResponse(JSONRPCEncoder.result(id: id, initializeResult(version: version,
                                                                              subscribe: session != nil)))
        case "ping" where !modern:
            reply.sendResponse(JSONRPCEncoder.result(id: id, encodedResult: Array("{}".utf8)))
        case "server/discover" where modern:
            reply.sendResponse(JSONRPCEncoder.result(id: id, discoverResult()))
        case "tools/list":
            do {
                let offset = try Pagination.offset(cursor: params["cursor"])
                reply.sendResponse(parts: JSONRPCEncoder.resultParts(
                    id: id, encodedResult: try toolsPage(offset: offset, modern: modern)))
            } catch {
                reply.sendError(id: id, error)
            }
        case "tools/call":
            callTool(id: id, params: params, session: session, version: version, principal: context.principal,
                     reply: reply)
        case "resources/list", "resources/templates/list", "resources/read":
            handleResources(id: id, method: method, params: params, session: session, version: version, reply: reply)
        case "subscriptions/listen" where modern:
            handleListen(id: id, params: params, reply: reply)
        case "resources/subscribe", "resources/unsubscribe":
            handleSubscription(id: id, method: method, params: params, session: session, version: version, reply: reply)
        case "prompts/list", "prompts/get":
            handlePrompts(id: id, method: method, params: params, session: session, version: version, reply: reply)
        case "completion/complete":
            complete(id: id, params: params, modern: modern, reply: reply)
        case "logging/setLevel" where !modern:
            guard let name = params["level"]?.stringValue, let level = LogLevel(name: name) else {
                reply.sendError(id: id, .invalidParams(
                    "\"level\" must be one of \(LogLevel.allCases.map(\.name).joined(separator: ", "))"))
                return
            }
            session?.logLevel = level
            reply.sendResponse(JSONRPCEncoder.result(id: id, encodedResult: Array("{}".utf8)))
        default:
            reply.sendError(id: id, .methodNotFound(method))
        }
    }

    /// The required `_meta` of a 2026-07-28 request.
    nonisolated static func checkModernMeta(_ params: JSONObject) -> JSONRPCError? {
        guard let meta = params["_meta"]?.objectValue else {
            return .invalidParams("missing _meta with io.modelcontextprotocol/protocolVersion and clientCapabilities")
        }
        guard let version = meta["io.modelcontextprotocol/protocolVersion"]?.stringValue else {
            return .invalidParams("missing _meta[\"io.modelcontextprotocol/protocolVersion\"]")
        }
        guard version == ProtocolVersion.v2026_07_28.rawValue else { return .unsupportedVersion(version) }
        guard meta["io.modelcontextprotocol/clientCapabilities"]?.objectValue != nil else {
            return .invalidParams("missing _meta[\"io.modelcontextprotocol/clientCapabilities\"]")
        }
        return nil
    }

    // MARK: Lifecycle results

    /// `subscribe`: whether `resources/subscribe` can work (a session with a stream; not stateless). 2026-07-28
    /// always subscribes, through `subscriptions/listen`.
    private func capabilities(version: ProtocolVersion, subscribe: Bool) -> JSONValue {
        var caps = JSONObject()
        caps["tools"] = ["listChanged": true]
        caps["resources"] = ["subscribe": .bool(version.isModern || subscribe), "listChanged": true]
        caps["prompts"] = ["listChanged": true]
        if !version.isModern { caps["logging"] = .object(JSONObject()) }
        if version >= .v2025_03_26 { caps["completions"] = .object(JSONObject()) }
        return .object(caps)
    }

    func initializeResult(version: ProtocolVersion, subscribe: Bool = false) -> JSONValue {
        var serverInfo = JSONObject([("name", .string(ServerInfo.name)), ("version", .string(ServerInfo.version))])
        if version >= .v2025_06_18 { serverInfo["title"] = .string(ServerInfo.title) }
        return .object(JSONObject([
            ("protocolVersion", .string(version.rawValue)),
            ("capabilities", capabilities(version: version, subscribe: subscribe)),
            ("serverInfo", .object(serverInfo)),
            ("instructions", .string(ServerInfo.instructions)),
        ]))
    }

    func discoverResult() -> JSONValue {
        .object(JSONObject([
            ("resultType", "complete"),
            ("supportedVersions", .array(ProtocolVersion.allCases.reversed().map { .string($0.rawValue) })),
            ("capabilities", capabilities(version: .v2026_07_28, subscribe: true)),
            ("instructions", .string(ServerInfo.instructions)),
            ("ttlMs", .int(Self.listTTLMilliseconds)),
            ("cacheScope", "public"),
            ("_meta", ["io.modelcontextprotocol/serverInfo": ServerInfo.json]),
        ]))
    }

    /// How long a 2026-07-28 client may cache lists (they change only on reload).
    nonisolated static let listTTLMilliseconds = 60_000

    /// Adds the 2026-07-28 envelope fields to a result object.
    nonisolated static func modernResult(_ result: JSONObject, cacheable: Bool) -> JSONValue {
        var o = result
        o["resultType"] = "complete"
        if cacheable {
            o["ttlMs"] = .int(listTTLMilliseconds)
            o["cacheScope"] = "public"
        }
        return .object(o)
    }

    /// How long a 2026-07-28 client may cache `resources/list`, whose namespaces are read live.
    nonisolated static let liveListTTLMilliseconds = 10_000

    /// The 2026-07-28 envelope for results read live from the cluster with the server's credentials: cached
    /// privately for `ttlMs` (0 for `resources/read`: an object may change at any moment).
    nonisolated static func modernLiveResult(_ result: JSONObject, ttlMs: Int) -> JSONValue {
        var o = result
        o["resultType"] = "complete"
        o["ttlMs"] = .int(ttlMs)
        o["cacheScope"] = "private"
        return .object(o)
    }

    // MARK: Lists

    /// Splits a list into the requested page and the cursor of the next one.
    nonisolated static func page<T>(_ items: [T], offset: Int, size: Int) throws(JSONRPCError) -> (ArraySlice<T>, String?) {
        guard offset <= items.count else { throw .invalidParams("invalid cursor") }
        let end = min(items.count, offset + size)
        return (items[offset..<end], end < items.count ? Pagination.cursor(offset: end) : nil)
    }

    /// The encoded `tools/list` result for one page, built once and reused.
    func toolsPage(offset: Int, modern: Bool) throws(JSONRPCError) -> [UInt8] {
        let key = PageKey(offset: offset, modern: modern)
        if let cached = toolPages[key] { return cached }
        let (slice, next) = try Self.page(tools.enabled, offset: offset, size: pageSize)
        var o = JSONObject([("tools", .array(slice.map { $0.definition.json }))])
        if let next { o["nextCursor"] = .string(next) }
        let bytes = JSONWriter.encode(modern ? Self.modernResult(o, cacheable: true) : .object(o))
        toolPages[key] = bytes
        return bytes
    }

    /// Every enabled tool's definition (REST `POST /mcp/tools/list`).
    public func allToolsJSON() -> JSONValue {
        ["tools": .array(tools.enabled.map { $0.definition.json })]
    }

    // MARK: Tools

    private func callTool(id: JSONRPCID, params: JSONObject, session: MCPSession?, version: ProtocolVersion,
                          principal: String, reply: MCPReply) {
        guard let name = params["name"]?.stringValue else {
            reply.sendError(id: id, .invalidParams("tools/call needs a string \"name\""))
            return
        }
        let arguments: JSONObject
        switch params["arguments"] {
        case nil, .null?: arguments = JSONObject()
        case .object(let o)?: arguments = o
        default:
            reply.sendError(id: id, .invalidParams("\"arguments\" must be an object"))
            return
        }
        let tool: any Tool
        switch tools.lookup(name) {
        case .found(let t): tool = t
        case .unknown:
            reply.sendError(id: id, .invalidParams("Unknown tool: \(name)"))
            return
        case .disabled(let why):
            // A guard rail's refusal is a tool error (the model can read and relay it), not a protocol error.
            guard case .object(let o) = ToolResult.error(why).json else { return }
            reply.sendResponse(JSONRPCEncoder.result(
                id: id, version.isModern ? Self.modernResult(o, cacheable: false) : .object(o)))
            return
        }
        let validate = validateArguments
        let admission = gate.admit(tool.definition, destructive: tool.isDestructive(arguments: arguments),
                                   arguments: arguments, params: params, session: session,
                                   version: version, principal: principal, reply: reply,
                                   argumentsValid: validate(arguments, tool.definition.inputSchema) == nil)
        var confirm: (@LoopActor () async -> [UInt8]?)?
        switch admission {
        case .run:
            break
        case .refuse(let result):
            reply.sendResponse(Self.encode(result, id: id, modern: version.isModern))
            return
        case .inputRequired(let result):
            reply.sendResponse(JSONRPCEncoder.result(id: id, result))
            return
        case .ask(let asked, let prompt):
            let name = tool.definition.name
            let logger = self.logger
            confirm = { [weak asked] in
                guard let asked else {
                    return Self.encode(.error("not confirmed: the session ended"), id: id, modern: false)
                }
                let answer = await asked.askClient(method: "elicitation/create", params: prompt, via: reply,
                                                   timeoutMilliseconds: ConfirmationPrompt.answerTimeoutMilliseconds)
                switch ConfirmationPrompt.verdict(answer: answer, tool: name) {
                case .confirmed:
                    logger.info("mcp.tool.confirmed", metadata: ["mcp.tool": "\(name)"])
                    return nil
                case .refused(let text):
                    logger.info("mcp.tool.not_confirmed", metadata: ["mcp.tool": "\(name)"])
                    return Self.encode(.error(text), id: id, modern: false)
                }
            }
        }
        let progressToken = params["_meta"]?["progressToken"]
        let modernLogLevel = version.isModern
            ? params["_meta"]?["io.modelcontextprotocol/logLevel"]?.stringValue.flatMap(LogLevel.init(name:))
            : nil
        let context = makeToolContext(progressToken: progressToken, session: session, modernLogLevel: modernLogLevel,
                                      reply: reply)
        let modern = version.isModern
        let logger = self.logger
        let task = Self.spawn(on: workExecutor, id: id, session: session, reply: reply, before: confirm) {
            (await Self.runTool(tool, id: id, arguments: arguments, context: context, modern: modern,
                                validate: validate, logger: logger), nil)
        }
        session?.inFlight[id] = task
        reply.track(task)
    }

    /// Runs a tool off the loop and encodes its result there too.
    nonisolated static func runTool(_ tool: any Tool, id: JSONRPCID, arguments: JSONObject, context: ToolContext,
                                    modern: Bool, validate: @Sendable (JSONObject, JSONValue) -> String?,
                                    logger: Logger) async -> [UInt8] {
        let name = tool.definition.name
        let result: ToolResult
        if let problem = validate(arguments, tool.definition.inputSchema) {
            result = .error("Invalid arguments for \(name): \(problem)")
        } else {
            do {
                result = try await tool.call(arguments: arguments, context: context)
            } catch is CancellationError {
                result = .error("The call to \(name) was cancelled.")
            } catch {
                logger.error("mcp.tool.failed", metadata: ["mcp.tool": "\(name)"])
                result = .error("Internal error in \(name): \(error)")
            }
        }
        // Calls that may change the cluster are an audit trail at info; reads stay at debug. Arguments are not
        // logged (a manifest may hold Secret data).
        let level: Logger.Level = tool.definition.annotations.readOnlyHint ? .debug : .info
        logger.log(level: level, "mcp.tool.called",
                   metadata: ["mcp.tool": "\(name)", "mcp.is_error": "\(result.isError)"])
        return encode(result, id: id, modern: modern)
    }

    /// A tool result as a JSON-RPC response (with the 2026-07-28 envelope when `modern`).
    nonisolated static func encode(_ result: ToolResult, id: JSONRPCID, modern: Bool) -> [UInt8] {
        guard case .object(let o) = result.json else { return [] }
        return JSONRPCEncoder.result(id: id, modern ? modernResult(o, cacheable: false) : .object(o))
    }

    /// Progress and log callbacks that route notifications to the caller's reply channel.
    private func makeToolContext(progressToken: JSONValue?, session: MCPSession?, modernLogLevel: LogLevel?,
                                 reply: MCPReply) -> ToolContext {
        let token = progressToken.flatMap { JSONRPCID($0) != nil ? $0 : nil }
        return ToolContext(
            reportProgress: { progress, total, message in
                guard let token else { return }
                var p = JSONObject([("progressToken", token), ("progress", .double(progress))])
                if let total { p["total"] = .double(total) }
                if let message { p["message"] = .string(message) }
                let bytes = JSONRPCEncoder.notification(method: "notifications/progress", params: .object(p))
                await Self.deliver(bytes, to: reply)
            },
            log: { level, data in
                let threshold: LogLevel? = if let modernLogLevel { modernLogLevel } else { await session?.logLevel }
                guard let threshold, level >= threshold else { return }
                let bytes = JSONRPCEncoder.notification(
                    method: "notifications/message",
                    params: ["level": .string(level.name), "logger": "kube-mcp", "data": data])
                await Self.deliver(bytes, to: reply)
            })
    }

    private static func deliver(_ bytes: [UInt8], to reply: MCPReply) {
        if reply.isOpen { reply.sendNotification(bytes) }
    }

    // MARK: Resources

    private func handleResources(id: JSONRPCID, method: String, params: JSONObject, session: MCPSession?,
                                 version: ProtocolVersion, reply: MCPReply) {
        let providers = resourceProviders
        let modern = version.isModern
        let pageSize = self.pageSize
        guard let offset = Self.listOffset(params, id: id, reply: reply) else { return }
        if method == "resources/read", params["uri"]?.stringValue == nil {
            reply.sendError(id: id, .invalidParams("resources/read needs a string \"uri\""))
            return
        }
        let uri = params["uri"]?.stringValue ?? ""
        run(id: id, session: session, reply: reply) { () async throws(JSONRPCError) -> JSONValue in
            switch method {
            case "resources/list":
                var all: [ResourceDefinition] = []
                for p in providers { all += await p.list() }
                let (slice, next) = try Self.page(all, offset: offset, size: pageSize)
                var o = JSONObject([("resources", .array(slice.map(\.json)))])
                if let next { o["nextCursor"] = .string(next) }
                return modern ? Self.modernLiveResult(o, ttlMs: Self.liveListTTLMilliseconds) : .object(o)
            case "resources/templates/list":
                let all = providers.flatMap(\.templates)
                let (slice, next) = try Self.page(all, offset: offset, size: pageSize)
                var o = JSONObject([("resourceTemplates", .array(slice.map(\.json)))])
                if let next { o["nextCursor"] = .string(next) }
                return modern ? Self.modernResult(o, cacheable: true) : .object(o)
            default:
                for p in providers {
                    let contents: [ResourceContents]?
                    do { contents = try await p.read(uri: uri) } catch let e as JSONRPCError {
                        // 2026-07-28 has no -32002: resource-not-found is invalid params there.
                        if modern && e.code == JSONRPCError.resourceNotFoundCode {
                            throw JSONRPCError(code: JSONRPCError.invalidParamsCode, message: e.message, data: e.data)
                        }
                        throw e
                    } catch {
                        throw .internalError("reading \(uri): \(error)")
                    }
                    if let contents {
                        let o = JSONObject([("contents", .array(contents.map(\.json)))])
                        return modern ? Self.modernLiveResult(o, ttlMs: 0) : .object(o)
                    }
                }
                if modern { throw .invalidParams("Unknown resource: \(uri)") }
                throw JSONRPCError(code: JSONRPCError.resourceNotFoundCode, message: "Resource not found",
                                   data: ["uri": .string(uri)])
            }
        }
    }

    // MARK: Prompts

    private func handlePrompts(id: JSONRPCID, method: String, params: JSONObject, session: MCPSession?,
                               version: ProtocolVersion, reply: MCPReply) {
        let prompts = self.prompts
        let modern = version.isModern
        let pageSize = self.pageSize
        guard let offset = Self.listOffset(params, id: id, reply: reply) else { return }
        let name = params["name"]?.stringValue
        var arguments: [String: String] = [:]
        for (k, v) in params["arguments"]?.objectValue ?? JSONObject() {
            arguments[k] = v.stringValue ?? JSONWriter.string(v)
        }
        let args = arguments
        run(id: id, session: session, reply: reply) { () async throws(JSONRPCError) -> JSONValue in
            if method == "prompts/list" {
                let (slice, next) = try Self.page(prompts, offset: offset, size: pageSize)
                var o = JSONObject([("prompts", .array(slice.map { $0.definition.json }))])
                if let next { o["nextCursor"] = .string(next) }
                return modern ? Self.modernResult(o, cacheable: true) : .object(o)
            }
            guard let name else { throw .invalidParams("prompts/get needs a string \"name\"") }
            guard let prompt = prompts.first(where: { $0.definition.name == name }) else {
                throw .invalidParams("Unknown prompt: \(name)")
            }
            for argument in prompt.definition.arguments where argument.required && args[argument.name] == nil {
                throw .invalidParams("prompt \(name) needs the argument \"\(argument.name)\"")
            }
            let messages: [JSONValue]
            do { messages = try await prompt.messages(arguments: args) } catch let e as JSONRPCError { throw e } catch {
                throw .internalError("prompt \(name): \(error)")
            }
            let o = JSONObject([("description", .string(prompt.definition.description)), ("messages", .array(messages))])
            return modern ? Self.modernResult(o, cacheable: false) : .object(o)
        }
    }

    // MARK: Completion

    private func complete(id: JSONRPCID, params: JSONObject, modern: Bool, reply: MCPReply) {
        guard let ref = params["ref"]?.objectValue, let type = ref["type"]?.stringValue,
            let argument = params["argument"]?.objectValue, let argName = argument["name"]?.stringValue
        else {
            reply.sendError(id: id, .invalidParams("completion/complete needs ref and argument"))
            return
        }
        let prefix = argument["value"]?.stringValue ?? ""
        var contextArgs: [String: String] = [:]
        for (k, v) in params["context"]?["arguments"]?.objectValue ?? JSONObject() { contextArgs[k] = v.stringValue }
        let ctx = contextArgs
        let providers = resourceProviders
        let prompts = self.prompts
        run(id: id, session: nil, reply: reply) { () async throws(JSONRPCError) -> JSONValue in
            var values: [String] = []
            switch type {
            case "ref/prompt":
                guard let name = ref["name"]?.stringValue, let prompt = prompts.first(where: { $0.definition.name == name })
                else { throw .invalidParams("Unknown prompt in completion ref") }
                values = await prompt.complete(argument: argName, prefix: prefix, context: ctx)
            case "ref/resource":
                guard let uri = ref["uri"]?.stringValue else { throw .invalidParams("ref/resource needs a uri") }
                for p in providers where p.templates.contains(where: { $0.uriTemplate == uri }) {
                    values += await p.complete(template: uri, argument: argName, prefix: prefix, context: ctx)
                }
            default:
                throw .invalidParams("unknown completion ref type \(type)")
            }
            let total = values.count
            let shown = Array(values.prefix(100))
            let o = JSONObject([("completion", ["values": .array(shown.map { .string($0) }), "total": .int(total),
                                                "hasMore": .bool(total > shown.count)])])
            return modern ? Self.modernResult(o, cacheable: false) : .object(o)
        }
    }

    /// The list offset a request's cursor stands for; answers -32602 and returns nil for a bad cursor.
    private static func listOffset(_ params: JSONObject, id: JSONRPCID, reply: MCPReply) -> Int? {
        do {
            return try Pagination.offset(cursor: params["cursor"])
        } catch {
            reply.sendError(id: id, error)
            return nil
        }
    }

    // MARK: Async plumbing

    /// Runs `work` off the loop, then answers on the loop (result or JSON-RPC error).
    private func run(id: JSONRPCID, session: MCPSession?, reply: MCPReply,
                     _ work: @escaping @Sendable () async throws(JSONRPCError) -> JSONValue) {
        let task = Self.spawn(on: workExecutor, id: id, session: session, reply: reply) {
            await Self.encodeOffLoop(id: id, work)
        }
        session?.inFlight[id] = task
        reply.track(task)
    }

    /// Starts `work` as a loop task that runs `work` on `executor` (the worker pool) and answers on the loop
    /// unless it was cancelled meanwhile. `before` runs first, on the loop (the confirmation of a destructive
    /// call); when it returns a response, that is the answer and `work` does not run.
    private static func spawn(on executor: (any TaskExecutor)?, id: JSONRPCID, session: MCPSession?,
                              reply: MCPReply, before: (@LoopActor () async -> [UInt8]?)? = nil,
                              _ work: @escaping @Sendable () async -> ([UInt8], Int?)) -> Task<Void, Never> {
        Task { @LoopActor [weak session] in
            if let before, let refusal = await before() {
                if Task.isCancelled { return }
                session?.inFlight[id] = nil
                reply.sendResponse(refusal, errorCode: nil)
                return
            }
            let (bytes, code) = await withTaskExecutorPreference(executor) { await work() }
            if Task.isCancelled { return }
            session?.inFlight[id] = nil
            reply.sendResponse(bytes, errorCode: code)
        }
    }

    nonisolated static func encodeOffLoop(id: JSONRPCID,
                                          _ work: @Sendable () async throws(JSONRPCError) -> JSONValue) async
        -> ([UInt8], Int?)
    {
        do {
            return (JSONRPCEncoder.result(id: id, try await work()), nil)
        } catch {
            return (JSONRPCEncoder.error(id: id, error), error.code)
        }
    }
}
