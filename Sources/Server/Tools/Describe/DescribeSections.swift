import Foundation

/// The kind-specific sections of `ObjectDescriber`, one extension per group of kinds (`DescribeSections+Pod`,
/// `+Workloads`, `+Network`, `+Node`, `+Config`), plus the pieces several kinds share: containers, a pod
/// template, conditions and volumes.
///
/// Pure value type; any thread. Every function writes into a `DescribeWriter` from an object that was already
/// redacted (the Secret section gets the original but prints byte sizes only).
struct DescribeSections: Sendable {
    var now: Date

    /// The longest environment value printed (longer ones are cut with a note of their size).
    static let maxValueCharacters = 200

    // MARK: - Containers

    /// `Containers:` (or `Init Containers:`) with image, ports, command, state, readiness, resources, probes,
    /// environment (Secret references shown as references, never resolved) and mounts.
    func containers(_ w: inout DescribeWriter, _ level: Int, title: String, specs: [JSONValue],
                    statuses: [JSONValue]?) {
        guard !specs.isEmpty else { return }
        w.line(level, title)
        for spec in specs {
            let name = spec["name"]?.stringValue ?? ""
            let status = statuses?.first { $0["name"]?.stringValue == name }
            w.line(level + 1, "\(name):")
            let l = level + 2
            if let status {
                w.line(l, "Container ID:", DescribeFormat.orNone(status["containerID"]?.stringValue))
            }
            w.line(l, "Image:", spec["image"]?.stringValue ?? "")
            if let status {
                w.line(l, "Image ID:", DescribeFormat.orNone(status["imageID"]?.stringValue))
            }
            let ports = spec["ports"]?.arrayValue ?? []
            let portText = ports.map { "\($0["containerPort"].map(DescribeFormat.scalar) ?? "")/\($0["protocol"]?.stringValue ?? "TCP")" }
            let hostText = ports.map { "\($0["hostPort"].map(DescribeFormat.scalar) ?? "0")/\($0["protocol"]?.stringValue ?? "TCP")" }
            w.line(l, ports.count > 1 ? "Ports:" : "Port:", portText.isEmpty ? "<none>" : portText.joined(separator: ", "))
            w.line(l, ports.count > 1 ? "Host Ports:" : "Host Port:",
                   hostText.isEmpty ? "<none>" : hostText.joined(separator: ", "))
            for (key, title) in [("command", "Command:"), ("args", "Args:")] {
                guard let parts = spec[key]?.arrayValue, !parts.isEmpty else { continue }
                w.line(l, title)
                for part in parts { w.line(l + 1, DescribeFormat.capped(DescribeFormat.scalar(part), limit: Self.maxValueCharacters)) }
            }
            if let status {
                state(&w, l, "State:", status["state"])
                if let last = status["lastState"], last["terminated"] != nil || last["waiting"] != nil
                    || last["running"] != nil {
                    state(&w, l, "Last State:", last)
                }
                w.line(l, "Ready:", status["ready"]?.boolValue == true ? "True" : "False")
                w.line(l, "Restart Count:", DescribeFormat.scalar(status["restartCount"] ?? 0))
            }
            resources(&w, l, spec["resources"])
            for (key, title) in [("livenessProbe", "Liveness:"), ("readinessProbe", "Readiness:"),
                                 ("startupProbe", "Startup:")] {
                if let probe = spec[key], probe.objectValue != nil { w.line(l, title, Self.probe(probe)) }
            }
            environment(&w, l, spec)
            let mounts = spec["volumeMounts"]?.arrayValue ?? []
            if mounts.isEmpty {
                w.line(l, "Mounts:", "<none>")
            } else {
                w.line(l, "Mounts:")
                for mount in mounts {
                    var flags = mount["readOnly"]?.boolValue == true ? "ro" : "rw"
                    if let sub = mount["subPath"]?.stringValue, !sub.isEmpty { flags += ",path=\"\(sub)\"" }
                    w.line(l + 1, "\(mount["mountPath"]?.stringValue ?? "") from \(mount["name"]?.stringValue ?? "") (\(flags))")
                }
            }
        }
    }

