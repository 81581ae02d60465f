import Foundation

/// The client's opening handshake (RFC 6455 §4.1): the HTTP/1.1 upgrade request with a random key, and the
/// checks of the server's 101 answer (accept key, upgrade headers, agreed subprotocol, no extensions).
///
/// Plain value, any thread. The request holds the caller's headers (credentials): never log it.
struct WebSocketHandshake: Sendable {
    /// RFC 6455's fixed GUID appended to the key before hashing.
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// `Sec-WebSocket-Key`: 16 random bytes, base64.
    let key: String
    /// The subprotocols offered, most preferred first.
    let protocols: [String]

    init(key: String, protocols: [String]) {
        self.key = key
        self.protocols = protocols
    }

    /// A handshake with a fresh random key.
    init(protocols: [String]) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        self.init(key: Data(bytes).base64EncodedString(), protocols: protocols)
    }

    /// The `Sec-WebSocket-Accept` value a server must send for `key`.
    static func acceptValue(forKey key: String) -> String {
        Data(SHA1.digest(Array((key + guid).utf8))).base64EncodedString()
    }

    /// The request bytes: `GET target HTTP/1.1`, Host, the upgrade headers, then `headers` (User-Agent,
    /// Authorization, ...).
    func requestBytes(target: String, host: String, headers: [(String, String)]) -> [UInt8] {
        var lines = ["GET \(target) HTTP/1.1", "Host: \(host)", "Connection: Upgrade", "Upgrade: websocket",
                     "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: \(key)"]
        if !protocols.isEmpty { lines.append("Sec-WebSocket-Protocol: \(protocols.joined(separator: ", "))") }
        for (name, value) in headers {
            // A header value with a line break would smuggle headers: drop it (values come from kubeconfigs).
            guard !name.contains(where: \.isNewline), !value.contains(where: \.isNewline) else { continue }
            lines.append("\(name): \(value)")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Checks a 101 answer; returns the agreed subprotocol (nil when none was offered).
    func verify(_ head: WebSocketResponseHead) throws(WebSocketError) -> String? {
        guard head.status == 101 else { throw .handshake("expected HTTP 101, got \(head.status)") }
        guard head.header("upgrade")?.lowercased() == "websocket" else {
            throw .handshake("the answer lacks \"Upgrade: websocket\"")
        }
        let connection = head.header("connection")?.lowercased().split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        guard connection.contains("upgrade") else { throw .handshake("the answer lacks \"Connection: Upgrade\"") }
        guard head.header("sec-websocket-accept") == Self.acceptValue(forKey: key) else {
            throw .handshake("Sec-WebSocket-Accept does not match the key sent")
        }
        if let extensions = head.header("sec-websocket-extensions"), !extensions.isEmpty {
            throw .handshake("the server chose an extension that was not offered")
        }
        guard !protocols.isEmpty else { return nil }
        guard let chosen = head.header("sec-websocket-protocol")?.trimmingCharacters(in: .whitespaces),
              protocols.contains(chosen)
        else {
            throw .handshake("the server agreed to none of the offered subprotocols "
                             + protocols.joined(separator: ", "))
        }
        return chosen
    }
}

/// The status line and headers of the server's answer to the upgrade request.
///
/// Plain value, any thread.
struct WebSocketResponseHead: Sendable, Equatable {
    var status: Int
    /// Header names lower-cased, in arrival order.
    var headers: [Header]

    struct Header: Sendable, Equatable {
        var name: String
        var value: String
    }

    /// The first value of a header (name matched case-insensitively).
    func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name == lower }?.value
    }
}
