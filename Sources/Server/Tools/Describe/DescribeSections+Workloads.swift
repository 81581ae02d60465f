extension DescribeSections {
    /// Deployment: selector, replica counts, strategy, pod template, conditions, old and new ReplicaSets.
    func deployment(_ w: inout DescribeWriter, _ deployment: JSONValue, replicaSets: [JSONValue]) {
        let spec = deployment["spec"]
        let status = deployment["status"]
        w.line(0, "Selector:", DescribeFormat.selector(spec?["selector"]))
        func n(_ value: JSONValue?) -> Int { value?.intValue ?? 0 }
        w.line(0, "Replicas:", "\(n(spec?["replicas"] ?? 1)) desired | \(n(status?["updatedReplicas"])) updated | "
               + "\(n(status?["replicas"])) total | \(n(status?["availableReplicas"])) available | "
               + "\(n(status?["unavailableReplicas"])) unavailable")
        let strategy = spec?["strategy"]
        w.line(0, "StrategyType:", strategy?["type"]?.stringValue ?? "RollingUpdate")
        w.line(0, "MinReadySeconds:", DescribeFormat.scalar(spec?["minReadySeconds"] ?? 0))
        if let rolling = strategy?["rollingUpdate"] {
            w.line(0, "RollingUpdateStrategy:",
                   "\(DescribeFormat.intOrString(rolling["maxUnavailable"], default: "25%")) max unavailable, "
                   + "\(DescribeFormat.intOrString(rolling["maxSurge"], default: "25%")) max surge")
        }
        podTemplate(&w, spec?["template"])
        conditions(&w, status?["conditions"]?.arrayValue ?? [],
                   columns: [("type", "Type"), ("status", "Status"), ("reason", "Reason")])

        let uid = deployment["metadata"]?["uid"]?.stringValue
        let owned = replicaSets.filter { rs in
            uid == nil || (rs["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains {
                $0["uid"]?.stringValue == uid
            }
        }
        let revisionKey = "deployment.kubernetes.io/revision"
        let revision = deployment["metadata"]?["annotations"]?[revisionKey]?.stringValue
        let newest = owned.first { revision != nil && $0["metadata"]?["annotations"]?[revisionKey]?.stringValue == revision }
            ?? owned.max { ($0["metadata"]?["creationTimestamp"]?.stringValue ?? "")
                < ($1["metadata"]?["creationTimestamp"]?.stringValue ?? "") }
        func summary(_ rs: JSONValue) -> String {
            "\(rs["metadata"]?["name"]?.stringValue ?? "") (\(n(rs["status"]?["replicas"]))/"
                + "\(n(rs["spec"]?["replicas"])) replicas created)"
        }
        let old = owned.filter { $0["metadata"]?["uid"] != newest?["metadata"]?["uid"] && n($0["spec"]?["replicas"]) > 0 }
        w.line(0, "OldReplicaSets:", old.isEmpty ? "<none>" : old.map(summary).joined(separator: ", "))
        w.line(0, "NewReplicaSet:", newest.map(summary) ?? "<none>")
    }

    /// StatefulSet: selector, service, replicas, update strategy, pod template, volume claims.
    func statefulSet(_ w: inout DescribeWriter, _ set: JSONValue) {
        let spec = set["spec"]
        let status = set["status"]
        w.line(0, "Selector:", DescribeFormat.selector(spec?["selector"]))
        w.line(0, "Service Name:", DescribeFormat.orNone(spec?["serviceName"]?.stringValue))
        w.line(0, "Replicas:", "\(spec?["replicas"]?.intValue ?? 1) desired | \(status?["replicas"]?.intValue ?? 0) total")
        w.line(0, "Update Strategy:", spec?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate")
        if let partition = spec?["updateStrategy"]?["rollingUpdate"]?["partition"] {
            w.line(1, "Partition:", DescribeFormat.scalar(partition))
        }
        w.line(0, "Pods Status:", "\(status?["readyReplicas"]?.intValue ?? 0) Ready / "
               + "\(status?["currentReplicas"]?.intValue ?? 0) Current / \(status?["updatedReplicas"]?.intValue ?? 0) Updated")
        podTemplate(&w, spec?["template"])
        let claims = spec?["volumeClaimTemplates"]?.arrayValue ?? []
        if claims.isEmpty {
            w.line(0, "Volume Claims:", "<none>")
        } else {
            w.line(0, "Volume Claims:")
            for claim in claims {
                w.line(1, "Name:", claim["metadata"]?["name"]?.stringValue ?? "")
                w.line(1, "StorageClass:", claim["spec"]?["storageClassName"]?.stringValue ?? "")
                w.line(1, "Capacity:", claim["spec"]?["resources"]?["requests"]?["storage"].map(DescribeFormat.scalar) ?? "")
                w.line(1, "Access Modes:", (claim["spec"]?["accessModes"]?.arrayValue ?? [])
                       .map(DescribeFormat.scalar).joined(separator: ", "))
            }
        }
        conditions(&w, status?["conditions"]?.arrayValue ?? [],
                   columns: [("type", "Type"), ("status", "Status"), ("reason", "Reason")])
    }

    /// DaemonSet: selector, node selector, scheduled/ready counts, pod template.
    func daemonSet(_ w: inout DescribeWriter, _ set: JSONValue) {
        let spec = set["spec"]
        let status = set["status"]
        func n(_ key: String) -> String { DescribeFormat.scalar(status?[key] ?? 0) }
        w.line(0, "Selector:", DescribeFormat.selector(spec?["selector"]))
        w.line(0, "Node-Selector:", DescribeFormat.mapSelector(spec?["template"]?["spec"]?["nodeSelector"]))
        w.line(0, "Desired Number of Nodes Scheduled:", n("desiredNumberScheduled"))
        w.line(0, "Current Number of Nodes Scheduled:", n("currentNumberScheduled"))
        w.line(0, "Number of Nodes Scheduled with Up-to-date Pods:", n("updatedNumberScheduled"))
        w.line(0, "Number of Nodes Scheduled with Available Pods:", n("numberAvailable"))
        w.line(0, "Number of Nodes Misscheduled:", n("numberMisscheduled"))
        w.line(0, "Pods Status:", "\(n("numberReady")) Ready / \(n("numberUnavailable")) Unavailable")
        w.line(0, "Update Strategy:", spec?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate")
        podTemplate(&w, spec?["template"])
    }

    /// ReplicaSet: selector, current/desired replicas, pods status, pod template.
    func replicaSet(_ w: inout DescribeWriter, _ set: JSONValue) {
        let spec = set["spec"]
        let status = set["status"]
        w.line(0, "Selector:", DescribeFormat.selector(spec?["selector"]))
        w.line(0, "Replicas:", "\(status?["replicas"]?.intValue ?? 0) current / \(spec?["replicas"]?.intValue ?? 1) desired")
        w.line(0, "Pods Status:", "\(status?["readyReplicas"]?.intValue ?? 0) Ready / "
               + "\(status?["availableReplicas"]?.intValue ?? 0) Available")
        podTemplate(&w, spec?["template"])
        conditions(&w, status?["conditions"]?.arrayValue ?? [],
                   columns: [("type", "Type"), ("status", "Status"), ("reason", "Reason")])
    }

    /// Job: parallelism, completions, times, pod counts, pod template, conditions.
    func job(_ w: inout DescribeWriter, _ job: JSONValue) {
        let spec = job["spec"]
        let status = job["status"]
        w.line(0, "Selector:", DescribeFormat.selector(spec?["selector"]))
        w.line(0, "Parallelism:", DescribeFormat.scalar(spec?["parallelism"] ?? 1))
        w.line(0, "Completions:", spec?["completions"].map(DescribeFormat.scalar) ?? "<unset>")
        if let mode = spec?["completionMode"]?.stringValue { w.line(0, "Completion Mode:", mode) }
        if let suspend = spec?["suspend"]?.boolValue { w.line(0, "Suspend:", "\(suspend)") }
        if let limit = spec?["backoffLimit"] { w.line(0, "Backoff Limit:", DescribeFormat.scalar(limit)) }
        if let start = DescribeFormat.time(status?["startTime"]?.stringValue) { w.line(0, "Start Time:", start) }
        if let done = DescribeFormat.time(status?["completionTime"]?.stringValue) { w.line(0, "Completed At:", done) }
        if let start = status?["startTime"]?.stringValue.flatMap({ TableRenderer.epochSeconds(rfc3339: $0) }),
           let end = status?["completionTime"]?.stringValue.flatMap({ TableRenderer.epochSeconds(rfc3339: $0) }) {
            w.line(0, "Duration:", TableRenderer.humanDuration(seconds: end - start))
        }
        w.line(0, "Pods Statuses:", "\(status?["active"]?.intValue ?? 0) Active (\(status?["ready"]?.intValue ?? 0) Ready) / "
               + "\(status?["succeeded"]?.intValue ?? 0) Succeeded / \(status?["failed"]?.intValue ?? 0) Failed")
        podTemplate(&w, spec?["template"])
        conditions(&w, status?["conditions"]?.arrayValue ?? [],
                   columns: [("type", "Type"), ("status", "Status"), ("reason", "Reason")])
    }
}
