import CHTTPParser

/// Incremental HTTP/1.1 request parser on Debian's http-parser, enforcing the server's limits.
///
/// Not thread-safe; owned by one connection (loop thread) or a test. Feed bytes with `parse`; it stops after
/// each complete request so that pipelined requests are answered one at a time and in order. Owns a heap
/// `http_parser` (32 bytes), freed in `deinit` (it is not a libuv handle).
public final class HTTPRequestParser {
    /// What one call to `parse` found.
    public enum Event {
        /// Not enough bytes yet; everything given was consumed.
        case needMore
        /// A complete request; `consumed` bytes of the input were used, the rest belongs to later requests.
        case request(HTTPRequest, consumed: Int)
        /// The input is not an acceptable request; answer with the error's status and close.
        case error(HTTPParseError)
    }

    private let parser: UnsafeMutablePointer<http_parser>
    private let maxRequestLineBytes: Int
    private let maxHeaderCount: Int
    private let maxHeaderBytes: Int
    private let maxBodyBytes: Int

    // Request under construction.
    private var target: [UInt8] = []
    private var headers = HTTPRequestHeaders()
    private var headerCount = 0
    private var headerBytes = 0
    private var field: [UInt8] = []
    private var value: [UInt8] = []
    private var inValue = false
    private var sawContentLength = false
    private var sawTransferEncoding = false
    private var body: [UInt8] = []
    private var failure: HTTPParseError?
    private var completed: HTTPRequest?
    /// True once the first byte of a request arrived and until it completed.
    public private(set) var isMidRequest = false
    /// True once the current request's header section is complete (its body may still be arriving).
    public private(set) var headersComplete = false

    public init(limits: HTTPLimits) {
        maxRequestLineBytes = limits.maxRequestLineBytes
        maxHeaderCount = limits.maxHeaderCount
        maxHeaderBytes = limits.maxHeaderBytes
        maxBodyBytes = limits.maxBodyBytes
        parser = UnsafeMutablePointer<http_parser>.allocate(capacity: 1)
        http_parser_init(parser, HTTP_REQUEST)
    }

    deinit { parser.deallocate() }

