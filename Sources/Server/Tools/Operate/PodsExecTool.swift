/// `pods_exec`: runs a command (an argv array, never a shell string) in a pod's container over the API
/// server's WebSocket exec protocol and returns its exit code, stdout and stderr, each capped.
///
/// Immutable and `Sendable`, any thread; `call` runs off the event loop (the WebSocket itself runs on it).
/// Destructive-class: a command can change anything the container can reach, so the tool is hidden in
/// read-only mode and subject to `--disable-destructive`. Its output is free text: nothing can be redacted.
struct PodsExecTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    /// The most argv elements accepted.
    static let maxArguments = 1024
    /// The most bytes of argv accepted, all elements together (they travel in the upgrade request's URL).
    static let maxCommandBytes = 64 * 1024
    typealias Limits = KubeClients.Connection.ExecLimits

    static let toolDefinition = ToolDefinition(
        name: "pods_exec", title: "Pods: exec",
        description: """
            Runs a command in a pod's container and returns its exit code, stdout and stderr. The command is an \
            argv array, run without a shell: ["ls", "-l", "/tmp"]; for pipes or variables name a shell yourself, \
            e.g. ["sh", "-c", "ps aux | grep nginx"]. An element is passed as it is (one string with spaces is one \
            argument). Name the container when the pod has more than one (the error lists them). No stdin, no TTY. \
            The command is stopped after timeoutSeconds (default 30, at most 300; the process may go on running \
            in the container). stdout and stderr are each cut at the server's output limit (default 64 KiB) with \
            a note. Output is returned as printed: nothing is redacted, so a command can reveal Secrets mounted \
            in the container.
            """,
        inputSchema: ToolSchema.object(properties: [
            "name": ToolSchema.string("The pod's name."),
            "namespace": ToolSchema.string("The pod's namespace (default: the context's namespace)."),
            "container": ToolSchema.string("The container (required when the pod has more than one)."),
            "command": [
                "type": "array", "minItems": 1,
                "description": "The command and its arguments, e.g. [\"cat\", \"/etc/os-release\"]; never split or interpreted by a shell.",
                "items": ["type": "string"],
            ],
            "timeoutSeconds": ToolSchema.integer(
                "Stop waiting for the command after this many seconds.", default: Limits.defaultTimeoutSeconds,
                minimum: 1, maximum: Limits.maxTimeoutSeconds),
            "context": KubeToolSchema.context,
        ], required: ["name", "command"]),
        outputSchema: ToolSchema.object(
            properties: [
                "exitCode": ToolSchema.type("integer", description: "The command's exit code."),
                "stdout": ToolSchema.type("string", description: "Standard output (cut at the output limit)."),
                "stderr": ToolSchema.type("string", description: "Standard error (cut at the output limit)."),
                "stdoutTruncated": ToolSchema.type("boolean", description: "True when stdout was cut."),
                "stderrTruncated": ToolSchema.type("boolean", description: "True when stderr was cut."),
            ],
            required: ["exitCode", "stdout", "stderr", "stdoutTruncated", "stderrTruncated"],
            additionalProperties: true),
        annotations: ToolAnnotations(title: "Pods: exec", readOnlyHint: false, destructiveHint: true,
                                     idempotentHint: false))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Running the command") { () async throws(KubeError) -> ToolResult in
            let name = try arguments.requiredString("name")
            let command = try Self.command(arguments["command"])
            let timeout = arguments["timeoutSeconds"]?.intValue ?? Limits.defaultTimeoutSeconds
            guard (1...Limits.maxTimeoutSeconds).contains(timeout) else {
                throw .configuration("timeoutSeconds must be between 1 and \(Limits.maxTimeoutSeconds)")
            }
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let namespace = arguments.string("namespace") ?? connection.defaultNamespace
            let limit = environment.output.maxBytes
            let result = try await connection.exec(pod: name, namespace: namespace,
                                                   container: arguments.string("container"), command: command,
                                                   timeoutSeconds: timeout, outputLimit: limit)
            return Self.render(result, pod: name, namespace: namespace, limit: limit)
        }
    }

    /// The argv, checked: an array of strings, at least one, the first not empty, within the limits.
    static func command(_ value: JSONValue?) throws(KubeError) -> [String] {
        guard let elements = value?.arrayValue else {
            throw .configuration("the argument \"command\" must be an array of strings, e.g. [\"ls\", \"-l\"]")
        }
        var argv: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = element.stringValue else {
                throw .configuration("command[\(index)] must be a string")
            }
            argv.append(text)
        }
        guard let first = argv.first else {
            throw .configuration("the argument \"command\" needs at least one element (the program to run)")
        }
        guard !first.isEmpty else { throw .configuration("command[0] (the program to run) must not be empty") }
        guard argv.count <= maxArguments else {
            throw .configuration("the command has \(argv.count) elements; at most \(maxArguments) are accepted")
        }
        let bytes = argv.reduce(0) { $0 + $1.utf8.count }
        guard bytes <= maxCommandBytes else {
            throw .configuration("the command has \(bytes) bytes; at most \(maxCommandBytes) are accepted")
        }
        return argv
    }

    /// The text and structured result: exit code, stdout, stderr and notes about cuts; failures to run the
    /// command or a timeout are tool errors that still show the output that arrived.
    static func render(_ result: ExecResult, pod: String, namespace: String, limit: Int) -> ToolResult {
        let stdout = text(result.stdout, limit: limit)
        let stderr = text(result.stderr, limit: limit)
        var sections = ["--- stdout ---", stdout.isEmpty ? "(empty)" : stdout,
                        "--- stderr ---", stderr.isEmpty ? "(empty)" : stderr]
        if result.stdoutTruncated {
            sections.append("[stdout cut at \(limit) bytes: \(result.stdoutDropped) more bytes were dropped; "
                            + "narrow the output, e.g. with head or grep]")
        }
        if result.stderrTruncated {
            sections.append("[stderr cut at \(limit) bytes: \(result.stderrDropped) more bytes were dropped]")
        }
        let body = sections.joined(separator: "\n")
        switch result.ending {
        case .finished(.exited(let code)):
            let structured: JSONValue = [
                "exitCode": .int(code), "stdout": .string(stdout), "stderr": .string(stderr),
                "stdoutTruncated": .bool(result.stdoutTruncated), "stderrTruncated": .bool(result.stderrTruncated),
            ]
            return .text("exit code: \(code)\n" + body, structured: structured)
        case .finished(.failed(let reason, let message)):
            return .error("The command could not be run in pod \(namespace)/\(pod): \(message) (\(reason)).\n" + body)
        case .timedOut(let seconds):
            return .error("The command did not finish within \(seconds) s (timeoutSeconds); the connection was "
                          + "closed and the process may still be running in the container. Output so far:\n" + body)
        case .connectionLost(let message):
            return .error("The exec session ended before the command's exit code arrived: \(message).\n"
                          + "Output so far:\n" + body)
        }
    }

    /// Output bytes as text, never ending inside a UTF-8 character.
    static func text(_ bytes: [UInt8], limit: Int) -> String {
        String(decoding: bytes.prefix(UTF8Prefix.length(of: bytes, atMost: limit)), as: UTF8.self)
    }
}
