/// A kubectl argv the policy accepted, rewritten for running, and what the tool must do with its output.
///
/// Plain value, any thread. `arguments` excludes the program name and the server's own flags
/// (`--context`, `--namespace`), which the tool adds in front.
struct KubectlInvocation: Sendable, Equatable {
    /// How kubectl's standard output is treated.
    enum Output: Sendable, Equatable {
        /// kubectl's own text (tables, describe, messages, `-o wide`/`name`): passed through, capped.
        case text
        /// The caller asked for `-o yaml` or `-o json`: kubectl runs with `--output=json`, and the tool parses,
        /// redacts and renders the answer in this format.
        case structured(ListFormat)
        /// `get --raw /path`: JSON answers are redacted, other text (logs, health checks) passes through.
        case raw
    }

    /// The command (`get`), and its subcommand when it has one (`rollout status`).
    var verb: String
    var subcommand: String?
    /// The arguments to give kubectl, output flags rewritten.
    var arguments: [String]
    var output: Output
    /// `-f -` is present: the tool's `stdin` is the manifest.
    var readsStandardInput: Bool
    /// True when the command changes the cluster.
    var writes: Bool

    /// `rollout status`, `get`.
    var commandName: String { subcommand.map { "\(verb) \($0)" } ?? verb }
}
