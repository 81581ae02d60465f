import Logging

/// Decides, before a tool runs, whether a `tools/call` may go ahead under the `ToolCallPolicy`: the rate
/// limit first (a per-session token bucket; sessionless requests — `--stateless` and 2026-07-28 — share one
/// server-wide bucket), then confirmation of destructive tools (elicitation on handshake revisions, an
/// `input_required` round trip on 2026-07-28, the configured fallback when the client cannot be asked).
///
/// Loop thread only; owned by `MCPServer`. Holds the per-process `requestState` key and the spent states.
@LoopActor
public final class ToolCallGate {
    /// What to do with the call.
    public enum Admission {
        /// Run the tool now.
        case run
        /// Answer with this tool result (a refusal, `isError` set) without running the tool.
        case refuse(ToolResult)
        /// Answer with this 2026-07-28 `input_required` result.
        case inputRequired(JSONValue)
        /// Ask the client with `elicitation/create` (these params) on the session, then run or refuse.
        case ask(MCPSession, JSONValue)
    }

    public let policy: ToolCallPolicy
    private let codec: RequestStateCodec
    private let now: @LoopActor () -> UInt64
    private let randomBytes: @LoopActor (Int) -> [UInt8]
    private let logger: Logger
    private var sessionlessBucket: TokenBucket?
    private var spent = SpentRequestStates()

    /// `now` is the loop clock in milliseconds; `key` signs 2026-07-28 confirmation states.
    public init(policy: ToolCallPolicy, logger: Logger, key: [UInt8] = SystemResources.randomBytes(32),
                now: @escaping @LoopActor () -> UInt64 = { EventLoop.shared.nowMilliseconds },
                randomBytes: @escaping @LoopActor (Int) -> [UInt8] = SystemResources.randomBytes) {
        self.policy = policy
        self.logger = logger
        codec = RequestStateCodec(key: key)
        self.now = now
        self.randomBytes = randomBytes
        if let limit = policy.rateLimit {
            sessionlessBucket = TokenBucket(ratePerSecond: limit.perSecond, burst: limit.burst)
        }
    }

    /// The admission of one call. `argumentsValid` is false when the arguments break the tool's schema: such
    /// a call is not confirmed first (it fails on its own without touching anything).
    public func admit(_ tool: ToolDefinition, destructive: Bool, arguments: JSONObject, params: JSONObject,
                      session: MCPSession?, version: ProtocolVersion, principal: String = "", reply: MCPReply,
                      argumentsValid: Bool) -> Admission {
        if let refusal = takeToken(session: session, version: version) { return .refuse(.error(refusal)) }
        guard argumentsValid, policy.needsConfirmation(destructive: destructive) else { return .run }
        if version.isModern {
            return admitModern(tool.name, arguments: arguments, params: params, principal: principal)
        }
        guard let session else {
            return fallback(tool.name, reason: "this request has no MCP session to ask the user through "
                + "(stateless mode, or the REST endpoint)")
        }
        guard session.elicitation == .form else {
            return fallback(tool.name, reason: "this client did not declare the MCP elicitation capability (form mode)")
        }
        guard reply.canSendRequests else {
            return fallback(tool.name, reason: "this request's response channel cannot carry a question to the "
                + "client (its Accept header lacks text/event-stream)")
        }
        return .ask(session, ConfirmationPrompt.elicitationParams(
            tool: tool.name, arguments: arguments, includeMode: version >= .v2025_11_25))
    }

    // MARK: Rate limit