    /// `State:` / `Last State:` of a container: Running (Started), Waiting (Reason), Terminated (Reason, Exit
    /// Code, Started, Finished).
    private func state(_ w: inout DescribeWriter, _ level: Int, _ title: String, _ state: JSONValue?) {
        if let running = state?["running"] {
            w.line(level, title, "Running")
            w.line(level + 1, "Started:", DescribeFormat.time(running["startedAt"]?.stringValue) ?? "<unknown>")
        } else if let waiting = state?["waiting"] {
            w.line(level, title, "Waiting")
            if let reason = waiting["reason"]?.stringValue { w.line(level + 1, "Reason:", reason) }
            if let message = waiting["message"]?.stringValue {
                w.line(level + 1, "Message:", DescribeFormat.capped(message, limit: Self.maxValueCharacters))
            }
        } else if let terminated = state?["terminated"] {
            w.line(level, title, "Terminated")
            if let reason = terminated["reason"]?.stringValue { w.line(level + 1, "Reason:", reason) }
            if let message = terminated["message"]?.stringValue {
                w.line(level + 1, "Message:", DescribeFormat.capped(message, limit: Self.maxValueCharacters))
            }
            w.line(level + 1, "Exit Code:", DescribeFormat.scalar(terminated["exitCode"] ?? 0))
            if let signal = terminated["signal"]?.intValue, signal != 0 { w.line(level + 1, "Signal:", String(signal)) }
            w.line(level + 1, "Started:", DescribeFormat.time(terminated["startedAt"]?.stringValue) ?? "<unknown>")
            w.line(level + 1, "Finished:", DescribeFormat.time(terminated["finishedAt"]?.stringValue) ?? "<unknown>")
        } else {
            w.line(level, title, "Waiting")
        }
    }

    /// `Limits:` and `Requests:` with one line per resource.
    func resources(_ w: inout DescribeWriter, _ level: Int, _ resources: JSONValue?) {
        for (key, title) in [("limits", "Limits:"), ("requests", "Requests:")] {
            guard let values = resources?[key]?.objectValue, !values.isEmpty else { continue }
            w.line(level, title)
            for member in values.members.sorted(by: { $0.key < $1.key }) {
                w.line(level + 1, "\(member.key):", DescribeFormat.scalar(member.value))
            }
        }
    }

    /// kubectl's one-line probe: `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`.
    static func probe(_ probe: JSONValue) -> String {
        var action = "unknown"
        if let get = probe["httpGet"] {
            let scheme = (get["scheme"]?.stringValue ?? "HTTP").lowercased()
            action = "http-get \(scheme)://\(get["host"]?.stringValue ?? ""):\(get["port"].map(DescribeFormat.scalar) ?? "")"
                + (get["path"]?.stringValue ?? "")
        } else if let tcp = probe["tcpSocket"] {
            action = "tcp-socket \(tcp["host"]?.stringValue ?? ""):\(tcp["port"].map(DescribeFormat.scalar) ?? "")"
        } else if let exec = probe["exec"] {
            action = "exec [\((exec["command"]?.arrayValue ?? []).map(DescribeFormat.scalar).joined(separator: " "))]"
        } else if let grpc = probe["grpc"] {
            action = "grpc <pod>:\(grpc["port"].map(DescribeFormat.scalar) ?? "") \(grpc["service"]?.stringValue ?? "")"
        }
        func field(_ key: String, _ fallback: Int) -> Int { probe[key]?.intValue ?? fallback }
        return "\(action) delay=\(field("initialDelaySeconds", 0))s timeout=\(field("timeoutSeconds", 1))s "
            + "period=\(field("periodSeconds", 10))s #success=\(field("successThreshold", 1)) "
            + "#failure=\(field("failureThreshold", 3))"
    }

