/// The words and shapes of a destructive-call confirmation: the `elicitation/create` form the user sees,
/// how the answer is read, and the tool errors for every way it can end without a yes.
///
/// Stateless, any thread.
public enum ConfirmationPrompt {
    /// The key of the confirmation in a 2026-07-28 `inputRequests` / `inputResponses` map.
    public static let inputKey = "confirm"
    /// How long a client has to answer an `elicitation/create` request (handshake revisions).
    public static let answerTimeoutMilliseconds: UInt64 = 120_000
    /// The longest argument value shown in the message; longer ones are cut with "…".
    static let maxValueCharacters = 120
    /// The longest argument list shown in the message.
    static let maxArgumentsCharacters = 600

    /// What the answer means for the call.
    public enum Verdict: Sendable, Equatable {
        case confirmed
        /// Not confirmed; the text is the tool error to return.
        case refused(String)
    }

    /// "kube-mcp wants to run pods_delete (destructive) with {name: web-1, namespace: default}. Allow?"
    public static func message(tool: String, arguments: JSONObject) -> String {
        var shown: [String] = []
        var length = 0
        for (key, value) in arguments {
            var text = value.stringValue ?? JSONWriter.string(value)
            if text.count > maxValueCharacters { text = String(text.prefix(maxValueCharacters)) + "…" }
            let item = "\(key): \(text)"
            if length + item.count > maxArgumentsCharacters {
                shown.append("…")
                break
            }
            shown.append(item)
            length += item.count + 2
        }
        let with = shown.isEmpty ? "without arguments" : "with {\(shown.joined(separator: ", "))}"
        return "\(ServerInfo.name) wants to run \(tool) (destructive) \(with). Allow?"
    }

    /// The `elicitation/create` params: a form with one boolean `confirm`. `mode` is named only for
    /// revisions that know it (2025-11-25 and later).
    public static func elicitationParams(tool: String, arguments: JSONObject, includeMode: Bool) -> JSONValue {
        var o = JSONObject()
        if includeMode { o["mode"] = "form" }
        o["message"] = .string(message(tool: tool, arguments: arguments))
        o["requestedSchema"] = [
            "type": "object",
            "properties": ["confirm": ["type": "boolean", "title": .string("Run \(tool)"),
                                       "description": "Allow this destructive call to go ahead."]],
            "required": ["confirm"],
        ]
        return .object(o)
    }

    /// Reads an `ElicitResult`: only `accept` with `confirm: true` confirms.
    public static func verdict(elicitResult: JSONValue, tool: String) -> Verdict {
        switch elicitResult["action"]?.stringValue {
        case "accept":
            if elicitResult["content"]?["confirm"]?.boolValue == true { return .confirmed }
            return .refused(
                "not confirmed: the user declined to run \(tool) (answered confirm: false); nothing was changed.")
        case "decline":
            return .refused("not confirmed: the user declined to run \(tool); nothing was changed.")
        case "cancel":
            return .refused("not confirmed: the user dismissed the confirmation for \(tool); nothing was changed.")
        default:
            return .refused("not confirmed: the client's answer to the confirmation for \(tool) was not an "
                + "elicitation result (no action accept/decline/cancel); nothing was changed.")
        }
    }

    /// Reads how an `elicitation/create` request ended (handshake revisions).
    public static func verdict(answer: ClientAnswer, tool: String) -> Verdict {
        let seconds = answerTimeoutMilliseconds / 1000
        switch answer {
        case .result(let result):
            return verdict(elicitResult: result, tool: tool)
        case .error(let error):
            return .refused("not confirmed: the client could not ask the user to confirm \(tool) "
                + "(error \(error.code): \(error.message)); nothing was changed.")
        case .timedOut:
            return .refused("not confirmed: no answer to the confirmation for \(tool) within \(seconds) s; "
                + "nothing was changed. Call the tool again to be asked again.")
        case .cancelled:
            return .refused("not confirmed: the confirmation for \(tool) was cancelled; nothing was changed.")
        case .notSent:
            return .refused("not confirmed: the confirmation request for \(tool) could not be sent (too many "
                + "confirmations pending in this session, or the client's stream closed); nothing was changed.")
        }
    }

    /// The tool error for a 2026-07-28 retry whose `requestState` does not hold.
    public static func stateRefusal(_ failure: RequestStateCodec.Failure, tool: String) -> String {
        let why: String
        switch failure {
        case .malformed, .forged:
            why = "the requestState is not one this server issued (altered, or from before a restart)"
        case .expired:
            why = "the requestState expired (confirmations are valid for "
                + "\(RequestStateCodec.lifetimeMilliseconds / 1000) s)"
        case .otherTool:
            why = "the requestState was issued for another tool"
        case .otherArguments:
            why = "the requestState was issued for other arguments"
        case .otherPrincipal:
            why = "the requestState was issued to another caller (another bearer token)"
        }
        return "not confirmed: \(why); nothing was changed. Call \(tool) again without requestState to be asked anew."
    }

    /// The tool error of `--confirm-fallback deny` when the client cannot be asked.
    public static func fallbackRefusal(tool: String, reason: String) -> String {
        "not confirmed: \(tool) is destructive and this server asks for confirmation (--confirm-destructive), "
            + "but \(reason), and the server runs with --confirm-fallback deny; nothing was changed. Use a client "
            + "that supports MCP elicitation (form mode), or restart the server with --confirm-fallback allow "
            + "(MCP_CONFIRM_FALLBACK=allow) to run such calls without asking."
    }
}
