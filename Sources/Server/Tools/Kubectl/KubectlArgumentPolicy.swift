/// Decides whether the kubectl tool runs an argv, and rewrites it for running.
///
/// Pure value type, any thread; no I/O. Every token is checked, wherever it stands (a flag in a positional slot
/// is still a flag to kubectl): shell metacharacters and control characters anywhere, even after `--`; the
/// first token is the command and must be on `KubectlVerb.allowed`; flags that would change the API server,
/// the identity, the kubeconfig, the cache or log verbosity, read or write files on the server's machine, attach
/// a terminal, never end, or print output that cannot be redacted are refused. Flag names are compared after
/// kubectl's own normalisation (`_` becomes `-`). Short-flag clusters (`-Aoyaml`, `-sX`) are taken apart the way
/// kubectl's flag parser does; a letter whose meaning is not known is refused rather than guessed.
///
/// `-o yaml` / `-o json` (any spelling) become one `--output=json`, so that the tool can redact the answer.
struct KubectlArgumentPolicy: Sendable, Equatable {
    /// Only commands that read are allowed (`--read-only`, or `--disable-destructive`: kubectl's write
    /// commands can delete and overwrite).
    var readOnly: Bool
    /// The flag that made it read-only, for refusal messages.
    var readOnlyFlag = "--read-only"
    /// Secret values may be shown (`--show-secrets`): output formats that cannot be redacted are allowed.
    var showSecrets: Bool

    /// Most arguments in one call.
    static let maxArguments = 256
    /// Most bytes of all arguments together (64 KiB).
    static let maxArgumentBytes = 64 * 1024

    init(readOnly: Bool, showSecrets: Bool, readOnlyFlag: String = "--read-only") {
        self.readOnly = readOnly
        self.showSecrets = showSecrets
        self.readOnlyFlag = readOnlyFlag
    }

    /// Checks `args` (kubectl's arguments without the program name) and returns what to run.
    func check(_ args: [String]) throws(KubectlRefusal) -> KubectlInvocation {
        guard let verbName = args.first else {
            throw KubectlRefusal(token: nil, rule: "args is empty",
                                 instead: "Give the command as an array, e.g. [\"get\", \"pods\", \"-n\", \"default\"].")
        }
        guard args.count <= Self.maxArguments else {
            throw KubectlRefusal(token: nil, rule: "more than \(Self.maxArguments) arguments", instead: "")
        }
        guard args.reduce(0, { $0 + $1.utf8.count }) <= Self.maxArgumentBytes else {
            throw KubectlRefusal(token: nil, rule: "the arguments are longer than 64 KiB in all",
                                 instead: "Send a large manifest as stdin with -f -.")
        }
        for token in args { try Self.checkCharacters(token) }

        let verb = try Self.verb(verbName)
        var index = 1
        var subcommand: String?
        var writes = verb.writes
        if let subcommands = verb.subcommands {
            let next = args.count > 1 ? args[1] : nil
            if let next, !next.hasPrefix("-"), let subWrites = subcommands[next] {
                subcommand = next
                writes = subWrites
                index = 2
            } else if verb.subcommandOptional && (next == nil || next!.hasPrefix("-")) {
                // `create -f -`: no subcommand; banned positionals are checked below.
            } else {
                if let next, let reason = verb.bannedPositionals[next] {
                    throw KubectlRefusal(token: next, rule: reason, instead: "")
                }
                let names = subcommands.keys.sorted().joined(separator: ", ")
                throw KubectlRefusal(
                    token: next ?? verbName,
                    rule: "\(verbName) must be followed directly by one of its allowed subcommands: \(names)",
                    instead: next.map { _ in "kubectl would otherwise look for a plugin program; plugins are refused." }
                        ?? "")
            }
        }
        if readOnly && writes {
            let command = subcommand.map { "\(verbName) \($0)" } ?? verbName
            throw KubectlRefusal(
                token: command, rule: "the server runs with \(readOnlyFlag), which allows only commands that read",
                instead: "Read commands: \(Self.readCommandList). Restart the server without \(readOnlyFlag) to "
                    + "change the cluster.")
        }

        if verb.name == "diff" && !showSecrets {
            throw KubectlRefusal(
                token: verbName, rule: "diff prints the objects as text, where Secret values cannot be redacted",
                instead: "Use apply -f - --dry-run=server -o yaml (Secret values redacted), or start the server "
                    + "with --show-secrets to allow diff.")
        }

        var walk = Walk(policy: self, verb: verb, subcommand: subcommand, args: args)
        walk.output = Array(args[0..<index])
        try walk.run(from: index)
        return try walk.invocation(writes: writes)
    }