    /// `Environment:` with literal values and, for references, where the value comes from (a Secret's or
    /// ConfigMap's key is named, never read).
    private func environment(_ w: inout DescribeWriter, _ level: Int, _ spec: JSONValue) {
        if let sources = spec["envFrom"]?.arrayValue, !sources.isEmpty {
            w.line(level, "Environment Variables from:")
            for source in sources {
                let prefix = source["prefix"]?.stringValue.map { " with prefix '\($0)'" } ?? ""
                if let ref = source["configMapRef"] {
                    w.line(level + 1, ref["name"]?.stringValue ?? "", "ConfigMap\(prefix)",
                           "Optional: \(ref["optional"]?.boolValue ?? false)")
                } else if let ref = source["secretRef"] {
                    w.line(level + 1, ref["name"]?.stringValue ?? "", "Secret\(prefix)",
                           "Optional: \(ref["optional"]?.boolValue ?? false)")
                }
            }
        }
        let env = spec["env"]?.arrayValue ?? []
        guard !env.isEmpty else {
            w.line(level, "Environment:", "<none>")
            return
        }
        w.line(level, "Environment:")
        for variable in env {
            let name = "\(variable["name"]?.stringValue ?? ""):"
            guard let from = variable["valueFrom"] else {
                w.line(level + 1, name, DescribeFormat.capped(variable["value"]?.stringValue ?? "",
                                                              limit: Self.maxValueCharacters))
                continue
            }
            if let ref = from["secretKeyRef"] {
                w.line(level + 1, name, "<set to the key '\(ref["key"]?.stringValue ?? "")' in secret "
                       + "'\(ref["name"]?.stringValue ?? "")'>", "Optional: \(ref["optional"]?.boolValue ?? false)")
            } else if let ref = from["configMapKeyRef"] {
                w.line(level + 1, name, "<set to the key '\(ref["key"]?.stringValue ?? "")' of config map "
                       + "'\(ref["name"]?.stringValue ?? "")'>", "Optional: \(ref["optional"]?.boolValue ?? false)")
            } else if let ref = from["fieldRef"] {
                w.line(level + 1, name, "(\(ref["apiVersion"]?.stringValue ?? "v1"):\(ref["fieldPath"]?.stringValue ?? ""))")
            } else if let ref = from["resourceFieldRef"] {
                let container = ref["containerName"]?.stringValue.map { "\($0)/" } ?? ""
                w.line(level + 1, name, "\(container)\(ref["resource"]?.stringValue ?? "") (resource)")
            } else {
                w.line(level + 1, name, "<set from a source this server does not show>")
            }
        }
    }

    // MARK: - Shared sections

    /// `Pod Template:` of a workload: labels, annotations, service account, containers, volumes.
    func podTemplate(_ w: inout DescribeWriter, _ template: JSONValue?) {
        w.line(0, "Pod Template:")
        w.map(1, "Labels:", template?["metadata"]?["labels"]?.objectValue)
        if let annotations = template?["metadata"]?["annotations"]?.objectValue, !annotations.isEmpty {
            w.map(1, "Annotations:", annotations, separator: ": ")
        }
        let spec = template?["spec"]
        if let account = spec?["serviceAccountName"]?.stringValue { w.line(1, "Service Account:", account) }
        containers(&w, 1, title: "Init Containers:", specs: spec?["initContainers"]?.arrayValue ?? [], statuses: nil)
        containers(&w, 1, title: "Containers:", specs: spec?["containers"]?.arrayValue ?? [], statuses: nil)
        volumes(&w, 1, spec?["volumes"]?.arrayValue ?? [])
        if let selector = spec?["nodeSelector"]?.objectValue, !selector.isEmpty {
            w.map(1, "Node-Selectors:", selector)
        }
        tolerations(&w, 1, spec?["tolerations"]?.arrayValue ?? [])
    }

