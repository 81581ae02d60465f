/// WebSocket sessions (pods/exec) to this client's API server, with the same credentials, rate limit and proxy
/// as every other call.
///
/// Plain extension; any task. The handler runs on the loop.
extension KubeClient {
    /// Opens a WebSocket for `request` (its path and query; the upgrade itself is a GET) and runs it to its
    /// end. A refusal before the upgrade becomes the server's Status (404 pod not found, 400 container not
    /// found, 403 forbidden); a 401 refreshes the credentials once and tries again.
    ///
    /// Guard rails: `request` describes the operation for policy checks (exec is a `create` on pods/exec, so
    /// callers pass method POST even though the upgrade request is a GET).
    func webSocket(_ request: KubeRequest, protocols: [String], timeoutMilliseconds: Int,
                   handler: @escaping @LoopActor @Sendable (WebSocketEvent) -> [WebSocketCommand])
        async throws(KubeError) -> WebSocketEnd
    {
        // The guard rails (read-only, denied kinds, allowed namespaces) decide before anything is sent.
        try await authorize(request)
        var refreshedCredentials = false
        while true {
            if Task.isCancelled { throw .cancelled }
            do { try await limiter.acquire() } catch { throw .cancelled }
            let auth = try await credentials.current()
            let headers = [("User-Agent", options.userAgent)] + auth.headers
            let socketRequest = WebSocketRequest(url: baseURL + request.pathAndQuery, headers: headers,
                                                 protocols: protocols, tls: auth.tls, proxy: proxy,
                                                 timeoutMilliseconds: timeoutMilliseconds)
            do {
                return try await WebSocketClient.run(socketRequest, handler: handler)
            } catch {
                switch error {
                case .rejected(401, _) where !refreshedCredentials:
                    refreshedCredentials = true
                    await credentials.invalidate()
                    continue
                case .rejected(let status, let body):
                    if status == 401 { await credentials.invalidate() }
                    throw .status(KubeStatus.parse(httpStatus: status, body: body))
                case .cancelled:
                    throw .cancelled
                case .timedOut:
                    throw .timeout(milliseconds: timeoutMilliseconds)
                case .connection(let curl):
                    if curl.kind == .cancelled || Task.isCancelled { throw .cancelled }
                    if curl.isTimeout { throw .timeout(milliseconds: timeoutMilliseconds) }
                    throw .transport(curl.description)
                case .handshake, .protocolViolation, .messageTooLarge:
                    // The server answered, but not with a usable WebSocket (e.g. it knows no v4/v5 exec protocol).
                    throw .decoding("the API server's WebSocket answer was not usable: \(error)")
                }
            }
        }
    }
}
