import CCurl
import Foundation

/// One HTTP request/response on libcurl's easy interface, run by `CurlMulti` on the loop.
///
/// Loop thread only. Owns its easy handle and header list and frees them when the transfer finishes or is
/// cancelled (never in `deinit`). The response body is either collected whole or handed on chunk by chunk
/// (watch streams, followed logs). Loop work here is moving bytes; decoding happens off the loop.
@LoopActor
final class CurlTransfer {
    /// What to do with the response.
    enum Sink {
        /// Collect everything, then call back once.
        case collect(@LoopActor (Result<HTTPClientResponse, CurlError>) -> Void)
        /// Hand on the head, each chunk, and the end.
        case stream(head: @LoopActor (HTTPClientResponseHead) -> Void, chunk: @LoopActor ([UInt8]) -> Void,
                    end: @LoopActor (CurlError?) -> Void)
    }

    let easy: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var connectTo: UnsafeMutablePointer<curl_slist>?
    private let sink: Sink
    private var status = 0
    private var httpVersion = "1.1"
    private var headers: [(String, String)] = []
    private var headDelivered = false
    private var body: [UInt8] = []
    private var done = false
    /// Bytes taken since the loop last let other work run; past `sliceBytes` the transfer pauses until the
    /// next loop iteration, so that one big response (TLS decryption included) never holds the loop for long.
    private var bytesThisSlice = 0
    private(set) var isPaused = false
    static let sliceBytes = 256 * 1024

    init(_ request: HTTPClientRequest, sink: Sink) throws(CurlError) {
        guard let easy = curl_easy_init() else {
            throw CurlError(kind: .outOfResources, function: "curl_easy_init", message: "no easy handle")
        }
        self.easy = easy
        self.sink = sink
        do {
            try configure(request)
        } catch {
            cleanup()
            throw error
        }
    }

    /// Typed option setters on this transfer's handle.
    private var options: CurlEasyOptions { CurlEasyOptions(easy: easy) }

