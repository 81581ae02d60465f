/// Running a command in a container (`pods/exec`) over the API server's WebSocket protocol
/// (`v5.channel.k8s.io`, else `v4.channel.k8s.io`): argv only (no shell unless the argv names one), no stdin,
/// no TTY; stdout and stderr kept up to a limit each; an overall timeout.
///
/// Plain extension; any task. Cancelling the task closes the connection at once.
extension KubeClients.Connection {
    /// Limits of `exec`.
    public enum ExecLimits {
        /// Default timeout: 30 s.
        public static let defaultTimeoutSeconds = 30
        /// Largest timeout accepted: 300 s.
        public static let maxTimeoutSeconds = 300
        /// Default bytes kept of stdout and, separately, of stderr: 1 MiB.
        public static let defaultOutputLimit = 1024 * 1024
    }

    /// The request describing an exec for policy checks and for the upgrade's path and query.
    public static func execRequest(pod: String, namespace: String, container: String?, command: [String])
        -> KubeRequest
    {
        var query = command.map { ("command", $0) }
        if let container, !container.isEmpty { query.append(("container", container)) }
        query += [("stdin", "false"), ("stdout", "true"), ("stderr", "true"), ("tty", "false")]
        let path = APIResourceInfo.pods.path(namespace: namespace, name: pod, subresource: "exec")
        return KubeRequest(method: "POST", path: path, query: query)
    }

    /// Runs `command` in `container` of `pod` (the server picks the container when nil and the pod has one, or
    /// names the choices when it has several) and returns its output and exit code. Throws the server's
    /// Status when the pod or container does not exist or the call is forbidden; a command that cannot be
    /// started or times out is a result, not an error.
    public func exec(pod: String, namespace: String?, container: String?, command: [String],
                     timeoutSeconds: Int = ExecLimits.defaultTimeoutSeconds,
                     outputLimit: Int = ExecLimits.defaultOutputLimit) async throws(KubeError) -> ExecResult
    {
        guard !command.isEmpty else { throw .configuration("the command must have at least one element") }
        let seconds = min(max(1, timeoutSeconds), ExecLimits.maxTimeoutSeconds)
        let ns = namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
        let request = Self.execRequest(pod: pod, namespace: ns, container: container, command: command)
        let box = await ExecSessionBox(outputLimit: max(0, outputLimit))
        let end = try await client.webSocket(request, protocols: ExecChannel.protocols,
                                             timeoutMilliseconds: seconds * 1000) { event in
            box.demux.handle(event)
        }
        let demux = await box.demux
        if end == .cancelled { throw .cancelled }
        let ending: ExecResult.Ending
        if let status = demux.status {
            ending = .finished(status)
        } else {
            switch end {
            case .timedOut: ending = .timedOut(seconds: seconds)
            case .closed(let code, let reason):
                ending = .connectionLost("the server closed the session (code \(code.map(String.init) ?? "none")"
                                         + "\(reason.isEmpty ? "" : ": \(reason)")) before the command's status arrived")
            case .connectionLost(let message): ending = .connectionLost(message)
            case .failed(let error): ending = .connectionLost(error.description)
            case .cancelled: throw .cancelled
            }
        }
        return ExecResult(stdout: demux.stdout, stderr: demux.stderr, stdoutDropped: demux.stdoutDropped,
                          stderrDropped: demux.stderrDropped, ending: ending, subprotocol: demux.subprotocol)
    }
}

/// The demultiplexer of one exec session, kept on the loop where the WebSocket handler runs.
@LoopActor
final class ExecSessionBox {
    var demux: ExecChannelDemux

    init(outputLimit: Int) {
        demux = ExecChannelDemux(outputLimit: outputLimit)
    }
}
