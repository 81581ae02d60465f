/// Why a request could not be read; each case maps to the status the client receives.
public enum HTTPParseError: Error, Sendable, Equatable {
    /// The request line (method + target) exceeds the configured limit: 414.
    case requestLineTooLong(limit: Int)
    /// More header fields than allowed: 431.
    case tooManyHeaders(limit: Int)
    /// The header section is larger than allowed: 431.
    case headersTooLarge(limit: Int)
    /// The declared or received body is larger than allowed: 413.
    case bodyTooLarge(limit: Int)
    /// Both Content-Length and Transfer-Encoding were sent: 400.
    case contentLengthWithTransferEncoding
    /// Several Content-Length fields that disagree (or repeat): 400.
    case conflictingContentLength
    /// A Transfer-Encoding other than `chunked`: 400.
    case unsupportedTransferEncoding(String)
    /// Anything else http-parser rejected (names its error): 400.
    case malformed(String)

    /// The HTTP status to answer with.
    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: return .uriTooLong
        case .tooManyHeaders, .headersTooLarge: return .requestHeaderFieldsTooLarge
        case .bodyTooLarge: return .payloadTooLarge
        case .contentLengthWithTransferEncoding, .conflictingContentLength, .unsupportedTransferEncoding, .malformed:
            return .badRequest
        }
    }

    /// A short sentence for the JSON error body.
    public var message: String {
        switch self {
        case .requestLineTooLong(let limit): return "request line longer than \(limit) bytes"
        case .tooManyHeaders(let limit): return "more than \(limit) header fields"
        case .headersTooLarge(let limit): return "header section larger than \(limit) bytes"
        case .bodyTooLarge(let limit): return "request body larger than \(limit) bytes"
        case .contentLengthWithTransferEncoding: return "Content-Length and Transfer-Encoding must not both be sent"
        case .conflictingContentLength: return "more than one Content-Length"
        case .unsupportedTransferEncoding(let te): return "unsupported Transfer-Encoding \"\(te)\" (only chunked)"
        case .malformed(let reason): return "malformed HTTP request (\(reason))"
        }
    }
}
