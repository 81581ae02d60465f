import Foundation

/// `kubectl`: runs the kubectl binary found on the server's `PATH` with the server's kubeconfig and context,
/// through libuv without a shell, after `KubectlArgumentPolicy` has checked every argument.
///
/// Immutable and `Sendable`, any thread; each call spawns one kubectl process (`UVProcess`) and waits for it
/// off the event loop. Output in YAML or JSON is redacted (`KubectlOutputRenderer`); everything is capped at
/// the server's output limit. In read-only mode the tool is declared read-only and allows only read commands.
struct KubectlTool: Tool {
    /// Default time limit of one kubectl run.
    static let defaultTimeoutSeconds = 30
    /// Longest time limit a call may ask for.
    static let maxTimeoutSeconds = 300
    /// Largest manifest accepted as `stdin` (1 MiB).
    static let maxStandardInputBytes = 1 << 20
    /// Bytes kept of kubectl's stdout (and of its stderr) before rendering (16 MiB): JSON beyond this cannot be
    /// parsed and redacted, so such a call fails with advice to narrow it.
    static let processOutputLimit = 16 << 20
    /// Bytes of stderr shown in a result.
    static let maxStandardErrorBytes = 8 * 1024

    let definition: ToolDefinition
    let kubeConfig: Result<LoadedKubeConfig, KubeConfigError>
    let launch: KubectlLaunch
    let policy: KubectlArgumentPolicy
    let renderer: KubectlOutputRenderer
    /// `--context`: the context used when the call names none.
    let contextOverride: String?
    /// `--namespace`: passed as kubectl's default namespace.
    let namespaceOverride: String?
    /// The cap on kubectl processes running at once.
    let slots = KubectlSlots()

    /// The tool, or nil when kubectl is not on `environment["PATH"]` (then it is not offered).
    static func make(kubeConfig: Result<LoadedKubeConfig, KubeConfigError>, config: Config,
                     environment: [String: String] = ProcessInfo.processInfo.environment) -> KubectlTool? {
        guard let executable = KubectlLaunch.locate(environment: environment) else { return nil }
        let launch = KubectlLaunch(executable: executable,
                                   searchPath: environment["PATH"] ?? UVProcess.fallbackSearchPath,
                                   kubeConfig: try? kubeConfig.get())
        return KubectlTool(kubeConfig: kubeConfig, config: config, launch: launch)
    }

    init(kubeConfig: Result<LoadedKubeConfig, KubeConfigError>, config: Config, launch: KubectlLaunch) {
        self.kubeConfig = kubeConfig
        self.launch = launch
        // Under --disable-destructive kubectl stays offered with its read commands only.
        let readOnly = config.readOnly || config.disableDestructive
        self.policy = KubectlArgumentPolicy(readOnly: readOnly, showSecrets: config.output.showSecrets,
                                            readOnlyFlag: config.readOnly ? "--read-only" : "--disable-destructive")
        self.renderer = KubectlOutputRenderer(maxBytes: config.output.maxBytes, showSecrets: config.output.showSecrets)
        self.contextOverride = config.context
        self.namespaceOverride = config.namespace
        self.definition = Self.definition(readOnly: readOnly)
    }

    // MARK: - Definition

    /// The tool's name in `tools/list`.
    static let name = "kubectl"

    static func definition(readOnly: Bool) -> ToolDefinition {
        let allowed = readOnly
            ? "Allowed (the server is read-only): \(KubectlArgumentPolicy.readCommandList)."
            : "Allowed: \(KubectlArgumentPolicy.readCommandList); and, to change the cluster, "
                + "\(KubectlArgumentPolicy.writeCommandList)."
        let description = """
            Runs kubectl (found on the server's PATH) with the server's kubeconfig and context, without a shell, \
            after checking every argument. The args are kubectl's argument list without "kubectl", one element \
            per argument, e.g. ["get", "pods", "-n", "default"]. \(allowed) A manifest goes in stdin with -f - (no other files). -o yaml and -o json \
            output has Secret values redacted. Refused: flags that change the API server, identity or kubeconfig \
            (--server/-s, --token, --as*, --kubeconfig, --context: use the context argument, --client-*, \
            --insecure-skip-tls-verify, ...), -v and log flags, files and URLs other than -f -, kustomize, \
            --overrides, watch/follow, exec/cp/port-forward/proxy/edit/debug/config, plugins, and shell \
            metacharacters (; | & ` $( < > newlines). Output is capped; the exit code and stderr are reported.
            """
        let title = "kubectl"
        let annotations = readOnly
            ? ToolAnnotations.readOnly(title: title)
            : ToolAnnotations(title: title, readOnlyHint: false, destructiveHint: true, idempotentHint: false,
                              openWorldHint: false)
        return ToolDefinition(
            name: name, title: title, description: description,
            inputSchema: ToolSchema.object(properties: [
                "args": ToolSchema.array(
                    "kubectl's arguments without \"kubectl\", one array element per argument, starting with the "
                        + "command: [\"get\", \"deploy\", \"web\", \"-n\", \"shop\", \"-o\", \"yaml\"].",
                    items: ToolSchema.type("string")),
                "context": KubeToolSchema.context,
                "stdin": ToolSchema.string(
                    "A manifest (YAML or JSON, several documents allowed) that kubectl reads with -f -; at most "
                        + "1 MiB. Only with -f -."),
                "timeoutSeconds": ToolSchema.integer(
                    "Time limit in seconds; kubectl is stopped when it is reached.",
                    default: defaultTimeoutSeconds, minimum: 1, maximum: maxTimeoutSeconds),
            ], required: ["args"]),
            annotations: annotations)
    }

