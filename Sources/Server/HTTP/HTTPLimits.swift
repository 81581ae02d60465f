/// Size, count and time limits of the HTTP server, resolved from the command line (see `ServerOptions`).
///
/// Plain value, safe on any thread. Sizes and counts are `Int`; durations are `Double` seconds (fractions
/// allowed, so tests can use short timeouts), with `...Milliseconds` views for libuv timers.
public struct HTTPLimits: Sendable, Equatable {
    /// Longest request line (method, target, version) accepted, in bytes.
    public var maxRequestLineBytes: Int
    /// Most header fields accepted in one request.
    public var maxHeaderCount: Int
    /// Largest total size of the header section, in bytes.
    public var maxHeaderBytes: Int
    /// Largest request body, in bytes.
    public var maxBodyBytes: Int
    /// Seconds a client has to send the complete request head once it starts.
    public var headerTimeout: Double
    /// Seconds an idle keep-alive connection is kept open.
    public var idleTimeout: Double
    /// Most simultaneous connections asked for; see `effectiveMaxConnections(descriptorLimit:)`.
    public var maxConnections: Int
    /// Most bytes queued for one slow stream (SSE) before the server drops it.
    public var streamQueueBytes: Int
    /// Seconds between SSE keep-alive comments on idle streams.
    public var heartbeatInterval: Double
    /// Seconds that in-flight requests get to finish on shutdown before connections are closed.
    public var shutdownGrace: Double

    /// Descriptors kept free for files, the kubeconfig, curl and the API server connections.
    public static let descriptorReserve = 64

    /// The defaults: 8 KiB request line, 100 headers, 32 KiB head, 4 MiB body, 10 s head timeout, 60 s idle,
    /// 50 000 connections, 1 MiB per stream, 15 s heartbeat, 10 s shutdown grace.
    public static let defaults = HTTPLimits(
        maxRequestLineBytes: 8192, maxHeaderCount: 100, maxHeaderBytes: 32768, maxBodyBytes: 4 * 1024 * 1024,
        headerTimeout: 10, idleTimeout: 60, maxConnections: 50_000, streamQueueBytes: 1024 * 1024,
        heartbeatInterval: 15, shutdownGrace: 10)

    public init(maxRequestLineBytes: Int, maxHeaderCount: Int, maxHeaderBytes: Int, maxBodyBytes: Int,
                headerTimeout: Double, idleTimeout: Double, maxConnections: Int, streamQueueBytes: Int,
                heartbeatInterval: Double, shutdownGrace: Double) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.streamQueueBytes = streamQueueBytes
        self.heartbeatInterval = heartbeatInterval
        self.shutdownGrace = shutdownGrace
    }

    /// The connection cap to enforce: `maxConnections`, but no more than the descriptor soft limit
    /// (`getrlimit(RLIMIT_NOFILE)`, passed in by the caller) minus `descriptorReserve`, and at least 1.
    public func effectiveMaxConnections(descriptorLimit: Int) -> Int {
        max(1, min(maxConnections, descriptorLimit - Self.descriptorReserve))
    }

    public var headerTimeoutMilliseconds: UInt64 { Self.milliseconds(headerTimeout) }
    public var idleTimeoutMilliseconds: UInt64 { Self.milliseconds(idleTimeout) }
    public var heartbeatIntervalMilliseconds: UInt64 { Self.milliseconds(heartbeatInterval) }
    public var shutdownGraceMilliseconds: UInt64 { Self.milliseconds(shutdownGrace) }

    private static func milliseconds(_ seconds: Double) -> UInt64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return UInt64(min(seconds * 1000, Double(UInt64.max / 2)).rounded())
    }
}
