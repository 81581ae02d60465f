/// Turns a request body into JSON-RPC messages: one message, or a batch (an array), with the JSON-RPC error
/// to answer when it is neither.
///
/// Stateless, any thread.
public enum MessageIntake {
    public enum Parsed: Sendable {
        case single(JSONRPCMessage)
        case batch([JSONRPCMessage])
    }

    public static func parse(_ body: [UInt8]) -> Result<Parsed, JSONRPCError> {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { return .failure(.parseError(error.description)) }
        if case .array(let elements) = value {
            guard !elements.isEmpty else { return .failure(.invalidRequest("empty batch")) }
            var messages: [JSONRPCMessage] = []
            for element in elements {
                do { messages.append(try JSONRPCMessage(element)) } catch { return .failure(error) }
            }
            return .success(.batch(messages))
        }
        do { return .success(.single(try JSONRPCMessage(value))) } catch { return .failure(error) }
    }

    /// True when `Content-Type` names JSON (`application/json`, optionally with parameters).
    public static func isJSON(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters() } ?? ""
        return media.lowercased() == "application/json"
    }

    /// Which response forms an `Accept` header allows: (json, eventStream). A missing header allows both.
    public static func accepted(_ accept: String?) -> (json: Bool, eventStream: Bool) {
        guard let accept, !accept.isEmpty else { return (true, true) }
        var json = false
        var sse = false
        for part in accept.split(separator: ",") {
            let media = part.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters().lowercased() } ?? ""
            switch media {
            case "application/json": json = true
            case "text/event-stream": sse = true
            case "*/*", "application/*": json = true; if media == "*/*" { sse = true }
            case "text/*": sse = true
            default: break
            }
        }
        return (json, sse)
    }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingSpaces() }
}
