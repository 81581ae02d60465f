import CCurl

/// One client WebSocket session over a connection that libcurl sets up (TCP, proxy tunnel, TLS with the
/// kubeconfig's CA and client certificate) in `CURLOPT_CONNECT_ONLY` mode; the HTTP/1.1 upgrade and the frames
/// are ours (`WebSocketSessionState`), moved with `curl_easy_send` / `curl_easy_recv` whenever libuv reports
/// the socket ready. This libcurl (7.88) has no WebSocket support of its own.
///
/// Loop thread only. Owns a private multi handle (so that no other transfer's connection-cache housekeeping
/// can prune this connection, which curl sees as idle once connected), the easy handle, the `UVPoll`s and
/// timers; all are freed when the session ends (never in `deinit`). The easy handle stays in its multi handle
/// until the end: `curl_easy_send`/`recv` find a multi-made CONNECT_ONLY connection only through it, and
/// `curl_multi_remove_handle` then closes that connection (curl ≥ 7.85).
@LoopActor
final class CurlWebSocket {
    typealias Handler = @LoopActor (WebSocketEvent) -> [WebSocketCommand]
    typealias Completion = @LoopActor (Result<WebSocketEnd, WebSocketError>) -> Void

    /// Bytes read per loop turn before other work gets its turn (the rest is read on the next iteration).
    static let sliceBytes = 256 * 1024
    /// How long to wait for the server's close frame after sending ours.
    static let closeGraceMilliseconds: UInt64 = 2_000
    /// One read buffer for every session (the loop is single-threaded and reads are processed at once).
    private static let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)

    private enum Phase {
        case created
        /// curl is connecting (TCP, proxy, TLS).
        case connecting
        /// The socket is ours: the upgrade and the frames.
        case connected
        case finished
    }

    private let request: WebSocketRequest
    private let target: URLParts
    private let multi: UnsafeMutableRawPointer
    private let easy: UnsafeMutableRawPointer
    private var connectTo: UnsafeMutablePointer<curl_slist>?
    private var phase = Phase.created
    private var session: WebSocketSessionState
    private let handler: Handler
    private let completion: Completion
    /// Polls curl asked for while connecting (usually one; two while happy eyeballs try IPv4 and IPv6).
    private var curlPolls: [Int32: UVPoll] = [:]
    private let curlTimer = UVTimer()
    private let deadline = UVTimer()
    private let moreToRead = UVIdle()
    private var socketPoll: UVPoll?
    /// Frames waiting to be written; the first may be partly written (`written` bytes of it).
    private var outbox: [[UInt8]] = []
    private var written = 0
    /// A failure found inside a curl callback, reported once curl returns.
    private var pendingFailure: CurlError?
    /// Keeps this object alive from `start()` until the end (C callbacks hold it unretained).
    private var keepAlive: CurlWebSocket?

    init(_ request: WebSocketRequest, handler: @escaping Handler, completion: @escaping Completion) throws(CurlError) {
        guard let target = URLParts(request.url), target.scheme == "https" || target.scheme == "http" else {
            throw CurlError(kind: .easy(Int32(CURLE_URL_MALFORMAT.rawValue)), function: "CurlWebSocket",
                            message: "not an http(s) URL")
        }
        guard let multi = curl_multi_init() else {
            throw CurlError(kind: .outOfResources, function: "curl_multi_init", message: "no multi handle")
        }
        guard let easy = curl_easy_init() else {
            curl_multi_cleanup(multi)
            throw CurlError(kind: .outOfResources, function: "curl_easy_init", message: "no easy handle")
        }
        self.request = request
        self.target = target
        self.multi = multi
        self.easy = easy
        self.handler = handler
        self.completion = completion
        session = WebSocketSessionState(handshake: WebSocketHandshake(protocols: request.protocols),
                                        maxMessageBytes: request.maxMessageBytes)
        do {
            try configure()
        } catch {
            releaseCurl()
            closeHandles()
            throw error
        }
    }

    private func configure() throws(CurlError) {
        let options = CurlEasyOptions(easy: easy)
        var url = "\(target.scheme)://\(target.host):\(target.port)/"
        if let serverName = request.tls.serverName {
            // Verify and send SNI for serverName while connecting to the URL's real host (as CurlTransfer does).
            url = "\(target.scheme)://\(serverName):\(target.port)/"
            connectTo = curl_slist_append(nil, "\(serverName):\(target.port):\(target.host):\(target.port)")
            ccurl_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, connectTo)
        }
        try options.set(CURLOPT_URL, url, "CURLOPT_URL")
        try options.set(CURLOPT_CONNECT_ONLY, 1, "CURLOPT_CONNECT_ONLY")
        // ALPN must offer only http/1.1: the upgrade is an HTTP/1.1 request written by hand.
        try options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1), "CURLOPT_HTTP_VERSION")
        try options.set(CURLOPT_NOSIGNAL, 1, "CURLOPT_NOSIGNAL")
        try options.set(CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds, "CURLOPT_CONNECTTIMEOUT_MS")
        try options.applyTLS(request.tls)
        if let proxy = request.proxy {
            try options.set(CURLOPT_PROXY, proxy, "CURLOPT_PROXY")
            // Through an HTTP proxy the connection must be a CONNECT tunnel, also for http:// servers.
            try options.set(CURLOPT_HTTPPROXYTUNNEL, 1, "CURLOPT_HTTPPROXYTUNNEL")
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        ccurl_multi_setopt_socket_function(multi, CurlWebSocket.onSocket)
        ccurl_multi_setopt_ptr(multi, CURLMOPT_SOCKETDATA, me)
        ccurl_multi_setopt_timer_function(multi, CurlWebSocket.onTimer)
        ccurl_multi_setopt_ptr(multi, CURLMOPT_TIMERDATA, me)
    }

    /// The upgrade request's target (path and query) and Host header.
    private var requestTarget: String { target.rest.isEmpty ? "/" : target.rest }
    private var hostHeader: String {
        let defaultPort = target.scheme == "https" ? 443 : 80
        return target.port == defaultPort ? target.host : "\(target.host):\(target.port)"
    }

    // MARK: Start and stop

    /// Starts connecting; the handler and the completion run on the loop from now on.
    func start() {
        guard phase == .created else { return }
        keepAlive = self
        phase = .connecting
        deadline.start(timeoutMs: UInt64(max(1, request.timeoutMilliseconds))) { [unowned self] in
            self.perform(self.session.timedOut(milliseconds: self.request.timeoutMilliseconds))
        }
        let rc = curl_multi_add_handle(multi, easy)
        guard rc == CURLM_OK else {
            end(.failure(.connection(.multi(rc, "curl_multi_add_handle"))))
            return
        }
    }

    /// The caller gave up: close at once.
    func cancel() {
        switch phase {
        case .created:
            phase = .finished
            releaseCurl()
            closeHandles()
            completion(.failure(.cancelled))
        case .connecting, .connected:
            perform(session.cancelled())
        case .finished:
            break
        }
    }

    private func end(_ result: Result<WebSocketEnd, WebSocketError>) {
        guard phase != .finished else { return }
        if phase == .connected { flush() }
        phase = .finished
        closeHandles()
        releaseCurl()
        completion(result)
        // Let go on a later turn: callers up the stack may still touch this object.
        let me = keepAlive
        keepAlive = nil
        Task { @LoopActor in withExtendedLifetime(me) {} }
    }

    /// Stops every poll and timer (before curl closes the socket under them).
    private func closeHandles() {
        socketPoll?.close()
        socketPoll = nil
        for poll in curlPolls.values { poll.close() }
        curlPolls.removeAll()
        curlTimer.close()
        deadline.close()
        moreToRead.close()
    }

    /// Removes the easy handle (which closes a CONNECT_ONLY connection) and frees both curl handles.
    private func releaseCurl() {
        curl_multi_remove_handle(multi, easy)
        curl_easy_cleanup(easy)
        curl_multi_cleanup(multi)
        curl_slist_free_all(connectTo)
        connectTo = nil
    }

    // MARK: Connecting (curl drives the socket)

    private static let onSocket: curl_socket_callback = { _, socket, what, userp, _ in
        guard let userp else { return 0 }
        let me = Unmanaged<CurlWebSocket>.fromOpaque(userp).takeUnretainedValue()
        LoopActor.assumeIsolated { me.curlWatch(socket: socket, what: what) }
        return 0
    }

    private func curlWatch(socket: curl_socket_t, what: Int32) {
        // Once connected the socket is ours; curl has nothing left to wait for.
        guard phase == .connecting else { return }
        if what == CURL_POLL_REMOVE {
            curlPolls.removeValue(forKey: socket)?.close()
            return
        }
        let poll: UVPoll
        if let existing = curlPolls[socket] {
            poll = existing
        } else {
            do { poll = try UVPoll(socket: socket) } catch {
                // Inside curl's callback: fail after curl_multi_socket_action returns.
                pendingFailure = CurlError(kind: .outOfResources, function: "uv_poll_init_socket", message: "\(error)")
                return
            }
            curlPolls[socket] = poll
        }
        try? poll.start(CurlPollEvents.events(for: what)) { [unowned self] status, ready in
            self.curlAction(socket: socket, flags: CurlPollEvents.actionFlags(status: status, ready: ready))
        }
    }

    private static let onTimer: curl_multi_timer_callback = { _, timeout, userp in
        guard let userp else { return 0 }
        let me = Unmanaged<CurlWebSocket>.fromOpaque(userp).takeUnretainedValue()
        LoopActor.assumeIsolated {
            guard me.phase == .connecting else { return }
            if timeout < 0 {
                me.curlTimer.stop()
            } else {
                // Never act inside curl's callback: even a 0 ms timer fires on a later loop turn.
                me.curlTimer.start(timeoutMs: UInt64(timeout)) { [unowned me] in
                    me.curlAction(socket: CURL_SOCKET_TIMEOUT, flags: 0)
                }
            }
        }
        return 0
    }

    private func curlAction(socket: curl_socket_t, flags: Int32) {
        guard phase == .connecting else { return }
        var running: Int32 = 0
        let rc = curl_multi_socket_action(multi, socket, flags, &running)
        guard rc == CURLM_OK else {
            end(.failure(.connection(.multi(rc, "curl_multi_socket_action"))))
            return
        }
        if let failure = pendingFailure {
            end(.failure(.connection(failure)))
            return
        }
        var left: Int32 = 0
        while phase == .connecting, let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE else { continue }
            connected(ccurl_msg_result(message))
        }
    }

    /// curl finished connecting (or failed to).
    private func connected(_ code: CURLcode) {
        guard code == CURLE_OK else {
            var detail = ""
            if code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE {
                detail = "the API server's certificate is not trusted by the configured certificate authority"
            }
            end(.failure(.connection(.easy(code, "curl_multi_socket_action", detail: detail))))
            return
        }
        var socket: curl_socket_t = CURL_SOCKET_BAD
        let rc = ccurl_easy_getinfo_socket(easy, CURLINFO_ACTIVESOCKET, &socket)
        guard rc == CURLE_OK, socket != CURL_SOCKET_BAD else {
            end(.failure(.connection(.easy(rc == CURLE_OK ? CURLE_COULDNT_CONNECT : rc,
                                           "curl_easy_getinfo(CURLINFO_ACTIVESOCKET)"))))
            return
        }
        phase = .connected
        curlTimer.stop()
        // Reuse curl's poll of this socket if it still has one (one poll per descriptor: libuv's rule).
        let poll = curlPolls.removeValue(forKey: socket)
        for other in curlPolls.values { other.close() }
        curlPolls.removeAll()
        do { socketPoll = try poll ?? UVPoll(socket: socket) } catch {
            end(.failure(.connection(CurlError(kind: .outOfResources, function: "uv_poll_init_socket",
                                               message: "\(error)"))))
            return
        }
        perform(session.connected(target: requestTarget, host: hostHeader, headers: request.headers))
        if phase == .connected { watchSocket() }
    }

    // MARK: Connected (the socket is ours)

    /// Readable always; writable while frames wait.
    private func watchSocket() {
        guard phase == .connected, let socketPoll else { return }
        let events: UVPoll.Events = outbox.isEmpty ? [.readable] : [.readable, .writable]
        do {
            try socketPoll.start(events) { [unowned self] status, ready in
                if status < 0 {
                    self.perform(self.session.ended(error: "poll error \(status)"))
                    return
                }
                if ready.contains(.writable) { self.flush() }
                if ready.contains(.readable) { self.readSlice() }
                self.watchSocket()
            }
        } catch {
            perform(session.ended(error: "\(error)"))
        }
    }

    /// Reads until curl says `CURLE_AGAIN` (TLS may hold decrypted bytes the socket no longer signals), or
    /// until this turn's share is used up; then the rest is read on the next loop iteration.
    private func readSlice() {
        var total = 0
        while phase == .connected {
            if total >= Self.sliceBytes {
                moreToRead.start { [unowned self] in
                    self.moreToRead.stop()
                    self.readSlice()
                }
                return
            }
            var count = 0
            let buffer = Self.readBuffer
            let rc = curl_easy_recv(easy, buffer.baseAddress, buffer.count, &count)
            if rc == CURLE_AGAIN { return }
            guard rc == CURLE_OK else {
                perform(session.ended(error: CurlError.easy(rc, "curl_easy_recv").description))
                return
            }
            if count == 0 {
                perform(session.ended())
                return
            }
            total += count
            perform(session.received(UnsafeRawBufferPointer(rebasing: buffer[0..<count])))
        }
    }

    /// Writes queued frames until they are gone or the socket is full.
    private func flush() {
        while phase == .connected, let first = outbox.first {
            var sent = 0
            let rc = first.withUnsafeBytes { bytes in
                curl_easy_send(easy, bytes.baseAddress! + written, bytes.count - written, &sent)
            }
            if rc == CURLE_AGAIN { return }
            guard rc == CURLE_OK else {
                outbox.removeAll()
                written = 0
                perform(session.ended(error: CurlError.easy(rc, "curl_easy_send").description))
                return
            }
            written += sent
            if written == first.count {
                outbox.removeFirst()
                written = 0
            }
        }
    }

    // MARK: Actions of the state machine

    private func perform(_ actions: [WebSocketSessionState.Action]) {
        for action in actions {
            guard phase != .finished else { return }
            switch action {
            case .write(let bytes):
                outbox.append(bytes)
                flush()
                watchSocket()
            case .deliver(let event):
                for command in handler(event) {
                    let wasClosing = session.isClosing
                    perform(session.command(command))
                    if !wasClosing, session.isClosing {
                        deadline.start(timeoutMs: Self.closeGraceMilliseconds) { [unowned self] in
                            self.perform(self.session.ended())
                        }
                    }
                }
            case .finish(let how):
                end(.success(how))
            case .fail(let error):
                end(.failure(error))
            }
        }
    }
}