    /// A conditions table; `columns` picks the members shown (`type`, `status`, `reason`, ...).
    func conditions(_ w: inout DescribeWriter, _ conditions: [JSONValue], columns: [(String, String)]) {
        guard !conditions.isEmpty else {
            w.line(0, "Conditions:", "<none>")
            return
        }
        w.line(0, "Conditions:")
        w.add(1, columns.map(\.1))
        w.add(1, columns.map { String(repeating: "-", count: $0.1.count) })
        for condition in conditions {
            w.add(1, columns.map { key, _ in
                let value = condition[key]
                if key.hasSuffix("Time") { return DescribeFormat.time(value?.stringValue) ?? "" }
                return DescribeFormat.capped(value.map(DescribeFormat.scalar) ?? "", limit: Self.maxValueCharacters)
            })
        }
    }

    /// `Volumes:` with each volume's type and the field that says where its data comes from.
    func volumes(_ w: inout DescribeWriter, _ level: Int, _ volumes: [JSONValue]) {
        guard !volumes.isEmpty else {
            w.line(level, "Volumes:", "<none>")
            return
        }
        w.line(level, "Volumes:")
        for volume in volumes {
            w.line(level + 1, "\(volume["name"]?.stringValue ?? ""):")
            let l = level + 2
            if let v = volume["configMap"] {
                w.line(l, "Type:", "ConfigMap (a volume populated by a ConfigMap)")
                w.line(l, "Name:", v["name"]?.stringValue ?? "")
                w.line(l, "Optional:", "\(v["optional"]?.boolValue ?? false)")
            } else if let v = volume["secret"] {
                w.line(l, "Type:", "Secret (a volume populated by a Secret)")
                w.line(l, "SecretName:", v["secretName"]?.stringValue ?? "")
                w.line(l, "Optional:", "\(v["optional"]?.boolValue ?? false)")
            } else if let v = volume["persistentVolumeClaim"] {
                w.line(l, "Type:", "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)")
                w.line(l, "ClaimName:", v["claimName"]?.stringValue ?? "")
                w.line(l, "ReadOnly:", "\(v["readOnly"]?.boolValue ?? false)")
            } else if let v = volume["emptyDir"] {
                w.line(l, "Type:", "EmptyDir (a temporary directory that shares a pod's lifetime)")
                w.line(l, "Medium:", v["medium"]?.stringValue ?? "")
                w.line(l, "SizeLimit:", v["sizeLimit"].map(DescribeFormat.scalar) ?? "<unset>")
            } else if let v = volume["hostPath"] {
                w.line(l, "Type:", "HostPath (bare host directory volume)")
                w.line(l, "Path:", v["path"]?.stringValue ?? "")
                w.line(l, "HostPathType:", v["type"]?.stringValue ?? "")
            } else if volume["projected"] != nil {
                w.line(l, "Type:", "Projected (a volume that contains injected data from multiple sources)")
            } else if volume["downwardAPI"] != nil {
                w.line(l, "Type:", "DownwardAPI (a volume populated by information about the pod)")
            } else if let other = volume.objectValue?.members.first(where: { $0.key != "name" }) {
                w.line(l, "Type:", other.key)
                w.line(l, "Source:", DescribeFormat.capped(JSONWriter.string(other.value), limit: Self.maxValueCharacters))
            }
        }
    }

    /// `Tolerations:` as kubectl prints them: `key=value:Effect op=Exists for 300s`.
    func tolerations(_ w: inout DescribeWriter, _ level: Int, _ tolerations: [JSONValue]) {
        guard !tolerations.isEmpty else {
            w.line(level, "Tolerations:", "<none>")
            return
        }
        for (i, t) in tolerations.enumerated() {
            var text = t["key"]?.stringValue ?? ""
            if let value = t["value"]?.stringValue, !value.isEmpty { text += "=\(value)" }
            if let effect = t["effect"]?.stringValue, !effect.isEmpty { text += ":\(effect)" }
            if t["operator"]?.stringValue == "Exists" && (t["value"]?.stringValue ?? "").isEmpty {
                text += text.isEmpty ? "op=Exists" : " op=Exists"
            }
            if let seconds = t["tolerationSeconds"]?.intValue { text += " for \(seconds)s" }
            w.line(level, i == 0 ? "Tolerations:" : "", text)
        }
    }
}
