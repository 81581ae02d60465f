/// The Kubernetes remote-command channel protocols over WebSocket: each binary message starts with its
/// channel byte. `v4.channel.k8s.io` made the error channel a JSON `Status`; `v5.channel.k8s.io` added
/// channel 255, with which a client closes one of its channels (stdin) without closing the connection.
///
/// Constants only; any thread.
public enum ExecChannel {
    public static let stdin: UInt8 = 0
    public static let stdout: UInt8 = 1
    public static let stderr: UInt8 = 2
    /// The final `Status` of the command (v4 and v5).
    public static let error: UInt8 = 3
    public static let resize: UInt8 = 4
    /// v5: `[255, channel]` closes that channel.
    public static let close: UInt8 = 255

    public static let v5 = "v5.channel.k8s.io"
    public static let v4 = "v4.channel.k8s.io"
    /// What a client offers, most preferred first. v1-v3 are not offered: their error channel is plain text
    /// without an exit code.
    public static let protocols = [v5, v4]
}
