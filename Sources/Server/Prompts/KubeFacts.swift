import Foundation

/// Short text facts about Kubernetes objects for the prompts: a pod's status line, container states,
/// conditions, events — one line each, bounded, built only from status fields (never from env, volumes or
/// Secret data).
///
/// Stateless; any thread.
enum KubeFacts {
    /// Events shown at most per prompt section.
    static let maxEvents = 20
    /// Log lines shown at most per container.
    static let maxLogLines = 30
    /// Log bytes read at most per container.
    static let maxLogBytes = 8 * 1024
    /// Containers whose logs are embedded at most.
    static let maxLogContainers = 3
    /// Pods listed at most per section.
    static let maxPods = 40
    /// The longest single line kept (event messages, condition messages).
    static let maxLineCharacters = 300

    static func name(_ object: JSONValue) -> String { object["metadata"]?["name"]?.stringValue ?? "?" }
    static func namespace(_ object: JSONValue) -> String? { object["metadata"]?["namespace"]?.stringValue }

    /// `web-1  2/2  Running  restarts 0  node node-1  age 3d`.
    static func podLine(_ pod: JSONValue, now: Date, withNamespace: Bool = false) -> String {
        let summary = TableRenderer.podSummary(pod, now: now)
        let prefix = withNamespace ? "\(namespace(pod) ?? "?")/" : ""
        var line = "\(prefix)\(name(pod)): \(summary.status), ready \(summary.ready), restarts \(summary.restarts)"
        if let node = pod["spec"]?["nodeName"]?.stringValue { line += ", node \(node)" }
        line += ", age \(TableRenderer.age(of: pod["metadata"]?["creationTimestamp"]?.stringValue, now: now))"
        return line
    }

    /// Whether a pod needs attention: not Running/Succeeded, not ready, or restarting.
    static func isUnhealthy(_ pod: JSONValue, now: Date) -> Bool {
        let summary = TableRenderer.podSummary(pod, now: now)
        if summary.status == "Completed" || summary.status == "Succeeded" { return false }
        if summary.status != "Running" { return true }
        let parts = summary.ready.split(separator: "/")
        if parts.count == 2, parts[0] != parts[1] { return true }
        return restartCount(pod) >= 3
    }

    static func restartCount(_ pod: JSONValue) -> Int {
        (pod["status"]?["containerStatuses"]?.arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }
    }

    /// One line per container (init containers first): state, readiness, restarts, last termination.
    static func containerLines(_ pod: JSONValue) -> [String] {
        let status = pod["status"]
        let images = Dictionary(
            ((pod["spec"]?["initContainers"]?.arrayValue ?? []) + (pod["spec"]?["containers"]?.arrayValue ?? []))
                .map { ($0["name"]?.stringValue ?? "", $0["image"]?.stringValue ?? "?") },
            uniquingKeysWith: { a, _ in a })
        var lines: [String] = []
        for (kind, key) in [("init container", "initContainerStatuses"), ("container", "containerStatuses")] {
            for c in status?[key]?.arrayValue ?? [] {
                let cname = c["name"]?.stringValue ?? "?"
                var line = "\(kind) \(cname) (image \(images[cname] ?? c["image"]?.stringValue ?? "?")): "
                    + state(c["state"])
                line += ", ready \(c["ready"]?.boolValue == true ? "yes" : "no")"
                line += ", restarts \(c["restartCount"]?.intValue ?? 0)"
                if let last = c["lastState"]?["terminated"] {
                    line += "; last run terminated: \(terminated(last))"
                }
                lines.append(clip(line))
            }
        }
        if lines.isEmpty { lines.append("(no container statuses yet: the pod may not be scheduled)") }
        return lines
    }

    /// `waiting (CrashLoopBackOff: back-off 5m...)`, `running since ...`, `terminated (Error, exit code 1)`.
    static func state(_ state: JSONValue?) -> String {
        if let w = state?["waiting"] {
            let reason = w["reason"]?.stringValue ?? "unknown"
            if let message = w["message"]?.stringValue, !message.isEmpty { return "waiting (\(reason): \(message))" }
            return "waiting (\(reason))"
        }
        if let r = state?["running"] {
            return "running since \(r["startedAt"]?.stringValue ?? "?")"
        }
        if let t = state?["terminated"] { return "terminated (\(terminated(t)))" }
        return "unknown state"
    }

