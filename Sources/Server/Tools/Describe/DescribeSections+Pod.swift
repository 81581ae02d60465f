extension DescribeSections {
    /// Pod: node, start time, status, IPs, containers (init and regular) with their state, conditions,
    /// volumes, QoS class, node selectors and tolerations.
    func pod(_ w: inout DescribeWriter, _ pod: JSONValue) {
        let spec = pod["spec"]
        let status = pod["status"]
        if let priority = spec?["priority"] { w.line(0, "Priority:", DescribeFormat.scalar(priority)) }
        if let priorityClass = spec?["priorityClassName"]?.stringValue {
            w.line(0, "Priority Class Name:", priorityClass)
        }
        w.line(0, "Service Account:", spec?["serviceAccountName"]?.stringValue ?? "default")
        if let node = spec?["nodeName"]?.stringValue {
            w.line(0, "Node:", node + (status?["hostIP"]?.stringValue.map { "/\($0)" } ?? ""))
        } else {
            w.line(0, "Node:", "<none>")
        }
        if let start = DescribeFormat.time(status?["startTime"]?.stringValue) { w.line(0, "Start Time:", start) }
        var phase = status?["phase"]?.stringValue ?? "Unknown"
        if pod["metadata"]?["deletionTimestamp"] != nil { phase = "Terminating" }
        w.line(0, "Status:", phase)
        if let reason = status?["reason"]?.stringValue { w.line(0, "Reason:", reason) }
        if let message = status?["message"]?.stringValue {
            w.line(0, "Message:", DescribeFormat.capped(message, limit: Self.maxValueCharacters))
        }
        w.line(0, "IP:", status?["podIP"]?.stringValue ?? "")
        let ips = (status?["podIPs"]?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue }
        if ips.isEmpty {
            w.line(0, "IPs:", "<none>")
        } else {
            w.line(0, "IPs:")
            for ip in ips { w.line(1, "IP:", ip) }
        }
        containers(&w, 0, title: "Init Containers:", specs: spec?["initContainers"]?.arrayValue ?? [],
                   statuses: status?["initContainerStatuses"]?.arrayValue ?? [])
        containers(&w, 0, title: "Containers:", specs: spec?["containers"]?.arrayValue ?? [],
                   statuses: status?["containerStatuses"]?.arrayValue ?? [])
        conditions(&w, status?["conditions"]?.arrayValue ?? [], columns: [("type", "Type"), ("status", "Status")])
        volumes(&w, 0, spec?["volumes"]?.arrayValue ?? [])
        w.line(0, "QoS Class:", status?["qosClass"]?.stringValue ?? Self.qosClass(spec))
        w.map(0, "Node-Selectors:", spec?["nodeSelector"]?.objectValue)
        tolerations(&w, 0, spec?["tolerations"]?.arrayValue ?? [])
    }

    /// The QoS class computed from requests and limits (when the status does not say): Guaranteed when every
    /// container limits CPU and memory with requests equal to limits, BestEffort when none sets any, else
    /// Burstable.
    static func qosClass(_ spec: JSONValue?) -> String {
        let containers = (spec?["containers"]?.arrayValue ?? []) + (spec?["initContainers"]?.arrayValue ?? [])
        var anySet = false
        var guaranteed = !containers.isEmpty
        for container in containers {
            let requests = container["resources"]?["requests"]?.objectValue ?? JSONObject()
            let limits = container["resources"]?["limits"]?.objectValue ?? JSONObject()
            if !requests.isEmpty || !limits.isEmpty { anySet = true }
            for resource in ["cpu", "memory"] {
                guard let limit = limits[resource] else {
                    guaranteed = false
                    continue
                }
                if let request = requests[resource], request != limit { guaranteed = false }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
