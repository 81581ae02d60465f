/// One WebSocket session to open: where, with which headers and subprotocols, how to trust the server, and the
/// limits that bound it.
///
/// Plain value, any thread. Header values may hold credentials: never log a request's headers.
public struct WebSocketRequest: Sendable {
    /// `https://host:port/path?query` (or `http://`): the scheme, host and port to connect to, and the request
    /// target of the upgrade request.
    public var url: String
    /// Extra headers of the upgrade request (User-Agent, Authorization, ...).
    public var headers: [(String, String)]
    /// Subprotocols to offer, most preferred first (`Sec-WebSocket-Protocol`).
    public var protocols: [String]
    public var tls: TLSOptions
    /// `http://`, `https://` or `socks5://` proxy URL; HTTP proxies are asked for a CONNECT tunnel.
    public var proxy: String?
    public var connectTimeoutMilliseconds: Int
    /// Deadline for the whole session, from the start of the connection to its end.
    public var timeoutMilliseconds: Int
    /// The largest message accepted (all fragments together); larger ones end the session.
    public var maxMessageBytes: Int

    /// Default `maxMessageBytes`: 16 MiB. Kubernetes sends exec output in pieces of 32 KiB or less.
    public static let defaultMaxMessageBytes = 16 * 1024 * 1024

    public init(url: String, headers: [(String, String)] = [], protocols: [String] = [], tls: TLSOptions = TLSOptions(),
                proxy: String? = nil, connectTimeoutMilliseconds: Int = 10_000, timeoutMilliseconds: Int = 30_000,
                maxMessageBytes: Int = WebSocketRequest.defaultMaxMessageBytes) {
        self.url = url
        self.headers = headers
        self.protocols = protocols
        self.tls = tls
        self.proxy = proxy
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxMessageBytes = maxMessageBytes
    }
}
