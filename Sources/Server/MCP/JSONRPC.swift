/// A JSON-RPC request id: a string or an integer, echoed with its original type.
public enum JSONRPCID: Sendable, Hashable {
    case int(Int)
    case string(String)

    public init?(_ value: JSONValue) {
        switch value {
        case .int(let i): self = .int(i)
        case .string(let s): self = .string(s)
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: self = .int(Int(d))
        default: return nil
        }
    }

    public var json: JSONValue {
        switch self {
        case .int(let i): return .int(i)
        case .string(let s): return .string(s)
        }
    }
}

/// A JSON-RPC error object. Codes follow JSON-RPC 2.0 and MCP.
public struct JSONRPCError: Error, Sendable, Equatable {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    public static let resourceNotFoundCode = -32002
    public static let headerMismatchCode = -32020
    public static let missingClientCapabilityCode = -32021
    public static let unsupportedProtocolVersionCode = -32022

    public static func parseError(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: parseErrorCode, message: "Parse error: \(detail)")
    }
    public static func invalidRequest(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: invalidRequestCode, message: "Invalid request: \(detail)")
    }
    public static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: methodNotFoundCode, message: "Method not found: \(method)")
    }
    public static func invalidParams(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: invalidParamsCode, message: "Invalid params: \(detail)")
    }
    public static func internalError(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: internalErrorCode, message: "Internal error: \(detail)")
    }
    public static func unsupportedVersion(_ requested: String) -> JSONRPCError {
        JSONRPCError(code: unsupportedProtocolVersionCode, message: "Unsupported protocol version",
                     data: ["supported": .array(ProtocolVersion.allCases.reversed().map { .string($0.rawValue) }),
                            "requested": .string(requested)])
    }
    public static func headerMismatch(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: headerMismatchCode, message: detail)
    }

    public var json: JSONValue {
        var o: JSONObject = JSONObject([("code", .int(code)), ("message", .string(message))])
        if let data { o["data"] = data }
        return .object(o)
    }
}

/// One JSON-RPC 2.0 message as received.
public enum JSONRPCMessage: Sendable {
    case request(id: JSONRPCID, method: String, params: JSONObject)
    case notification(method: String, params: JSONObject)
    /// A response to a request the server sent (`elicitation/create`): its result, or its error.
    case response(id: JSONRPCID?, outcome: Result<JSONValue, JSONRPCError>)

    /// Interprets a parsed JSON value as a JSON-RPC message.
    public init(_ value: JSONValue) throws(JSONRPCError) {
        guard case .object(let o) = value else { throw .invalidRequest("a JSON-RPC message must be an object") }
        guard o["jsonrpc"] == .string("2.0") else { throw .invalidRequest("\"jsonrpc\" must be \"2.0\"") }
        if let method = o["method"] {
            guard case .string(let name) = method else { throw .invalidRequest("\"method\" must be a string") }
            var params = JSONObject()
            switch o["params"] {
            case nil, .null?: break
            case .object(let p)?: params = p
            default: throw .invalidRequest("\"params\" must be an object")
            }
            if let rawID = o["id"] {
                guard let id = JSONRPCID(rawID) else { throw .invalidRequest("\"id\" must be a string or an integer") }
                self = .request(id: id, method: name, params: params)
            } else {
                self = .notification(method: name, params: params)
            }
            return
        }
        if let result = o["result"] {
            self = .response(id: o["id"].flatMap(JSONRPCID.init), outcome: .success(result))
            return
        }
        if let error = o["error"] {
            let code = error["code"]?.intValue ?? JSONRPCError.internalErrorCode
            let message = error["message"]?.stringValue ?? "(no message)"
            self = .response(id: o["id"].flatMap(JSONRPCID.init),
                             outcome: .failure(JSONRPCError(code: code, message: message, data: error["data"])))
            return
        }
        throw .invalidRequest("neither a request, a notification nor a response")
    }

    /// The request id, when the message is a request.
    public var requestID: JSONRPCID? {
        if case .request(let id, _, _) = self { return id }
        return nil
    }

    /// The method of a request or notification.
    public var method: String? {
        switch self {
        case .request(_, let m, _), .notification(let m, _): return m
        case .response: return nil
        }
    }

    /// The params of a request or notification.
    public var params: JSONObject {
        switch self {
        case .request(_, _, let p), .notification(_, let p): return p
        case .response: return JSONObject()
        }
    }
}

/// Serialises outgoing JSON-RPC messages to compact bytes.
public enum JSONRPCEncoder {
    /// The same response as three parts — prefix, the cached result as is, suffix — so that a transport can copy
    /// the result once, straight into its output.
    public static func resultParts(id: JSONRPCID, encodedResult: [UInt8]) -> [[UInt8]] {
        var w = JSONWriter(reservingCapacity: 48)
        w.appendRaw("{\"jsonrpc\":\"2.0\",\"id\":")
        w.write(id.json)
        w.appendRaw(",\"result\":")
        return [w.bytes, encodedResult, resultSuffix]
    }

    private static let resultSuffix: [UInt8] = [UInt8(ascii: "}")]

    /// `{"jsonrpc":"2.0","id":<id>,"result":<result bytes>}` — the result is already encoded (cached lists).
    public static func result(id: JSONRPCID, encodedResult: [UInt8]) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: encodedResult.count + 48)
        w.appendRaw("{\"jsonrpc\":\"2.0\",\"id\":")
        w.write(id.json)
        w.appendRaw(",\"result\":")
        w.appendRaw(encodedResult)
        w.appendRaw("}")
        return w.bytes
    }

    public static func result(id: JSONRPCID, _ result: JSONValue) -> [UInt8] {
        Self.result(id: id, encodedResult: JSONWriter.encode(result))
    }

    /// An error response; `id` nil becomes `"id":null` (the request id could not be read).
    public static func error(id: JSONRPCID?, _ error: JSONRPCError) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 128)
        w.appendRaw("{\"jsonrpc\":\"2.0\",\"id\":")
        w.write(id?.json ?? .null)
        w.appendRaw(",\"error\":")
        w.write(error.json)
        w.appendRaw("}")
        return w.bytes
    }

    public static func notification(method: String, params: JSONValue?) -> [UInt8] {
        var o = JSONObject([("jsonrpc", "2.0"), ("method", .string(method))])
        if let params { o["params"] = params }
        return JSONWriter.encode(.object(o))
    }
}
