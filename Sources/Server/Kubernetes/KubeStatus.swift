/// A Kubernetes `Status` (the body of every API error), kept whole so that tools can show the server's own
/// words: code, reason, message and the causes of a 422.
///
/// Plain value, any thread.
public struct KubeStatus: Sendable, Equatable {
    public struct Cause: Sendable, Equatable {
        public var reason: String
        public var message: String
        public var field: String

        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    public var code: Int
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden`, `Unauthorized`, `Expired`, ...
    public var reason: String
    public var message: String
    public var kind: String?
    public var name: String?
    public var group: String?
    public var causes: [Cause]
    /// `details.retryAfterSeconds`, when the server suggests one.
    public var retryAfterSeconds: Int?

    public init(code: Int, reason: String, message: String, kind: String? = nil, name: String? = nil,
                group: String? = nil, causes: [Cause] = [], retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.kind = kind
        self.name = name
        self.group = group
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Reads a Status object; when the body is not one (a proxy's HTML, empty), builds one from the HTTP
    /// status so the caller still has code, reason and some message.
    public static func parse(httpStatus: Int, body: [UInt8]) -> KubeStatus {
        if let value = try? JSONParser.parse(body), value["kind"]?.stringValue == "Status" {
            let details = value["details"]
            let causes = details?["causes"]?.arrayValue?.map {
                Cause(reason: $0["reason"]?.stringValue ?? "", message: $0["message"]?.stringValue ?? "",
                      field: $0["field"]?.stringValue ?? "")
            } ?? []
            return KubeStatus(code: value["code"]?.intValue ?? httpStatus,
                              reason: value["reason"]?.stringValue ?? KubeStatus.reason(for: httpStatus),
                              message: value["message"]?.stringValue ?? "",
                              kind: details?["kind"]?.stringValue, name: details?["name"]?.stringValue,
                              group: details?["group"]?.stringValue, causes: causes,
                              retryAfterSeconds: details?["retryAfterSeconds"]?.intValue)
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return KubeStatus(code: httpStatus, reason: reason(for: httpStatus),
                          message: text.isEmpty ? "HTTP \(httpStatus)" : "HTTP \(httpStatus): \(text)")
    }

    /// The reason Kubernetes uses for an HTTP status.
    public static func reason(for httpStatus: Int) -> String {
        switch httpStatus {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Expired"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "Unknown"
        }
    }
}
