import Foundation

/// Reads the server's answer to the upgrade request from bytes as they arrive: the response head, and for an
/// answer other than 101 its body (Content-Length, chunked, or up to the end of the connection), so that the
/// caller can show the server's own error (a Kubernetes Status).
///
/// A pure state machine: plain value, no I/O, any thread (its owner runs it on the loop).
struct WebSocketHandshakeReader {
    /// The longest response head accepted.
    static let maxHeadBytes = 16 * 1024
    /// The most body kept from a refusal; the rest is not waited for.
    static let maxBodyBytes = 64 * 1024

    /// What the bytes so far amount to.
    enum Progress: Equatable {
        case needMore
        /// A 101 answer, and the bytes after its head (the first WebSocket frames).
        case upgraded(WebSocketResponseHead, leftover: [UInt8])
        /// Another status, with its body (cut at `maxBodyBytes`).
        case refused(WebSocketResponseHead, body: [UInt8])
    }

    private enum Body {
        case length(Int)
        case chunked
        case untilClose
    }

    private var buffer: [UInt8] = []
    private var head: WebSocketResponseHead?
    private var body: Body = .untilClose

    init() {}

    /// Adds bytes; returns the outcome once it is known.
    mutating func feed(_ bytes: some Collection<UInt8>) throws(WebSocketError) -> Progress {
        buffer.append(contentsOf: bytes)
        if head == nil {
            guard let end = Self.endOfHead(buffer) else {
                if buffer.count > Self.maxHeadBytes {
                    throw .handshake("the response head exceeds \(Self.maxHeadBytes) bytes")
                }
                return .needMore
            }
            let parsed = try Self.parseHead(buffer[..<end])
            buffer.removeFirst(end + 4)
            if parsed.status == 101 { return .upgraded(parsed, leftover: buffer) }
            head = parsed
            if parsed.header("transfer-encoding")?.lowercased().contains("chunked") == true {
                body = .chunked
            } else if let length = parsed.header("content-length").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
                      length >= 0
            {
                body = .length(length)
            }
        }
        return bodyProgress(atEnd: false)
    }

    /// The connection ended: what was read is all there is.
    mutating func finish() throws(WebSocketError) -> Progress {
        guard head != nil else {
            throw .handshake(buffer.isEmpty ? "the server closed the connection without answering"
                                            : "the server closed the connection inside the response head")
        }
        return bodyProgress(atEnd: true)
    }

    private func bodyProgress(atEnd: Bool) -> Progress {
        guard let head else { return .needMore }
        switch body {
        case .length(let length):
            if buffer.count >= min(length, Self.maxBodyBytes) || atEnd {
                return .refused(head, body: Array(buffer.prefix(min(length, Self.maxBodyBytes))))
            }
        case .chunked:
            let (decoded, complete) = Self.dechunk(buffer)
            if complete || decoded.count >= Self.maxBodyBytes || atEnd {
                return .refused(head, body: Array(decoded.prefix(Self.maxBodyBytes)))
            }
        case .untilClose:
            if buffer.count >= Self.maxBodyBytes || atEnd {
                return .refused(head, body: Array(buffer.prefix(Self.maxBodyBytes)))
            }
        }
        return .needMore
    }

    /// The offset of the blank line ending the head.
    static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }

    static func parseHead(_ bytes: ArraySlice<UInt8>) throws(WebSocketError) -> WebSocketResponseHead {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...599).contains(status)
        else {
            throw .handshake("not an HTTP/1.1 status line: \(statusLine.prefix(80))")
        }
        var headers: [WebSocketResponseHead.Header] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append(.init(name: name, value: value))
        }
        return WebSocketResponseHead(status: status, headers: headers)
    }

    /// Decodes a chunked body as far as it goes; `complete` once the last (zero) chunk was seen.
    static func dechunk(_ bytes: [UInt8]) -> (body: [UInt8], complete: Bool) {
        var out: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = (i..<max(i, bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 })
            else { return (out, false) }
            let sizeText = String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                return (out, true)
            }
            if size == 0 { return (out, true) }
            let start = lineEnd + 2
            let end = start + size
            out += bytes[start..<min(end, bytes.count)]
            guard end + 2 <= bytes.count else { return (out, false) }
            i = end + 2
        }
    }
}
