/// `pods_run`: starts a plain pod from an image, like `kubectl run`: one container, label `run=<name>`.
struct PodsRunTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    static let toolDefinition = ToolDefinition(
        name: "pods_run", title: "Pods: run",
        description: """
            Starts a pod with one container from an image, like kubectl run: label run=<name>, optional \
            containerPort, command and args as arrays of strings (no shell), environment and labels. The name \
            defaults to the image's name with a random suffix. Answers the pod's name; pods_get and pods_log follow it.
            """,
        inputSchema: ToolSchema.object(properties: [
            "image": ToolSchema.string("The container image, e.g. nginx:1.27 or ghcr.io/org/app@sha256:..."),
            "name": ToolSchema.string("The pod's name (default: from the image, with a random suffix)."),
            "namespace": ToolSchema.string("The namespace (default: the context's namespace)."),
            "port": ToolSchema.integer("The containerPort the container listens on.", minimum: 1, maximum: 65_535),
            "command": ToolSchema.array("The entrypoint as an argv array, e.g. [\"sleep\", \"3600\"] (replaces the "
                                            + "image's ENTRYPOINT; no shell).", items: ToolSchema.type("string")),
            "args": ToolSchema.array("Arguments (replace the image's CMD).", items: ToolSchema.type("string")),
            "env": ["type": "object", "description": "Environment variables, name to value.",
                    "additionalProperties": ["type": "string"]],
            "labels": ["type": "object", "description": "Extra labels, key to value (run=<name> is always set).",
                       "additionalProperties": ["type": "string"]],
            "restartPolicy": ToolSchema.string("When the container is restarted.", default: "Always",
                                               allowed: ["Always", "OnFailure", "Never"]),
            "dryRun": ToolSchema.boolean("Only validate on the server (admission included); create nothing.",
                                         default: false),
            "context": KubeToolSchema.context,
        ], required: ["image"]),
        annotations: ToolAnnotations(title: "Pods: run", readOnlyHint: false, destructiveHint: false,
                                     idempotentHint: false))

    /// The characters of a random name suffix (as Kubernetes' generateName uses: no vowels, no look-alikes).
    static let suffixAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Running the pod") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let image = try arguments.requiredString("image")
            let name = arguments.string("name") ?? Self.name(fromImage: image)
            let namespace = connection.namespace(for: .pods, arguments.string("namespace"))
            let pod = Self.pod(name: name, image: image, arguments: arguments)
            let dryRun = arguments["dryRun"]?.boolValue ?? false
            let created = try await connection.create(.pods, namespace: namespace, object: pod, dryRun: dryRun)
            let finalName = created["metadata"]?["name"]?.stringValue ?? name
            var details = ["image \(image)"]
            if let port = arguments["port"]?.intValue { details.append("containerPort \(port)") }
            if let command = arguments["command"]?.arrayValue?.compactMap(\.stringValue), !command.isEmpty {
                details.append("command \(JSONWriter.string(.array(command.map(JSONValue.string))))")
            }
            details.append("restartPolicy \(arguments.string("restartPolicy") ?? "Always")")
            let place = "namespace \(namespace ?? connection.defaultNamespace) (\(details.joined(separator: ", ")))"
            let text = dryRun
                ? "pod/\(finalName) would be created in \(place) (dry run: the server accepted it; nothing was created)."
                : "pod/\(finalName) created in \(place). It starts in the background: pods_get shows its status, "
                    + "pods_log its output."
            return .text(text, structured: ["name": .string(finalName),
                                            "namespace": .string(namespace ?? connection.defaultNamespace),
                                            "dryRun": .bool(dryRun)])
        }
    }

    /// The Pod object: one container named like the pod, `run=<name>` plus the given labels.
    static func pod(name: String, image: String, arguments: JSONObject) -> JSONValue {
        var labels = JSONObject([("run", .string(name))])
        for (key, value) in arguments["labels"]?.objectValue ?? JSONObject() { labels[key] = value }
        var container = JSONObject([("name", .string(name)), ("image", .string(image))])
        if let command = arguments["command"]?.arrayValue, !command.isEmpty { container["command"] = .array(command) }
        if let args = arguments["args"]?.arrayValue, !args.isEmpty { container["args"] = .array(args) }
        if let port = arguments["port"]?.intValue { container["ports"] = [["containerPort": .int(port)]] }
        if let env = arguments["env"]?.objectValue, !env.isEmpty {
            container["env"] = .array(env.map { ["name": .string($0.key), "value": $0.value] })
        }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "labels": .object(labels)],
            "spec": ["containers": [.object(container)],
                     "restartPolicy": .string(arguments.string("restartPolicy") ?? "Always")],
        ]
    }

    /// `nginx-x7k2p` from `docker.io/library/nginx:1.27`: the image's last path component without tag or digest,
    /// made a DNS label, plus a random suffix.
    static func name(fromImage image: String, suffix: String = randomSuffix()) -> String {
        var base = image.split(separator: "@").first.map(String.init) ?? image
        base = base.split(separator: "/").last.map(String.init) ?? base
        base = base.split(separator: ":").first.map(String.init) ?? base
        var label = String(base.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        while label.hasPrefix("-") { label.removeFirst() }
        label = String(label.prefix(57))
        while label.hasSuffix("-") { label.removeLast() }
        return (label.isEmpty ? "pod" : label) + "-" + suffix
    }

    static func randomSuffix() -> String {
        String((0..<5).map { _ in suffixAlphabet.randomElement() ?? "x" })
    }
}