    /// The commands allowed in read-only mode, for messages and the tool description.
    static var readCommandList: String {
        let plain = KubectlVerb.allowed.values.filter { !$0.writes && $0.subcommands == nil }.map(\.name)
        return (plain + ["top node|pod", "auth can-i|whoami", "rollout status|history"]).sorted()
            .joined(separator: ", ")
    }

    /// The commands allowed only when the server is not read-only (`diff` also needs --show-secrets).
    static var writeCommandList: String {
        KubectlVerb.allowed.values.filter { $0.writes && $0.name != "rollout" && $0.name != "diff" }.map(\.name)
            .appending("rollout restart|undo|pause|resume").sorted().joined(separator: ", ")
    }

    // MARK: - Verbs

    private static func verb(_ name: String) throws(KubectlRefusal) -> KubectlVerb {
        if name.hasPrefix("-") {
            throw KubectlRefusal(token: name, rule: "the first argument must be the command, e.g. get",
                                 instead: "Put flags after the command: [\"get\", \"pods\", \"-n\", \"default\"].")
        }
        if let verb = KubectlVerb.allowed[name] { return verb }
        if let reason = KubectlVerb.refusedReasons[name] {
            throw KubectlRefusal(token: name, rule: reason.rule, instead: reason.instead)
        }
        throw KubectlRefusal(
            token: name,
            rule: "not an allowed kubectl command (kubectl would run a plugin program kubectl-\(name), and plugins "
                + "are refused)",
            instead: "Allowed: \(readCommandList), \(writeCommandList).")
    }

    // MARK: - Characters

    /// What must not appear in any argument: a shell would act on it, and there is no shell, so it can only be an
    /// attempt to inject a command.
    static let shellSequences = [";", "|", "&", "`", "$(", "${", "<", ">"]

