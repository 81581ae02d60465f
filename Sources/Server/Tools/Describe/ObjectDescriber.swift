import Foundation

/// Renders any Kubernetes object as kubectl-describe-like text: a common header (Name, Namespace, Labels,
/// Annotations, CreationTimestamp, Controlled By), a section for the kinds it knows (Pod, Deployment,
/// StatefulSet, DaemonSet, ReplicaSet, Job, Service, Node, Namespace, ConfigMap, Secret), an indented tree of
/// the other fields for every other kind, and the object's recent events.
///
/// Pure value type; any thread. Never shows a Secret's values: the object is redacted (as if without
/// `--show-secrets`) before anything but the Secret section sees it, and that section prints only byte sizes.
/// The last-applied-configuration annotation is left out. Ages are computed against `now`.
struct ObjectDescriber: Sendable {
    /// The object's events as the tool could read them.
    enum Events: Sendable {
        case found([JSONValue])
        case unavailable(String)
    }

    /// The most events shown (the most recent ones).
    static let maxEvents = 20

    var now: Date

    /// The describe text of `object`. `related` holds what a section needs besides the object: the
    /// ReplicaSets of a Deployment, the non-terminated pods on a Node.
    func describe(_ object: JSONValue, events: Events, related: [JSONValue] = []) -> String {
        let redacted = KubeRedaction(showSecrets: false).redacted(object).value
        var w = DescribeWriter()
        header(&w, redacted)
        let kind = redacted["kind"]?.stringValue ?? ""
        let group = Self.group(of: redacted["apiVersion"]?.stringValue)
        let sections = DescribeSections(now: now)
        switch (group, kind) {
        case ("", "Pod"): sections.pod(&w, redacted)
        case ("apps", "Deployment"): sections.deployment(&w, redacted, replicaSets: related)
        case ("apps", "StatefulSet"): sections.statefulSet(&w, redacted)
        case ("apps", "DaemonSet"): sections.daemonSet(&w, redacted)
        case ("apps", "ReplicaSet"): sections.replicaSet(&w, redacted)
        case ("batch", "Job"): sections.job(&w, redacted)
        case ("", "Service"): sections.service(&w, redacted)
        case ("", "Node"): sections.node(&w, redacted, pods: related)
        case ("", "Namespace"): sections.namespace(&w, redacted)
        case ("", "ConfigMap"): sections.configMap(&w, redacted)
        case ("", "Secret"): sections.secret(&w, object)
        default: GenericTree.write(&w, redacted)
        }
        self.events(&w, events)
        return w.text
    }

    /// `apps` of `apps/v1`, `""` of `v1`.
    static func group(of apiVersion: String?) -> String {
        guard let apiVersion, let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    private func header(_ w: inout DescribeWriter, _ object: JSONValue) {
        let metadata = object["metadata"]
        w.line(0, "Name:", metadata?["name"]?.stringValue ?? "")
        if let namespace = metadata?["namespace"]?.stringValue { w.line(0, "Namespace:", namespace) }
        w.map(0, "Labels:", metadata?["labels"]?.objectValue)
        w.map(0, "Annotations:", metadata?["annotations"]?.objectValue, separator: ": ",
              skipping: [KubeRedaction.lastAppliedAnnotation])
        w.line(0, "CreationTimestamp:", DescribeFormat.time(metadata?["creationTimestamp"]?.stringValue) ?? "<unset>")
        if let deletion = metadata?["deletionTimestamp"]?.stringValue {
            w.line(0, "DeletionTimestamp:", DescribeFormat.time(deletion) ?? deletion)
        }
        let owner = (metadata?["ownerReferences"]?.arrayValue ?? []).first { $0["controller"]?.boolValue == true }
        if let owner {
            w.line(0, "Controlled By:", "\(owner["kind"]?.stringValue ?? "")/\(owner["name"]?.stringValue ?? "")")
        }
    }

    private func events(_ w: inout DescribeWriter, _ events: Events) {
        switch events {
        case .unavailable(let why):
            w.line(0, "Events:", "<unavailable: \(why)>")
        case .found(let all) where all.isEmpty:
            w.line(0, "Events:", "<none>")
        case .found(let all):
            let sorted = all.sorted { (Self.lastSeen($0), Self.firstSeen($0)) < (Self.lastSeen($1), Self.firstSeen($1)) }
            let shown = sorted.suffix(Self.maxEvents)
            w.line(0, shown.count < sorted.count
                   ? "Events (the \(shown.count) most recent of \(sorted.count)):" : "Events:")
            w.line(1, "Type", "Reason", "Age", "From", "Message")
            w.line(1, "----", "------", "----", "----", "-------")
            for event in shown {
                w.line(1, event["type"]?.stringValue ?? "", event["reason"]?.stringValue ?? "", age(of: event),
                       Self.source(of: event),
                       (event["message"]?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
    }

    /// When an event was last seen, for ordering (seconds since the epoch; 0 when unknown).
    static func lastSeen(_ event: JSONValue) -> Double {
        for key in ["lastTimestamp", "eventTime", "firstTimestamp"] {
            if let text = event[key]?.stringValue, let seconds = TableRenderer.epochSeconds(rfc3339: text) {
                return seconds
            }
        }
        if let series = event["series"]?["lastObservedTime"]?.stringValue,
           let seconds = TableRenderer.epochSeconds(rfc3339: series) {
            return seconds
        }
        return event["metadata"]?["creationTimestamp"]?.stringValue.flatMap { TableRenderer.epochSeconds(rfc3339: $0) } ?? 0
    }

    /// When an event was first seen (0 when unknown), to order events seen last at the same time.
    static func firstSeen(_ event: JSONValue) -> Double {
        (event["firstTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue)
            .flatMap { TableRenderer.epochSeconds(rfc3339: $0) } ?? 0
    }

    /// kubectl's event age: `5m`, or `2m (x15 over 10m)` for a repeated event.
    private func age(of event: JSONValue) -> String {
        let first = event["firstTimestamp"]?.stringValue ?? event["eventTime"]?.stringValue
        if let series = event["series"], let count = series["count"]?.intValue {
            return "\(TableRenderer.age(of: series["lastObservedTime"]?.stringValue, now: now)) "
                + "(x\(count) over \(TableRenderer.age(of: first, now: now)))"
        }
        if let count = event["count"]?.intValue, count > 1 {
            return "\(TableRenderer.age(of: event["lastTimestamp"]?.stringValue ?? first, now: now)) "
                + "(x\(count) over \(TableRenderer.age(of: first, now: now)))"
        }
        return TableRenderer.age(of: first ?? event["lastTimestamp"]?.stringValue, now: now)
    }

    /// The component that reported an event.
    static func source(of event: JSONValue) -> String {
        for candidate in [event["source"]?["component"]?.stringValue, event["reportingComponent"]?.stringValue,
                          event["reportingController"]?.stringValue] {
            if let candidate, !candidate.isEmpty { return candidate }
        }
        return ""
    }
}