    // MARK: - Call

    /// Only commands that change the cluster need a confirmation; a refused command runs nothing either way.
    func isDestructive(arguments: JSONObject) -> Bool {
        let args = (arguments["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard let invocation = try? policy.check(args) else { return false }
        return invocation.writes
    }

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        let args = (arguments["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        let invocation: KubectlInvocation
        do {
            invocation = try policy.check(args)
        } catch {
            return .error(error.message)
        }

        let stdin = arguments["stdin"]?.stringValue
        if let stdin, stdin.utf8.count > Self.maxStandardInputBytes {
            return .error("stdin is larger than 1 MiB; apply the manifests in smaller parts.")
        }
        if invocation.readsStandardInput && (stdin ?? "").isEmpty {
            return .error("args read a manifest from standard input (-f -), but stdin is empty: pass the manifest "
                          + "as the stdin argument.")
        }
        if !invocation.readsStandardInput && stdin != nil {
            return .error("stdin is only read with -f -: add \"-f\", \"-\" to args, or leave stdin out.")
        }

        let loaded: LoadedKubeConfig
        switch kubeConfig {
        case .success(let value): loaded = value
        case .failure(let error): return .error("kubectl cannot run without a kubeconfig: \(error)")
        }
        var prefix: [String] = []
        if let requested = arguments.string("context") {
            guard loaded.config.contexts.contains(where: { $0.name == requested }) else {
                let names = loaded.config.contexts.map(\.name).sorted().joined(separator: ", ")
                return .error("context \"\(requested)\" is not in the kubeconfig; its contexts are: \(names).")
            }
            prefix.append("--context=\(requested)")
        } else if let name = contextOverride ?? loaded.config.currentContext {
            prefix.append("--context=\(name)")
        }
        if let namespace = namespaceOverride { prefix.append("--namespace=\(namespace)") }

        let environment: [String: String]
        do {
            environment = try launch.environment()
        } catch {
            return .error("kubectl could not be prepared: \(error.message)")
        }
        let timeout = min(max(arguments["timeoutSeconds"]?.intValue ?? Self.defaultTimeoutSeconds, 1),
                          Self.maxTimeoutSeconds)
        guard slots.acquire() else {
            return .error("\(slots.limit) kubectl commands are already running, the most this server runs at once; "
                          + "retry when one has finished.")
        }
        defer { slots.release() }
        let result: ProcessResult
        do {
            result = try await UVProcess.run(
                executable: launch.executable, arguments: prefix + invocation.arguments, environment: environment,
                currentDirectory: environment["HOME"], timeoutMilliseconds: timeout * 1000,
                outputLimit: Self.processOutputLimit, standardInput: stdin.map { Array($0.utf8) })
        } catch {
            return .error("kubectl could not be started (\(launch.executable)): \(error)")
        }
        return outcome(result, invocation: invocation, timeoutSeconds: timeout)
    }

    /// The tool result for a finished (or stopped) kubectl.
    func outcome(_ result: ProcessResult, invocation: KubectlInvocation, timeoutSeconds: Int) -> ToolResult {
        let stderr = Self.shownStandardError(result.stderr)
        let rendered: KubectlOutputRenderer.Rendered?
        var renderFailure: String?
        do {
            rendered = try renderer.render(stdout: result.stdout, mode: invocation.output,
                                           processTruncated: result.stdout.count >= Self.processOutputLimit,
                                           processLimit: Self.processOutputLimit)
        } catch {
            rendered = nil
            renderFailure = error.message
        }

        // diff exits with 1 when it found differences: that is its answer, not a failure.
        let differencesFound = invocation.verb == "diff" && result.exitStatus == 1 && result.termSignal == 0
        if result.timedOut || (!result.succeeded && !differencesFound) {
            var lines: [String] = []
            if result.timedOut {
                lines.append("kubectl \(invocation.commandName) did not finish within \(timeoutSeconds) s and was "
                             + "stopped; raise timeoutSeconds (at most \(Self.maxTimeoutSeconds)) or narrow the command.")
            } else if result.termSignal != 0 {
                lines.append("kubectl \(invocation.commandName) was ended by signal \(result.termSignal).")
            } else {
                lines.append("kubectl \(invocation.commandName) exited with status \(result.exitStatus).")
            }
            if !stderr.isEmpty { lines.append(stderr) }
            if let rendered, !rendered.body.isEmpty { lines.append(rendered.body) }
            return .error(lines.joined(separator: "\n"))
        }
        guard let rendered else { return .error(renderFailure ?? "kubectl's output could not be shown.") }

        var content: [ContentBlock] = []
        var notes = rendered.notes
        if rendered.body.isEmpty {
            content.append(.text(stderr.isEmpty ? "kubectl \(invocation.commandName) printed nothing." : stderr))
        } else {
            content.append(.text(rendered.body))
            if !stderr.isEmpty { notes.insert("kubectl wrote to stderr:\n" + stderr, at: 0) }
        }
        if !notes.isEmpty { content.append(.text(notes.joined(separator: "\n"))) }
        return ToolResult(content: content)
    }

    /// stderr as text, cut at `maxStandardErrorBytes` at a line break, without a trailing newline.
    static func shownStandardError(_ bytes: [UInt8]) -> String {
        let limited = OutputLimiter(maxBytes: maxStandardErrorBytes).limit(text: String(decoding: bytes, as: UTF8.self))
        var text = limited.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note = limited.note { text += "\n(stderr: \(note))" }
        return text
    }
}
