/// The JSON-RPC messages of a `subscriptions/listen` stream, each stamped with
/// `_meta["io.modelcontextprotocol/subscriptionId"]` = the listen request's id.
///
/// Stateless encoder; any thread.
public enum ListenMessages {
    /// The `_meta` key every message of a listen stream carries.
    public static let subscriptionIDKey = "io.modelcontextprotocol/subscriptionId"
    /// Where the acknowledgement names the requested URIs that are not watched, and why (our own `_meta` key).
    public static let refusedKey = "kube-mcp/refusedResourceSubscriptions"

    static func meta(_ id: JSONRPCID) -> JSONValue {
        .object(JSONObject([(subscriptionIDKey, id.json)]))
    }

    /// `notifications/subscriptions/acknowledged` with the honoured subset.
    public static func acknowledged(id: JSONRPCID, honored: ListenFilter,
                                    refused: [ListenStreamState.Refusal]) -> [UInt8] {
        var meta = JSONObject([(subscriptionIDKey, id.json)])
        if !refused.isEmpty {
            meta[refusedKey] = .array(refused.map { ["uri": .string($0.uri), "reason": .string($0.reason)] })
        }
        return JSONRPCEncoder.notification(
            method: "notifications/subscriptions/acknowledged",
            params: .object(JSONObject([("notifications", honored.json), ("_meta", .object(meta))])))
    }

    /// A list change or a resource update.
    public static func notice(id: JSONRPCID, _ notice: ListenStreamState.Notice) -> [UInt8] {
        switch notice {
        case .listChanged(let change):
            return JSONRPCEncoder.notification(method: change.method,
                                               params: .object(JSONObject([("_meta", meta(id))])))
        case .resourceUpdated(let uri):
            return JSONRPCEncoder.notification(
                method: "notifications/resources/updated",
                params: .object(JSONObject([("uri", .string(uri)), ("_meta", meta(id))])))
        }
    }

    /// The graceful end: `{"resultType":"complete","_meta":{"io.modelcontextprotocol/subscriptionId":<id>}}`.
    public static func complete(id: JSONRPCID) -> [UInt8] {
        JSONRPCEncoder.result(id: id, .object(JSONObject([("resultType", "complete"), ("_meta", meta(id))])))
    }
}
