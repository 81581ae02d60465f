#if canImport(Glibc)
import Glibc
#endif

/// Builds HTTP/1.1 response bytes: status line, headers, and either a fixed body or the start of a chunked
/// stream; also frames chunks and server-sent events.
///
/// Stateless apart from the cached `Date` value, which the loop refreshes once a second; loop thread only.
@LoopActor
public enum HTTPResponseEncoder {
    /// `Date: ...\r\n`, refreshed by `refreshDate()`.
    private static var dateLine: [UInt8] = makeDateLine()

    /// Recomputes the cached Date header (call once a second).
    public static func refreshDate() { dateLine = makeDateLine() }

    /// A complete response with a body of known length.
    public static func response(status: HTTPStatus, headers: [(String, String)] = [], body: [UInt8] = [],
                                contentType: String? = "application/json", keepAlive: Bool) -> [UInt8] {
        response(status: status, headers: headers, bodyParts: [body], contentType: contentType, keepAlive: keepAlive)
    }

    /// A complete response whose body is the concatenation of `bodyParts`, copied once into the response
    /// (a JSON-RPC envelope around a cached result needs no intermediate buffer).
    public static func response(status: HTTPStatus, headers: [(String, String)] = [], bodyParts: [[UInt8]],
                                contentType: String? = "application/json", keepAlive: Bool) -> [UInt8] {
        var length = 0
        for part in bodyParts { length += part.count }
        var out: [UInt8] = []
        out.reserveCapacity(200 + length)
        appendHead(&out, status: status, headers: headers, contentType: length == 0 ? nil : contentType,
                   keepAlive: keepAlive)
        appendASCII(&out, "Content-Length: ")
        appendASCII(&out, String(length))
        appendASCII(&out, "\r\n\r\n")
        for part in bodyParts { out.append(contentsOf: part) }
        return out
    }

    /// The head of a chunked `text/event-stream` response; events follow as chunks.
    public static func eventStreamHead(headers: [(String, String)] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        appendHead(&out, status: .ok, headers: headers, contentType: "text/event-stream", keepAlive: true)
        appendASCII(&out, "Cache-Control: no-cache, no-transform\r\nX-Accel-Buffering: no\r\n")
        appendASCII(&out, "Transfer-Encoding: chunked\r\n\r\n")
        return out
    }

    /// One SSE event (`event: <name>` + `data: <payload>`) framed as one HTTP chunk, appended to `out`.
    public nonisolated static func appendEventChunk(_ out: inout [UInt8], event: StaticString, data: [UInt8]) {
        // "event: " + name + "\ndata: " + data + "\n\n"
        let size = 7 + event.utf8CodeUnitCount + 7 + data.count + 2
        appendASCII(&out, String(size, radix: 16))
        appendASCII(&out, "\r\nevent: ")
        event.withUTF8Buffer { out.append(contentsOf: $0) }
        appendASCII(&out, "\ndata: ")
        out.append(contentsOf: data)
        appendASCII(&out, "\n\n\r\n")
    }

    /// The last chunk of a chunked response.
    public nonisolated static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// An SSE comment line framed as a chunk: the heartbeat.
    public nonisolated static let heartbeatChunk: [UInt8] = Array("8\r\n: ping\n\n\r\n".utf8)

    private static func appendHead(_ out: inout [UInt8], status: HTTPStatus, headers: [(String, String)],
                                   contentType: String?, keepAlive: Bool) {
        appendASCII(&out, "HTTP/1.1 ")
        appendASCII(&out, String(status.code))
        out.append(0x20)
        appendASCII(&out, status.reason)
        appendASCII(&out, "\r\nServer: kube-mcp\r\n")
        out.append(contentsOf: dateLine)
        if let contentType {
            appendASCII(&out, "Content-Type: ")
            appendASCII(&out, contentType)
            appendASCII(&out, "\r\n")
        }
        if !keepAlive { appendASCII(&out, "Connection: close\r\n") }
        for (name, value) in headers {
            appendASCII(&out, name)
            appendASCII(&out, ": ")
            appendASCII(&out, value)
            appendASCII(&out, "\r\n")
        }
    }

    @inline(__always)
    private nonisolated static func appendASCII(_ out: inout [UInt8], _ s: String) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    @inline(__always)
    private nonisolated static func appendASCII(_ out: inout [UInt8], _ s: StaticString) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func makeDateLine() -> [UInt8] {
        var t = time(nil)
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let text = "Date: \(days[Int(tm.tm_wday)]), \(two(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(tm.tm_year + 1900) "
            + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) GMT\r\n"
        return Array(text.utf8)
    }

    /// The short JSON body every HTTP-level error carries: `{"error":{"status":N,"message":"..."}}`.
    public nonisolated static func errorBody(status: HTTPStatus, message: String) -> [UInt8] {
        var w = JSONWriter()
        w.write(["error": ["status": .int(status.code), "message": .string(message)]])
        return w.bytes
    }
}
