/// How to trust the server and prove who we are on one TLS connection. Certificate and key material is
/// held in memory (PEM bytes) and handed to libcurl as blobs, never written to disk.
///
/// Plain value, any thread. `description` never shows key or certificate bytes.
public struct TLSOptions: Sendable, Equatable, CustomStringConvertible {
    /// PEM bundle of trusted CAs; nil with `caFile` nil means the system store.
    public var caData: [UInt8]?
    public var caFile: String?
    public var clientCertificate: [UInt8]?
    public var clientKey: [UInt8]?
    /// Skip verification of the server's certificate (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool
    /// The name to verify and send as SNI instead of the URL's host (kubeconfig `tls-server-name`).
    public var serverName: String?

    public init(caData: [UInt8]? = nil, caFile: String? = nil, clientCertificate: [UInt8]? = nil,
                clientKey: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil) {
        self.caData = caData
        self.caFile = caFile
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }

    public var description: String {
        "TLSOptions(ca: \(caData != nil ? "inline" : caFile ?? "system"), clientCertificate: \(clientCertificate != nil), "
            + "insecure: \(insecureSkipVerify), serverName: \(serverName ?? "-"))"
    }
}

/// One HTTP request for libcurl.
///
/// Plain value, any thread. Header values may hold credentials: never log a request's headers.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var tls: TLSOptions
    /// `http://`, `https://` or `socks5://` proxy URL.
    public var proxy: String?
    /// Whole-request deadline; nil for streams (watch, follow) that last until cancelled.
    public var timeoutMilliseconds: Int?
    public var connectTimeoutMilliseconds: Int

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                tls: TLSOptions = TLSOptions(), proxy: String? = nil, timeoutMilliseconds: Int? = 30_000,
                connectTimeoutMilliseconds: Int = 10_000) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
        self.proxy = proxy
        self.timeoutMilliseconds = timeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
    }
}

/// The status line and headers of a response.
public struct HTTPClientResponseHead: Sendable {
    public var status: Int
    /// Header names lower-cased, in arrival order.
    public var headers: [(String, String)]
    /// 1.1 or 2.
    public var httpVersion: String

    public init(status: Int, headers: [(String, String)], httpVersion: String) {
        self.status = status
        self.headers = headers
        self.httpVersion = httpVersion
    }

    /// The first value of a header (name matched case-insensitively).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first(where: { $0.0 == lower })?.1
    }
}

/// A complete response.
public struct HTTPClientResponse: Sendable {
    public var head: HTTPClientResponseHead
    public var body: [UInt8]

    public var status: Int { head.status }
}