    static func terminated(_ t: JSONValue) -> String {
        var text = "\(t["reason"]?.stringValue ?? "terminated"), exit code \(t["exitCode"]?.intValue ?? -1)"
        if let signal = t["signal"]?.intValue, signal != 0 { text += ", signal \(signal)" }
        if let finished = t["finishedAt"]?.stringValue { text += ", finished \(finished)" }
        if let message = t["message"]?.stringValue, !message.isEmpty { text += ", message: \(message)" }
        return text
    }

    /// Whether a container's log is worth embedding (not ready, waiting, terminated badly, or restarting).
    static func failingContainers(_ pod: JSONValue) -> [(name: String, previous: Bool)] {
        var out: [(String, Bool)] = []
        for key in ["initContainerStatuses", "containerStatuses"] {
            for c in pod["status"]?[key]?.arrayValue ?? [] {
                let restarts = c["restartCount"]?.intValue ?? 0
                let running = c["state"]?["running"] != nil
                let ready = c["ready"]?.boolValue == true
                let badExit = (c["state"]?["terminated"]?["exitCode"]?.intValue ?? 0) != 0
                guard !ready || restarts > 0 || badExit else { continue }
                if key == "initContainerStatuses", c["state"]?["terminated"]?["exitCode"]?.intValue == 0 { continue }
                // A container waiting after a crash has no current log: read the previous run.
                let previous = !running && c["lastState"]?["terminated"] != nil
                out.append((c["name"]?.stringValue ?? "", previous))
            }
        }
        return Array(out.prefix(maxLogContainers))
    }

    /// `Ready=False (ContainersNotReady): ...` for each condition.
    static func conditionLines(_ object: JSONValue) -> [String] {
        (object["status"]?["conditions"]?.arrayValue ?? []).map { c in
            var line = "\(c["type"]?.stringValue ?? "?")=\(c["status"]?.stringValue ?? "?")"
            if let reason = c["reason"]?.stringValue, !reason.isEmpty { line += " (\(reason))" }
            if let message = c["message"]?.stringValue, !message.isEmpty { line += ": \(message)" }
            return clip(line)
        }
    }

    /// The most recent events first, at most `limit`, one line each.
    static func eventLines(_ events: [JSONValue], now: Date, limit: Int = maxEvents) -> [String] {
        func time(_ e: JSONValue) -> String {
            e["lastTimestamp"]?.stringValue ?? e["eventTime"]?.stringValue
                ?? e["metadata"]?["creationTimestamp"]?.stringValue ?? ""
        }
        let sorted = events.sorted { time($0) > time($1) }
        return sorted.prefix(limit).map { e in
            let object = e["involvedObject"]
            var line = "\(TableRenderer.age(of: time(e), now: now)) ago \(e["type"]?.stringValue ?? "?") "
                + "\(e["reason"]?.stringValue ?? "?") \(object?["kind"]?.stringValue ?? "?")/"
                + "\(object?["name"]?.stringValue ?? "?"): \(e["message"]?.stringValue ?? "")"
            if let count = e["count"]?.intValue, count > 1 { line += " (×\(count))" }
            return clip(line)
        }
    }

    /// The last `maxLogLines` lines of a log text.
    static func tail(_ log: String) -> [String] {
        let lines = log.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let trimmed = lines.last == "" ? Array(lines.dropLast()) : lines
        return trimmed.suffix(maxLogLines).map(clip)
    }

    static func clip(_ line: String) -> String {
        guard line.count > maxLineCharacters else { return line }
        return String(line.prefix(maxLineCharacters)) + "…"
    }

    /// A label selector string from a `matchLabels` / `matchExpressions` selector.
    static func selectorString(_ selector: JSONValue?) -> String? {
        var terms: [String] = []
        for (key, value) in selector?["matchLabels"]?.objectValue ?? JSONObject() {
            if let v = value.stringValue { terms.append("\(key)=\(v)") }
        }
        for e in selector?["matchExpressions"]?.arrayValue ?? [] {
            guard let key = e["key"]?.stringValue, let op = e["operator"]?.stringValue else { continue }
            let values = (e["values"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
            switch op {
            case "In": terms.append("\(key) in (\(values))")
            case "NotIn": terms.append("\(key) notin (\(values))")
            case "Exists": terms.append(key)
            case "DoesNotExist": terms.append("!\(key)")
            default: continue
            }
        }
        return terms.isEmpty ? nil : terms.joined(separator: ",")
    }
}
