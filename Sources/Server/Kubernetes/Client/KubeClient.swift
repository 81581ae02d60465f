import Foundation
import Logging
import Synchronization

/// The client for one kubeconfig context: every call to that API server goes through it, with the
/// credentials kubectl would use, a rate limit, deadlines and retries, over libcurl on the event loop.
///
/// Immutable and `Sendable`; any task. Decoding happens in the caller's task, never on the loop. Every request
/// passes `authorize(_:)` (the request policy of `Options.policy`) before it can reach the network.
public final class KubeClient: KubeAPI {
    /// Tunables, from the server's configuration.
    public struct Options: Sendable, Equatable {
        public var qps: Double = 50
        public var burst: Int = 100
        public var timeoutMilliseconds: Int = 30_000
        public var maxRetries: Int = 5
        public var userAgent: String = "kube-mcp/\(ServerInfo.version)"
        /// The guard rails checked on every request (`--read-only`, `--denied-resources`, `--allowed-namespaces`).
        public var policy = KubeRequestPolicy()

        public init() {}
    }

    public let context: ResolvedContext
    public let options: Options
    let credentials: any CredentialSource
    let limiter: RateLimiter
    let baseURL: String
    let proxy: String?
    let logger: Logger
    let discoveryStorage = Mutex<DiscoveryCache?>(nil)

    public init(context: ResolvedContext, credentials: any CredentialSource, options: Options, logger: Logger) {
        self.context = context
        self.credentials = credentials
        self.options = options
        self.logger = logger
        limiter = RateLimiter(qps: options.qps, burst: options.burst)
        var server = context.cluster.server.absoluteString
        while server.hasSuffix("/") { server.removeLast() }
        baseURL = server
        proxy = context.cluster.proxyURL?.absoluteString
    }

    /// The HTTP request libcurl gets for `request` with `auth`.
    func httpRequest(_ request: KubeRequest, auth: RequestAuth, timeoutMilliseconds: Int?) -> HTTPClientRequest {
        var headers: [(String, String)] = [("Accept", request.accept), ("User-Agent", options.userAgent)]
        if let contentType = request.contentType { headers.append(("Content-Type", contentType)) }
        headers += auth.headers
        return HTTPClientRequest(method: request.method, url: baseURL + request.pathAndQuery, headers: headers,
                                 body: request.body, tls: auth.tls, proxy: proxy,
                                 timeoutMilliseconds: timeoutMilliseconds)
    }

    public func send(_ request: KubeRequest) async throws(KubeError) -> KubeResponse {
        try await authorize(request)
        let budget = request.timeoutMilliseconds ?? options.timeoutMilliseconds
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(budget))
        var attempt = 0
        var refreshedCredentials = false
        while true {
            if Task.isCancelled { throw .cancelled }
            do { try await limiter.acquire() } catch { throw .cancelled }
            let auth = try await credentials.current()
            let remaining = Self.milliseconds(clock.now.duration(to: deadline))
            guard remaining > 0 else { throw .timeout(milliseconds: budget) }
            let response: HTTPClientResponse
            do {
                response = try await HTTPClient.perform(httpRequest(request, auth: auth, timeoutMilliseconds: remaining))
            } catch {
                if error.kind == .cancelled || Task.isCancelled { throw .cancelled }
                if error.isTimeout { throw .timeout(milliseconds: budget) }
                if request.isIdempotent, error.isConnectionFailure, attempt < options.maxRetries {
                    attempt += 1
                    try await pause(Self.backoff(attempt), before: deadline, budget: budget)
                    continue
                }
                throw .transport(error.description)
            }
            switch response.status {
            case 200..<300:
                return KubeResponse(status: response.status, headers: response.head.headers, body: response.body)
            case 401 where !refreshedCredentials:
                // Tokens rotate and plugins' credentials expire: fetch fresh ones once.
                refreshedCredentials = true
                await credentials.invalidate()
                continue
            case 429 where attempt < options.maxRetries, 503 where attempt < options.maxRetries:
                attempt += 1
                let status = KubeStatus.parse(httpStatus: response.status, body: response.body)
                let wait = Self.retryAfter(response.head.header("retry-after"), status: status)
                    ?? Self.backoff(attempt)
                logger.debug("k8s.request.retry", metadata: ["k8s.status": "\(response.status)",
                                                             "k8s.attempt": "\(attempt)"])
                try await pause(wait, before: deadline, budget: budget)
                continue
            default:
                throw .status(KubeStatus.parse(httpStatus: response.status, body: response.body))
            }
        }
    }

    public func stream(_ request: KubeRequest) -> AsyncThrowingStream<[UInt8], Error> {
        let (output, continuation) = AsyncThrowingStream<[UInt8], Error>.makeStream()
        let task = Task {
            do {
                try await authorize(request)
                try await limiter.acquire()
                let auth = try await credentials.current()
                var status = 0
                var errorBody: [UInt8] = []
                for try await event in HTTPClient.stream(httpRequest(request, auth: auth, timeoutMilliseconds: nil)) {
                    switch event {
                    case .head(let head): status = head.status
                    case .data(let bytes):
                        if (200..<300).contains(status) { continuation.yield(bytes) } else { errorBody += bytes }
                    }
                }
                if !(200..<300).contains(status) {
                    if status == 401 { await credentials.invalidate() }
                    throw KubeError.status(KubeStatus.parse(httpStatus: status, body: errorBody))
                }
                continuation.finish()
            } catch let error as KubeError {
                continuation.finish(throwing: error)
            } catch let error as CurlError {
                continuation.finish(throwing: error.kind == .cancelled ? KubeError.cancelled
                                                                        : KubeError.transport(error.description))
            } catch {
                continuation.finish(throwing: KubeError.cancelled)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return output
    }

    /// Sleeps unless that would pass the deadline.
    private func pause(_ wait: Duration, before deadline: ContinuousClock.Instant, budget: Int) async throws(KubeError) {
        if ContinuousClock().now.advanced(by: wait) >= deadline { throw .timeout(milliseconds: budget) }
        do { try await Task.sleep(for: wait) } catch { throw .cancelled }
    }

    /// Exponential backoff with jitter: 100 ms, 200 ms, 400 ms, ... capped at 5 s.
    static func backoff(_ attempt: Int) -> Duration {
        let base = min(5_000, 100 << min(attempt - 1, 10))
        return .milliseconds(base + Int.random(in: 0...(base / 4)))
    }

    /// The server's requested wait: `Retry-After` seconds, else `details.retryAfterSeconds`; capped at 30 s.
    static func retryAfter(_ header: String?, status: KubeStatus) -> Duration? {
        if let header, let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return .seconds(min(seconds, 30))
        }
        if let seconds = status.retryAfterSeconds, seconds >= 0 { return .seconds(min(seconds, 30)) }
        return nil
    }

    static func milliseconds(_ d: Duration) -> Int {
        Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }
}
