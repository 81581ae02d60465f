/// How a command ended, from the `Status` the API server sends on the error channel (3): `Success` is exit
/// code 0; `Failure` with reason `NonZeroExitCode` carries the code in `details.causes[{reason: ExitCode,
/// message: "<n>"}]`; any other failure (the executable is missing, the container is not running, ...) has
/// no exit code, only the server's message.
///
/// Plain value, any thread.
public enum ExecStatus: Sendable, Equatable {
    /// The command ran and exited with this code.
    case exited(Int)
    /// The command could not be run, or ended without an exit code: reason and message of the Status.
    case failed(reason: String, message: String)

    /// The most bytes of error-channel Status read (a Status is a few hundred bytes).
    static let maxBytes = 64 * 1024

    /// Reads the error channel's bytes.
    public static func parse(_ bytes: [UInt8]) -> ExecStatus {
        guard let value = try? JSONParser.parse(bytes), value.objectValue != nil else {
            let text = String(decoding: bytes.prefix(300), as: UTF8.self)
            return .failed(reason: "Unknown", message: text.isEmpty ? "the API server sent an empty exec status"
                                                                    : "unreadable exec status: \(text)")
        }
        let status = value["status"]?.stringValue ?? ""
        if status == "Success" { return .exited(0) }
        let reason = value["reason"]?.stringValue ?? ""
        let message = value["message"]?.stringValue ?? ""
        if reason == "NonZeroExitCode" {
            let causes = value["details"]?["causes"]?.arrayValue ?? []
            if let cause = causes.first(where: { $0["reason"]?.stringValue == "ExitCode" }),
               let code = cause["message"]?.stringValue.flatMap({ Int($0) })
            {
                return .exited(code)
            }
        }
        return .failed(reason: reason.isEmpty ? "Failure" : reason,
                       message: message.isEmpty ? "the command failed without a message" : message)
    }
}
