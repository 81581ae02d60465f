import CCurl

/// A failed libcurl call or transfer: which function, libcurl's code and its message.
///
/// Plain value, any thread.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// An easy-interface code (`CURLcode`), e.g. 7 couldn't connect, 28 timeout, 60 bad certificate.
        case easy(Int32)
        /// A multi-interface code (`CURLMcode`).
        case multi(Int32)
        /// The caller cancelled the transfer.
        case cancelled
        /// libcurl could not create a handle.
        case outOfResources
    }

    public let kind: Kind
    public let function: String
    public let message: String

    public init(kind: Kind, function: String, message: String) {
        self.kind = kind
        self.function = function
        self.message = message
    }

    static func easy(_ code: CURLcode, _ function: String, detail: String = "") -> CurlError {
        let text = String(cString: curl_easy_strerror(code))
        return CurlError(kind: .easy(Int32(code.rawValue)), function: function,
                         message: detail.isEmpty ? text : "\(text): \(detail)")
    }

    static func multi(_ code: CURLMcode, _ function: String) -> CurlError {
        CurlError(kind: .multi(code.rawValue), function: function, message: String(cString: curl_multi_strerror(code)))
    }

    public static let cancelled = CurlError(kind: .cancelled, function: "cancel", message: "the request was cancelled")

    /// A timeout (connect or whole request).
    public var isTimeout: Bool { kind == .easy(Int32(CURLE_OPERATION_TIMEDOUT.rawValue)) }

    /// Failures where nothing reached the server, or the connection broke: safe to retry an idempotent GET.
    public var isConnectionFailure: Bool {
        switch kind {
        case .easy(let code):
            return [CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
                    CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM]
                .map { Int32($0.rawValue) }.contains(code)
        default:
            return false
        }
    }

    public var description: String { "\(function): \(message)" }
}
