/// Why a Kubernetes API call failed, in words a person (or a model) can act on.
///
/// Plain value, any thread. Never carries credential values.
public enum KubeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The API server answered with an error Status.
    case status(KubeStatus)
    /// The request never got an answer (connection refused, TLS failure, timeout).
    case transport(String)
    /// Credentials could not be obtained (token file unreadable, exec plugin failed, ...).
    case credentials(String)
    /// The answer could not be understood.
    case decoding(String)
    /// The kubeconfig or the request cannot work (unknown context, unknown kind, bad argument).
    case configuration(String)
    /// The call took longer than its deadline.
    case timeout(milliseconds: Int)
    /// The caller cancelled.
    case cancelled
    /// A guard rail of the server (`--read-only`, `--denied-resources`, `--allowed-namespaces`) refused the
    /// request before it was sent; `message` names the rule and how to change it.
    case refused(rule: String, message: String)

    /// The HTTP status code when the server answered.
    public var statusCode: Int? {
        if case .status(let s) = self { return s.code }
        return nil
    }

    public var description: String {
        switch self {
        case .status(let s):
            var text = "\(s.reason) (\(s.code)): \(s.message)"
            for cause in s.causes {
                text += "\n  - \(cause.field.isEmpty ? "" : cause.field + ": ")\(cause.message)"
            }
            switch s.code {
            case 401: text += "\nThe credentials in the kubeconfig were rejected; check that they are current."
            case 403: text += "\nThe kubeconfig's user lacks RBAC permission for this; ask for a Role that allows it."
            case 404 where s.kind != nil: text += "\nCheck the name, the namespace and the kind."
            case 409 where s.reason == "Conflict": text += "\nThe object changed meanwhile; read it again and retry."
            case 429: text += "\nThe API server is rate-limiting; retry later."
            default: break
            }
            return text
        case .transport(let message): return "cannot reach the API server: \(message)"
        case .credentials(let message): return "cannot get credentials: \(message)"
        case .decoding(let message): return message
        case .configuration(let message): return message
        case .timeout(let ms): return "the API call did not finish within \(ms) ms"
        case .cancelled: return "the API call was cancelled"
        case .refused(_, let message): return message
        }
    }
}

/// The calls the Kubernetes layer makes, so that discovery, watches and tools depend on this protocol and
/// not on libcurl.
public protocol KubeAPI: Sendable {
    /// Sends a request and returns the 2xx answer, or throws the server's Status or a transport error.
    func send(_ request: KubeRequest) async throws(KubeError) -> KubeResponse
    /// Opens a streaming request (watch, followed logs): chunks as they arrive; the stream ends with the
    /// response or throws `KubeError`. Cancelling the consuming task closes the connection.
    func stream(_ request: KubeRequest) -> AsyncThrowingStream<[UInt8], Error>
}