    /// Refuses control characters, line breaks, invisible format characters and shell metacharacters.
    static func checkCharacters(_ token: String) throws(KubectlRefusal) {
        for scalar in token.unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || category == .lineSeparator
                || category == .paragraphSeparator {
                throw KubectlRefusal(
                    token: token, rule: "control characters, line breaks and invisible characters are not allowed "
                        + "in arguments",
                    instead: "Pass each argument as its own array element; send manifests as stdin with -f -.")
            }
        }
        for sequence in shellSequences where token.contains(sequence) {
            throw KubectlRefusal(
                token: token,
                rule: "the shell metacharacter \(sequence) is not allowed (kubectl runs without a shell, so it could "
                    + "only be an attempt to inject a command)",
                instead: "Pass each argument as its own array element, without pipes, redirections, command "
                    + "separators or substitutions; use -l/--field-selector instead of && in queries.")
        }
    }

    // MARK: - Flags

    /// Why a long flag is refused whatever its value, or nil. `name` is normalised (lowercase, `_` → `-`).
    static func refusal(forFlag name: String, showSecrets: Bool) -> (rule: String, instead: String)? {
        switch name {
        case "server", "kubeconfig", "token", "as", "as-group", "as-uid", "insecure-skip-tls-verify",
             "certificate-authority", "cluster", "user", "username", "password", "tls-server-name":
            return identity(name)
        case _ where name.hasPrefix("client-") || name.hasPrefix("as-") || name.hasPrefix("tls-")
            || name.hasPrefix("insecure-"):
            return identity(name)
        case "context":
            return ("the context is chosen with the tool's context argument",
                    "Pass context: \"<name>\" instead (configuration_contexts_list lists them).")
        case "overrides":
            return ("--overrides can set any field of the pod, including privileged settings and service accounts",
                    "Write the Pod manifest and send it as stdin with apply -f -.")
        case "cache-dir":
            return ("the server chooses kubectl's cache directory", "")
        case "kuberc":
            return ("kubectl preference files can define aliases and default flags", "")
        case "v", "vmodule", "alsologtostderr", "logtostderr", "stderrthreshold", "add-dir-header", "one-output",
             "skip-headers", "skip-log-headers":
            return verbose
        case _ where name.hasPrefix("log-"):
            return verbose
        case _ where name.hasPrefix("profile"):
            return ("profiling writes files on the server's machine", "")
        case "kustomize":
            return ("--kustomize reads a directory on the server's machine",
                    "Render the manifest and send it as stdin with -f -.")
        case "template":
            return ("templates read files or print fields that cannot be redacted",
                    "Use -o yaml or -o json (Secret values are redacted)"
                        + (showSecrets ? ", or -o go-template=... / -o jsonpath=...." : "."))
        case "from-file", "from-env-file", "env-file", "patch-file", "cert", "key":
            return ("--\(name) reads a file on the server's machine",
                    "Use --from-literal=key=value, -p with the patch itself, or a manifest sent as stdin with -f -.")
        case "output-directory":
            return ("--output-directory writes files on the server's machine", "")
        case "stdin", "tty", "attach":
            return ("--\(name) attaches a terminal, and this tool has none",
                    "Run the pod without it and read its output with logs.")
        case "resolve" where !showSecrets:
            return ("--resolve prints the values of Secret references",
                    "Start the server with --show-secrets to allow it.")
        default:
            return nil
        }
    }

    static func identity(_ name: String) -> (rule: String, instead: String) {
        ("--\(name) would change which API server kubectl talks to or whom it acts as; the connection and identity "
            + "come from the server's kubeconfig",
         "Choose another kubeconfig context with the tool's context argument"
            + (name == "user" ? " (to bind a user in a RoleBinding, apply the RoleBinding manifest with -f -)." : "."))
    }

    static let verbose = (
        rule: "log verbosity and log files are refused: verbose kubectl logs print credentials and request bodies",
        instead: "Leave logging at its default.")

    /// The output formats that print fields as they are, with no way to redact Secret values.
    static let templateFormats: Set<String> = ["jsonpath", "jsonpath-as-json", "go-template", "custom-columns",
                                               "template"]

    /// What `-o value` means, or a refusal.
    func outputMode(_ value: String, token: String, verb: String) throws(KubectlRefusal) -> KubectlInvocation.Output {
        switch value {
        case "json": return .structured(.json)
        case "yaml": return .structured(.yaml)
        case "wide", "name": return .text
        case "plaintext" where verb == "explain", "plaintext-openapiv2" where verb == "explain": return .text
        default: break
        }
        let kind = value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            ?? value
        if kind.hasSuffix("-file") || kind == "templatefile" {
            throw KubectlRefusal(token: token, rule: "-o \(kind) reads a template file on the server's machine",
                                 instead: "Use -o yaml or -o json.")
        }
        if Self.templateFormats.contains(kind) {
            if showSecrets { return .text }
            throw KubectlRefusal(
                token: token,
                rule: "-o \(kind) prints fields as they are, so Secret values in them could not be redacted",
                instead: "Use -o yaml or -o json (Secret values are redacted), or start the server with "
                    + "--show-secrets to allow templates.")
        }
        throw KubectlRefusal(token: token, rule: "unsupported output format \"\(value)\"",
                             instead: "Use -o yaml, -o json, -o wide or -o name"
                                 + (showSecrets ? ", jsonpath, go-template or custom-columns." : "."))
    }

    /// Checks a `get --raw` path: an absolute path on the API server, not a URL and not a watch.
    static func checkRawPath(_ path: String, token: String) throws(KubectlRefusal) {
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"), !path.contains(" "),
              !path.contains("://")
        else {
            throw KubectlRefusal(token: token, rule: "--raw takes an absolute API path starting with /",
                                 instead: "E.g. --raw /api/v1/namespaces/default/pods; other hosts are refused.")
        }
        if path.lowercased().contains("watch") {
            throw KubectlRefusal(token: token, rule: "a watch through --raw never ends",
                                 instead: "Use wait, rollout status, or a plain get.")
        }
    }
}

extension Array {
    fileprivate func appending(_ element: Element) -> [Element] { self + [element] }
}
