/// What running a command in a container produced: its output (each stream cut at the limit), how it ended,
/// and which protocol carried it.
///
/// Plain value, any thread.
public struct ExecResult: Sendable, Equatable {
    /// How the session ended.
    public enum Ending: Sendable, Equatable {
        /// The command finished: its exit code, or why it could not be run (`ExecStatus.failed`).
        case finished(ExecStatus)
        /// The timeout passed first; the output is what arrived until then.
        case timedOut(seconds: Int)
        /// The connection ended before the command's status arrived.
        case connectionLost(String)
    }

    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// Bytes of output that arrived beyond the limit and were dropped.
    public var stdoutDropped: Int
    public var stderrDropped: Int
    public var ending: Ending
    /// `v5.channel.k8s.io` or `v4.channel.k8s.io`.
    public var subprotocol: String?

    public var stdoutTruncated: Bool { stdoutDropped > 0 }
    public var stderrTruncated: Bool { stderrDropped > 0 }

    /// The exit code, when the command finished with one.
    public var exitCode: Int? {
        if case .finished(.exited(let code)) = ending { return code }
        return nil
    }

    public init(stdout: [UInt8], stderr: [UInt8], stdoutDropped: Int = 0, stderrDropped: Int = 0, ending: Ending,
                subprotocol: String? = nil) {
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutDropped = stdoutDropped
        self.stderrDropped = stderrDropped
        self.ending = ending
        self.subprotocol = subprotocol
    }
}
