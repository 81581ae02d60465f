/// The request methods the server distinguishes.
public enum HTTPMethod: Sendable, Equatable {
    case get, head, post, put, delete, options, patch, other(String)

    public var name: String {
        switch self {
        case .get: return "GET"
        case .head: return "HEAD"
        case .post: return "POST"
        case .put: return "PUT"
        case .delete: return "DELETE"
        case .options: return "OPTIONS"
        case .patch: return "PATCH"
        case .other(let s): return s
        }
    }
}

/// The header fields the server acts on, captured while parsing; the rest are counted and dropped.
///
/// Plain value, any thread. Names are matched case-insensitively; for repeated fields the first value is
/// kept except where noted.
public struct HTTPRequestHeaders: Sendable, Equatable {
    public var host: String?
    public var origin: String?
    public var contentType: String?
    public var accept: String?
    public var authorization: String?
    public var mcpSessionID: String?
    public var mcpProtocolVersion: String?
    public var mcpMethod: String?
    public var mcpName: String?
    public var lastEventID: String?
    public var connection: String?
    public var accessControlRequestMethod: String?

    public init() {}
}

/// One parsed HTTP/1.1 request: method, target, the captured headers and the complete body.
///
/// Plain value, any thread.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request target exactly as sent (`/mcp/messages?sessionId=...`).
    public var target: String
    public var headers: HTTPRequestHeaders
    public var body: [UInt8]
    /// Whether the connection may serve another request afterwards (HTTP/1.1 default, `Connection: close`).
    public var keepAlive: Bool

    public init(method: HTTPMethod, target: String, headers: HTTPRequestHeaders = HTTPRequestHeaders(),
                body: [UInt8] = [], keepAlive: Bool = true) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The path part of the target, without the query.
    public var path: Substring {
        if let q = target.firstIndex(of: "?") { return target[..<q] }
        return target[...]
    }

    /// The raw query string (after `?`), or empty.
    public var query: Substring {
        if let q = target.firstIndex(of: "?") { return target[target.index(after: q)...] }
        return ""
    }

    /// The first value of a query parameter, percent-decoded.
    public func queryParameter(_ name: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name {
                return parts.count > 1 ? PercentDecoding.decode(parts[1]) : ""
            }
        }
        return nil
    }
}

/// Percent-decoding for URL components (`%2F` → `/`, `+` kept literally).
public enum PercentDecoding {
    /// Decodes `%XX` escapes; returns nil for malformed escapes or invalid UTF-8.
    public static func decode<S: StringProtocol>(_ text: S) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var it = text.utf8.makeIterator()
        while let b = it.next() {
            if b != UInt8(ascii: "%") { out.append(b); continue }
            guard let h = it.next(), let l = it.next(), let hv = hexValue(h), let lv = hexValue(l) else { return nil }
            out.append(hv << 4 | lv)
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