    /// Parses as much of `bytes` as makes up the next request.
    public func parse(_ bytes: UnsafeRawBufferPointer) -> Event {
        if bytes.isEmpty { return .needMore }
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        let consumed = withUnsafePointer(to: &HTTPRequestParser.settings) { settings in
            http_parser_execute(parser, settings, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        if let request = completed {
            completed = nil
            http_parser_pause(parser, 0)
            return .request(request, consumed: consumed)
        }
        if let failure { return .error(failure) }
        let errno = chttp_errno(parser)
        if errno != HPE_OK.rawValue {
            if errno == HPE_UNEXPECTED_CONTENT_LENGTH.rawValue {
                // http-parser rejects the second framing header before we commit it: look at the pending one.
                let pending = HeaderName(field)
                if sawTransferEncoding || pending == .transferEncoding {
                    return .error(.contentLengthWithTransferEncoding)
                }
            }
            return .error(HTTPRequestParser.mapParserError(errno))
        }
        if consumed < bytes.count, chttp_upgrade(parser) != 0 {
            return .error(.malformed("protocol upgrade is not supported"))
        }
        return .needMore
    }

    /// Convenience for tests: parses a byte array.
    public func parse(_ bytes: [UInt8]) -> Event {
        bytes.withUnsafeBytes { parse($0) }
    }

    private static func mapParserError(_ errno: UInt32) -> HTTPParseError {
        let name = String(cString: http_errno_name(http_errno(rawValue: errno)))
        switch http_errno(rawValue: errno) {
        case HPE_HEADER_OVERFLOW: return .headersTooLarge(limit: Int(HTTP_MAX_HEADER_SIZE))
        case HPE_UNEXPECTED_CONTENT_LENGTH: return .conflictingContentLength
        case HPE_INVALID_TRANSFER_ENCODING: return .unsupportedTransferEncoding("?")
        default: return .malformed(name)
        }
    }

    // MARK: Callback handlers

    fileprivate func onMessageBegin() -> Int32 {
        isMidRequest = true
        headersComplete = false
        target.removeAll(keepingCapacity: true)
        headers = HTTPRequestHeaders()
        headerCount = 0
        headerBytes = 0
        field.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
        inValue = false
        sawContentLength = false
        sawTransferEncoding = false
        body = []
        failure = nil
        return 0
    }

    fileprivate func onURL(_ p: UnsafePointer<CChar>, _ n: Int) -> Int32 {
        // The request line is method SP target SP "HTTP/1.1": count all of it.
        let methodLength = HTTPRequestParser.methodNameLength(chttp_method(parser))
        if methodLength + 1 + target.count + n + 9 > maxRequestLineBytes {
            return fail(.requestLineTooLong(limit: maxRequestLineBytes))
        }
        target.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        return 0
    }

    fileprivate func onHeaderField(_ p: UnsafePointer<CChar>, _ n: Int) -> Int32 {
        if inValue {
            if let error = commitHeader() { return fail(error) }
            inValue = false
        }
        if field.isEmpty {
            headerCount += 1
            if headerCount > maxHeaderCount { return fail(.tooManyHeaders(limit: maxHeaderCount)) }
        }
        headerBytes += n
        if headerBytes > maxHeaderBytes { return fail(.headersTooLarge(limit: maxHeaderBytes)) }
        if field.count < 64 { field.append(contentsOf: UnsafeRawBufferPointer(start: p, count: min(n, 64))) }
        return 0
    }

    fileprivate func onHeaderValue(_ p: UnsafePointer<CChar>, _ n: Int) -> Int32 {
        inValue = true
        headerBytes += n
        if headerBytes > maxHeaderBytes { return fail(.headersTooLarge(limit: maxHeaderBytes)) }
        value.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        return 0
    }

    fileprivate func onHeadersComplete() -> Int32 {
        if inValue || !field.isEmpty {
            if let error = commitHeader() { return fail(error) }
            inValue = false
        }
        if sawContentLength && sawTransferEncoding { return fail(.contentLengthWithTransferEncoding) }
        let declared = parser.pointee.content_length
        if sawContentLength, declared != UInt64.max, declared > UInt64(maxBodyBytes) {
            return fail(.bodyTooLarge(limit: maxBodyBytes))
        }
        if sawContentLength, declared != UInt64.max, declared > 0 { body.reserveCapacity(Int(declared)) }
        headersComplete = true
        return 0
    }

    fileprivate func onBody(_ p: UnsafePointer<CChar>, _ n: Int) -> Int32 {
        if body.count + n > maxBodyBytes { return fail(.bodyTooLarge(limit: maxBodyBytes)) }
        body.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
        return 0
    }

    fileprivate func onMessageComplete() -> Int32 {
        let method = HTTPRequestParser.method(chttp_method(parser))
        completed = HTTPRequest(method: method, target: String(decoding: target, as: UTF8.self), headers: headers,
                                body: body, keepAlive: http_should_keep_alive(parser) != 0)
        body = []
        isMidRequest = false
        http_parser_pause(parser, 1)
        return 0
    }

    /// Records the first error and stops the parser. -1, because `on_headers_complete` reads 1 as "no body".
    private func fail(_ error: HTTPParseError) -> Int32 {
        if failure == nil { failure = error }
        return -1
    }

    /// Stores a finished header field if it is one we act on; checks framing headers.
    private func commitHeader() -> HTTPParseError? {
        defer {
            field.removeAll(keepingCapacity: true)
            value.removeAll(keepingCapacity: true)
        }
        guard let name = HeaderName(field) else { return nil }
        var lower = 0
        var upper = value.count
        while lower < upper, value[lower] == 0x20 || value[lower] == 0x09 { lower += 1 }
        while upper > lower, value[upper - 1] == 0x20 || value[upper - 1] == 0x09 { upper -= 1 }
        let text = String(decoding: value[lower..<upper], as: UTF8.self)
        switch name {
        case .host:
            // RFC 9112 §3.2: a request with more than one Host field is rejected.
            if headers.host != nil { return .malformed("more than one Host header") }
            headers.host = text
        case .origin: if headers.origin == nil { headers.origin = text }
        case .contentType: if headers.contentType == nil { headers.contentType = text }
        case .accept: headers.accept = headers.accept.map { $0 + ", " + text } ?? text
        case .authorization: if headers.authorization == nil { headers.authorization = text }
        case .mcpSessionID: if headers.mcpSessionID == nil { headers.mcpSessionID = text }
        case .mcpProtocolVersion: if headers.mcpProtocolVersion == nil { headers.mcpProtocolVersion = text }
        case .mcpMethod: if headers.mcpMethod == nil { headers.mcpMethod = text }
        case .mcpName: if headers.mcpName == nil { headers.mcpName = text }
        case .lastEventID: if headers.lastEventID == nil { headers.lastEventID = text }
        case .connection: headers.connection = text
        case .accessControlRequestMethod: headers.accessControlRequestMethod = text
        case .contentLength:
            if sawContentLength { return .conflictingContentLength }
            sawContentLength = true
        case .transferEncoding:
            sawTransferEncoding = true
            if text.lowercased() != "chunked" { return .unsupportedTransferEncoding(text) }
        }
        return nil
    }

    private static func methodNameLength(_ raw: UInt32) -> Int {
        var n = 0
        let name = http_method_str(http_method(rawValue: raw))!
        while name[n] != 0 { n += 1 }
        return n
    }

    private static func method(_ raw: UInt32) -> HTTPMethod {
        switch http_method(rawValue: raw) {
        case HTTP_GET: return .get
        case HTTP_HEAD: return .head
        case HTTP_POST: return .post
        case HTTP_PUT: return .put
        case HTTP_DELETE: return .delete
        case HTTP_OPTIONS: return .options
        case HTTP_PATCH: return .patch
        default: return .other(String(cString: http_method_str(http_method(rawValue: raw))))
        }
    }

    // MARK: C callbacks

    nonisolated(unsafe) private static var settings: http_parser_settings = {
        var s = http_parser_settings()
        s.on_message_begin = { p in owner(p).onMessageBegin() }
        s.on_url = { p, at, n in owner(p).onURL(at!, n) }
        s.on_header_field = { p, at, n in owner(p).onHeaderField(at!, n) }
        s.on_header_value = { p, at, n in owner(p).onHeaderValue(at!, n) }
        s.on_headers_complete = { p in owner(p).onHeadersComplete() }
        s.on_body = { p, at, n in owner(p).onBody(at!, n) }
        s.on_message_complete = { p in owner(p).onMessageComplete() }
        return s
    }()

    private static func owner(_ p: UnsafeMutablePointer<http_parser>?) -> HTTPRequestParser {
        Unmanaged<HTTPRequestParser>.fromOpaque(p!.pointee.data).takeUnretainedValue()
    }
}

/// The header names the parser captures, matched without allocating.
private enum HeaderName: Equatable {
    case host, origin, contentType, accept, authorization, mcpSessionID, mcpProtocolVersion, mcpMethod, mcpName
    case lastEventID, connection, contentLength, transferEncoding, accessControlRequestMethod

    init?(_ raw: [UInt8]) {
        switch raw.count {
        case 4 where HeaderName.equal(raw, "host"): self = .host
        case 6 where HeaderName.equal(raw, "origin"): self = .origin
        case 6 where HeaderName.equal(raw, "accept"): self = .accept
        case 8 where HeaderName.equal(raw, "mcp-name"): self = .mcpName
        case 10 where HeaderName.equal(raw, "mcp-method"): self = .mcpMethod
        case 10 where HeaderName.equal(raw, "connection"): self = .connection
        case 12 where HeaderName.equal(raw, "content-type"): self = .contentType
        case 13 where HeaderName.equal(raw, "authorization"): self = .authorization
        case 13 where HeaderName.equal(raw, "last-event-id"): self = .lastEventID
        case 14 where HeaderName.equal(raw, "mcp-session-id"): self = .mcpSessionID
        case 14 where HeaderName.equal(raw, "content-length"): self = .contentLength
        case 17 where HeaderName.equal(raw, "transfer-encoding"): self = .transferEncoding
        case 20 where HeaderName.equal(raw, "mcp-protocol-version"): self = .mcpProtocolVersion
        case 29 where HeaderName.equal(raw, "access-control-request-method"): self = .accessControlRequestMethod
        default: return nil
        }
    }

    private static func equal(_ raw: [UInt8], _ lower: StaticString) -> Bool {
        let p = lower.utf8Start
        for i in 0..<raw.count {
            var c = raw[i]
            if c >= 0x41 && c <= 0x5A { c |= 0x20 }
            if c != p[i] { return false }
        }
        return true
    }
}
