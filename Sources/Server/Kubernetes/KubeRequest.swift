/// One call to the Kubernetes API: method, path and query, content negotiation and body.
///
/// Plain value, any thread. Paths are absolute API paths (`/api/v1/namespaces/default/pods`); query values are
/// not yet escaped.
public struct KubeRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    public var query: [(String, String)]
    public var accept: String
    public var contentType: String?
    public var body: [UInt8]?
    /// Deadline for the whole call; nil uses the client's default (30 s). Streams have none.
    public var timeoutMilliseconds: Int?

    public init(method: String = "GET", path: String, query: [(String, String)] = [],
                accept: String = "application/json", contentType: String? = nil, body: [UInt8]? = nil,
                timeoutMilliseconds: Int? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.accept = accept
        self.contentType = contentType
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// GET (and HEAD) may be retried after a connection failure; writes may not.
    public var isIdempotent: Bool { method == "GET" || method == "HEAD" }

    /// `path?query` with the query percent-encoded.
    public var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(KubeRequest.escape($0.0))=\(KubeRequest.escape($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return out
    }

    public static func == (lhs: KubeRequest, rhs: KubeRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query.elementsEqual(rhs.query, by: ==)
            && lhs.accept == rhs.accept && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.timeoutMilliseconds == rhs.timeoutMilliseconds
    }
}

/// The API server's answer to one `KubeRequest` (2xx only; errors arrive as `KubeError`).
public struct KubeResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body parsed as JSON (call off the loop: big lists are megabytes).
    public func json() throws(KubeError) -> JSONValue {
        do { return try JSONParser.parse(body) } catch {
            throw .decoding("the API server sent invalid JSON: \(error)")
        }
    }
}