    /// Nil when a token was taken, else the refusal text.
    private func takeToken(session: MCPSession?, version: ProtocolVersion) -> String? {
        guard let limit = policy.rateLimit else { return nil }
        let decision: TokenBucket.Decision
        let scope: String
        if let session, !version.isModern {
            var bucket = session.toolCallBucket ?? TokenBucket(ratePerSecond: limit.perSecond, burst: limit.burst)
            decision = bucket.take(nowMilliseconds: now())
            session.toolCallBucket = bucket
            scope = "per session"
        } else {
            decision = sessionlessBucket!.take(nowMilliseconds: now())
            scope = "per session (sessionless requests share one server-wide budget)"
        }
        guard case .refused(let wait) = decision else { return nil }
        logger.info("mcp.tool.rate_limited")
        return "rate limit: at most \(Self.number(limit.perSecond)) tool calls per second \(scope), bursts of up "
            + "to \(limit.burst) (--tool-rate-limit, --tool-rate-burst); retry in \(Self.seconds(wait)) s."
    }

    /// 1 → "1", 0.5 → "0.5".
    nonisolated static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// Seconds rounded up to a tenth: 0.61 → "0.7".
    nonisolated static func seconds(_ value: Double) -> String {
        let tenths = Int((max(0, value) * 10).rounded(.up))
        return "\(tenths / 10).\(tenths % 10)"
    }

    // MARK: Confirmation

    private func fallback(_ tool: String, reason: String) -> Admission {
        switch policy.confirmFallback {
        case .allow:
            logger.info("mcp.tool.confirmation_skipped", metadata: ["mcp.tool": "\(tool)"])
            return .run
        case .deny:
            logger.info("mcp.tool.confirmation_denied", metadata: ["mcp.tool": "\(tool)"])
            return .refuse(.error(ConfirmationPrompt.fallbackRefusal(tool: tool, reason: reason)))
        }
    }

    /// 2026-07-28: the first call gets an `input_required` result; the retry carries the answer and the
    /// echoed state, which must be authentic, fresh, bound to this call and unused.
    private func admitModern(_ tool: String, arguments: JSONObject, params: JSONObject, principal: String)
        -> Admission
    {
        let capability = params["_meta"]?["io.modelcontextprotocol/clientCapabilities"]?["elicitation"]
        guard ElicitationSupport(capability: capability) == .form else {
            return fallback(tool, reason: "this request's client capabilities (_meta) do not include elicitation "
                + "(form mode)")
        }
        let time = now()
        guard let state = params["requestState"]?.stringValue else {
            let token = codec.seal(tool: tool, arguments: arguments, now: time, nonce: randomBytes(16),
                                   principal: principal)
            let request: JSONValue = [
                "method": "elicitation/create",
                "params": ConfirmationPrompt.elicitationParams(tool: tool, arguments: arguments, includeMode: true),
            ]
            return .inputRequired(.object(JSONObject([
                ("resultType", "input_required"),
                ("inputRequests", .object(JSONObject([(ConfirmationPrompt.inputKey, request)]))),
                ("requestState", .string(token)),
            ])))
        }
        let claims: RequestStateCodec.Claims
        do {
            claims = try codec.open(state, tool: tool, arguments: arguments, now: time, principal: principal)
        } catch {
            logger.info("mcp.tool.confirmation_state_refused", metadata: ["mcp.tool": "\(tool)", "reason": "\(error)"])
            return .refuse(.error(ConfirmationPrompt.stateRefusal(error, tool: tool)))
        }
        guard spent.spend(claims.nonce, expiresAt: claims.expiresAt, now: time) else {
            return .refuse(.error("not confirmed: this requestState was already answered once; nothing was "
                + "changed. Call \(tool) again without requestState to be asked anew."))
        }
        guard let answer = params["inputResponses"]?[ConfirmationPrompt.inputKey] else {
            return .refuse(.error("not confirmed: the retry of \(tool) carries no inputResponses."
                + "\(ConfirmationPrompt.inputKey); nothing was changed."))
        }
        switch ConfirmationPrompt.verdict(elicitResult: answer, tool: tool) {
        case .confirmed:
            logger.info("mcp.tool.confirmed", metadata: ["mcp.tool": "\(tool)"])
            return .run
        case .refused(let text):
            logger.info("mcp.tool.not_confirmed", metadata: ["mcp.tool": "\(tool)"])
            return .refuse(.error(text))
        }
    }
}
