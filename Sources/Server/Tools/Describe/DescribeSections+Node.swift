extension DescribeSections {
    /// The most pod rows in a Node's `Non-terminated Pods` table (the count covers them all).
    static let maxNodePods = 50

    /// Node: roles, taints, conditions, addresses, capacity and allocatable, system info, and the
    /// non-terminated pods on it with their requests and limits and the totals against allocatable.
    func node(_ w: inout DescribeWriter, _ node: JSONValue, pods: [JSONValue]) {
        let spec = node["spec"]
        let status = node["status"]
        let roles = (node["metadata"]?["labels"]?.objectValue?.keys ?? [])
            .filter { $0.hasPrefix("node-role.kubernetes.io/") }
            .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }.sorted()
        w.line(0, "Roles:", roles.isEmpty ? "<none>" : roles.joined(separator: ","))
        let taints = spec?["taints"]?.arrayValue ?? []
        if taints.isEmpty { w.line(0, "Taints:", "<none>") }
        for (i, taint) in taints.enumerated() {
            var text = taint["key"]?.stringValue ?? ""
            if let value = taint["value"]?.stringValue, !value.isEmpty { text += "=\(value)" }
            text += ":\(taint["effect"]?.stringValue ?? "")"
            w.line(0, i == 0 ? "Taints:" : "", text)
        }
        w.line(0, "Unschedulable:", "\(spec?["unschedulable"]?.boolValue ?? false)")
        conditions(&w, status?["conditions"]?.arrayValue ?? [],
                   columns: [("type", "Type"), ("status", "Status"), ("lastHeartbeatTime", "LastHeartbeatTime"),
                             ("lastTransitionTime", "LastTransitionTime"), ("reason", "Reason"), ("message", "Message")])
        let addresses = status?["addresses"]?.arrayValue ?? []
        w.line(0, "Addresses:", addresses.isEmpty ? "<none>" : "")
        for address in addresses {
            w.line(1, "\(address["type"]?.stringValue ?? ""):", address["address"]?.stringValue ?? "")
        }
        for (key, title) in [("capacity", "Capacity:"), ("allocatable", "Allocatable:")] {
            guard let values = status?[key]?.objectValue, !values.isEmpty else { continue }
            w.line(0, title)
            for member in values.members { w.line(1, "\(member.key):", DescribeFormat.scalar(member.value)) }
        }
        if let info = status?["nodeInfo"] {
            w.line(0, "System Info:")
            for (key, title) in [("machineID", "Machine ID"), ("systemUUID", "System UUID"), ("bootID", "Boot ID"),
                                 ("kernelVersion", "Kernel Version"), ("osImage", "OS Image"),
                                 ("operatingSystem", "Operating System"), ("architecture", "Architecture"),
                                 ("containerRuntimeVersion", "Container Runtime Version"),
                                 ("kubeletVersion", "Kubelet Version"), ("kubeProxyVersion", "Kube-Proxy Version")] {
                w.line(1, "\(title):", info[key]?.stringValue ?? "")
            }
        }
        if let cidr = spec?["podCIDR"]?.stringValue { w.line(0, "PodCIDR:", cidr) }
        if let cidrs = spec?["podCIDRs"]?.arrayValue {
            w.line(0, "PodCIDRs:", cidrs.map(DescribeFormat.scalar).joined(separator: ","))
        }
        if let provider = spec?["providerID"]?.stringValue { w.line(0, "ProviderID:", provider) }
        nodePods(&w, pods, allocatable: status?["allocatable"])
    }

    private func nodePods(_ w: inout DescribeWriter, _ pods: [JSONValue], allocatable: JSONValue?) {
        let cpuAllocatable = allocatable?["cpu"]?.stringValue.flatMap(KubeQuantity.init)?.milliValue ?? 0
        let memoryAllocatable = allocatable?["memory"]?.stringValue.flatMap(KubeQuantity.init)?.integerValue ?? 0
        func percent(_ value: Int, of total: Int) -> String { total > 0 ? " (\(value * 100 / total)%)" : "" }
        func cpu(_ m: Int) -> String { "\(m)m\(percent(m, of: cpuAllocatable))" }
        func memory(_ b: Int) -> String { "\(Self.bytesText(b))\(percent(b, of: memoryAllocatable))" }

        w.line(0, "Non-terminated Pods:", "(\(pods.count) in total)")
        var totals = (cpuRequests: 0, cpuLimits: 0, memoryRequests: 0, memoryLimits: 0)
        var rows: [[String]] = []
        for pod in pods {
            var sums = (cpuRequests: 0, cpuLimits: 0, memoryRequests: 0, memoryLimits: 0)
            for container in pod["spec"]?["containers"]?.arrayValue ?? [] {
                let resources = container["resources"]
                func quantity(_ kind: String, _ name: String) -> KubeQuantity? {
                    resources?[kind]?[name]?.stringValue.flatMap(KubeQuantity.init)
                }
                sums.cpuRequests += quantity("requests", "cpu")?.milliValue ?? 0
                sums.cpuLimits += quantity("limits", "cpu")?.milliValue ?? 0
                sums.memoryRequests += quantity("requests", "memory")?.integerValue ?? 0
                sums.memoryLimits += quantity("limits", "memory")?.integerValue ?? 0
            }
            totals.cpuRequests += sums.cpuRequests
            totals.cpuLimits += sums.cpuLimits
            totals.memoryRequests += sums.memoryRequests
            totals.memoryLimits += sums.memoryLimits
            rows.append([pod["metadata"]?["namespace"]?.stringValue ?? "", pod["metadata"]?["name"]?.stringValue ?? "",
                         cpu(sums.cpuRequests), cpu(sums.cpuLimits), memory(sums.memoryRequests),
                         memory(sums.memoryLimits),
                         TableRenderer.age(of: pod["metadata"]?["creationTimestamp"]?.stringValue, now: now)])
        }
        if !rows.isEmpty {
            let header = ["Namespace", "Name", "CPU Requests", "CPU Limits", "Memory Requests", "Memory Limits", "Age"]
            w.add(1, header)
            w.add(1, header.map { String(repeating: "-", count: $0.count) })
            for row in rows.prefix(Self.maxNodePods) { w.add(1, row) }
            if rows.count > Self.maxNodePods {
                w.line(1, "(\(rows.count - Self.maxNodePods) more pods not shown)")
            }
        }
        w.line(0, "Allocated resources:")
        w.line(1, "(Total limits may be over 100 percent, i.e., overcommitted.)")
        w.line(1, "Resource", "Requests", "Limits")
        w.line(1, "--------", "--------", "------")
        w.line(1, "cpu", cpu(totals.cpuRequests), cpu(totals.cpuLimits))
        w.line(1, "memory", memory(totals.memoryRequests), memory(totals.memoryLimits))
    }

    /// Bytes in the largest binary unit that divides them: `64Mi`, `1Gi`, `1536Ki`, `1000`.
    static func bytesText(_ bytes: Int) -> String {
        guard bytes != 0 else { return "0" }
        for (unit, size) in [("Ti", 1 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] where bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return String(bytes)
    }
}