    private func configure(_ request: HTTPClientRequest) throws(CurlError) {
        var url = request.url
        if let serverName = request.tls.serverName, let target = URLParts(url) {
            // Verify and send SNI for serverName while connecting to the URL's real host.
            url = target.replacingHost(with: serverName)
            connectTo = curl_slist_append(nil, "\(serverName):\(target.port)::\(target.port)".replacingFirstEmpty(target.host))
            ccurl_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, connectTo)
        }
        try options.set(CURLOPT_URL, url, "CURLOPT_URL")
        try options.set(CURLOPT_NOSIGNAL, 1, "CURLOPT_NOSIGNAL")
        try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS), "CURLOPT_HTTP_VERSION")
        try options.set(CURLOPT_PIPEWAIT, 1, "CURLOPT_PIPEWAIT")
        try options.set(CURLOPT_ACCEPT_ENCODING, "", "CURLOPT_ACCEPT_ENCODING")
        try options.set(CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds, "CURLOPT_CONNECTTIMEOUT_MS")
        if let timeout = request.timeoutMilliseconds {
            try options.set(CURLOPT_TIMEOUT_MS, timeout, "CURLOPT_TIMEOUT_MS")
        }
        switch request.method {
        case "GET": break
        case "HEAD": try options.set(CURLOPT_NOBODY, 1, "CURLOPT_NOBODY")
        default: try options.set(CURLOPT_CUSTOMREQUEST, request.method, "CURLOPT_CUSTOMREQUEST")
        }
        if let body = request.body {
            let rc = ccurl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            guard rc == CURLE_OK else { throw .easy(rc, "curl_easy_setopt(CURLOPT_POSTFIELDSIZE_LARGE)") }
            let prc = body.withUnsafeBytes { ccurl_easy_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
            guard prc == CURLE_OK else { throw .easy(prc, "curl_easy_setopt(CURLOPT_COPYPOSTFIELDS)") }
        }
        var list: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in request.headers { list = curl_slist_append(list, "\(name): \(value)") }
        // No "Expect: 100-continue" round trip for bodies.
        list = curl_slist_append(list, "Expect:")
        headerList = list
        ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list)

        try options.applyTLS(request.tls)
        if let proxy = request.proxy { try options.set(CURLOPT_PROXY, proxy, "CURLOPT_PROXY") }

        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_easy_setopt_ptr(easy, CURLOPT_PRIVATE, me)
        ccurl_easy_setopt_write_function(easy, CURLOPT_HEADERFUNCTION, CurlTransfer.onHeader)
        ccurl_easy_setopt_ptr(easy, CURLOPT_HEADERDATA, me)
        ccurl_easy_setopt_write_function(easy, CURLOPT_WRITEFUNCTION, CurlTransfer.onBody)
        ccurl_easy_setopt_ptr(easy, CURLOPT_WRITEDATA, me)
    }

    // MARK: Callbacks (inside curl_multi_socket_action, on the loop thread)

    private static let onHeader: curl_write_callback = { pointer, size, count, userdata in
        let n = size * count
        guard let pointer, let userdata else { return n }
        let me = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
        let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: n), as: UTF8.self)
        LoopActor.assumeIsolated { me.header(line) }
        return n
    }

    private func header(_ raw: String) {
        let line = raw.hasSuffix("\r\n") ? String(raw.dropLast(2)) : raw
        if line.hasPrefix("HTTP/") {
            // A new response (after 100 Continue or a proxy's CONNECT answer): start over.
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            httpVersion = parts.first.map { String($0.dropFirst(5)) } ?? "1.1"
            headers.removeAll()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
        headers.append((name, String(value)))
    }

    private static let onBody: curl_write_callback = { pointer, size, count, userdata in
        let n = size * count
        guard let pointer, let userdata else { return n }
        let me = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
        nonisolated(unsafe) let bytes = UnsafeRawBufferPointer(start: pointer, count: n)
        return LoopActor.assumeIsolated { () -> Int in
            if me.bytesThisSlice >= CurlTransfer.sliceBytes {
                // curl keeps this chunk and hands it over again after the unpause.
                me.isPaused = true
                CurlMulti.shared.resumeLater(me)
                return ccurl_writefunc_pause()
            }
            me.bytesThisSlice += n
            me.received(bytes)
            return n
        }
    }

    /// Lets a paused transfer go on (called on a later loop iteration). curl may deliver the held chunk from
    /// inside this call.
    func resume() {
        guard isPaused, !done else { return }
        isPaused = false
        bytesThisSlice = 0
        ccurl_easy_unpause(easy)
    }

    private var head: HTTPClientResponseHead {
        HTTPClientResponseHead(status: status, headers: headers, httpVersion: httpVersion)
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        switch sink {
        case .collect:
            if body.isEmpty, let length = headers.first(where: { $0.0 == "content-length" }).flatMap({ Int($0.1) }),
                length > bytes.count
            {
                // One allocation of the announced size: no regrowth copies of a big body on the loop.
                body.reserveCapacity(min(length, 512 * 1024 * 1024))
            }
            body.append(contentsOf: bytes)
        case .stream(let onHead, let onChunk, _):
            if !headDelivered {
                headDelivered = true
                onHead(head)
            }
            onChunk(Array(bytes))
        }
    }

    // MARK: End

    /// Called by `CurlMulti` when curl reports the transfer done.
    func finish(_ code: CURLcode) {
        guard !done else { return }
        done = true
        var error: CurlError?
        if code != CURLE_OK {
            var detail = ""
            if code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE {
                detail = "the API server's certificate is not trusted by the configured certificate authority"
            }
            error = .easy(code, "curl_multi_socket_action", detail: detail)
        }
        let result = head
        let collected = body
        body = []
        cleanup()
        switch sink {
        case .collect(let completion):
            if let error { completion(.failure(error)) } else {
                completion(.success(HTTPClientResponse(head: result, body: collected)))
            }
        case .stream(let onHead, _, let onEnd):
            if error == nil && !headDelivered {
                headDelivered = true
                onHead(result)
            }
            onEnd(error)
        }
    }

    /// Frees a transfer that was never added to the multi handle (its owner already knows it was cancelled).
    func cancelBeforeStart() {
        guard !done else { return }
        done = true
        cleanup()
    }

    /// Stops the transfer; the owner hears `.cancelled`.
    func cancel() {
        guard !done else { return }
        CurlMulti.shared.remove(self)
        done = true
        cleanup()
        switch sink {
        case .collect(let completion): completion(.failure(.cancelled))
        case .stream(_, _, let onEnd): onEnd(.cancelled)
        }
    }

    private func cleanup() {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        headerList = nil
        curl_slist_free_all(connectTo)
        connectTo = nil
    }
}

/// The scheme, host and port of an `https://host:port/...` URL, enough to redirect TLS verification.
struct URLParts {
    let scheme: String
    let host: String
    let port: Int
    let rest: String

    init?(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        scheme = String(url[..<schemeEnd.lowerBound])
        let afterScheme = url[schemeEnd.upperBound...]
        let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        rest = String(afterScheme[authorityEnd...])
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[...close])
            let after = authority[authority.index(after: close)...]
            port = after.hasPrefix(":") ? Int(after.dropFirst()) ?? 443 : (scheme == "http" ? 80 : 443)
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = Int(authority[authority.index(after: colon)...]) ?? 443
        } else {
            host = String(authority)
            port = scheme == "http" ? 80 : 443
        }
    }

    func replacingHost(with name: String) -> String { "\(scheme)://\(name):\(port)\(rest)" }
}

extension String {
    /// Fills the empty connect-to host slot (`name:port::port`) with `host`.
    fileprivate func replacingFirstEmpty(_ host: String) -> String {
        guard let range = range(of: "::") else { return self }
        return replacingCharacters(in: range, with: ":\(host):")
    }
}
