extension DescribeSections {
    /// Service: selector, type, IPs, ports (target and node ports), external addresses, session affinity and
    /// traffic policies.
    func service(_ w: inout DescribeWriter, _ service: JSONValue) {
        let spec = service["spec"]
        let type = spec?["type"]?.stringValue ?? "ClusterIP"
        w.line(0, "Selector:", DescribeFormat.mapSelector(spec?["selector"]))
        w.line(0, "Type:", type)
        if let policy = spec?["ipFamilyPolicy"]?.stringValue { w.line(0, "IP Family Policy:", policy) }
        if let families = spec?["ipFamilies"]?.arrayValue {
            w.line(0, "IP Families:", families.map(DescribeFormat.scalar).joined(separator: ","))
        }
        if type == "ExternalName" {
            w.line(0, "External Name:", spec?["externalName"]?.stringValue ?? "")
        } else {
            w.line(0, "IP:", DescribeFormat.orNone(spec?["clusterIP"]?.stringValue))
            let ips = (spec?["clusterIPs"]?.arrayValue ?? []).map(DescribeFormat.scalar)
            w.line(0, "IPs:", ips.isEmpty ? "<none>" : ips.joined(separator: ","))
        }
        if let external = spec?["externalIPs"]?.arrayValue, !external.isEmpty {
            w.line(0, "External IPs:", external.map(DescribeFormat.scalar).joined(separator: ","))
        }
        if let ingress = service["status"]?["loadBalancer"]?["ingress"]?.arrayValue, !ingress.isEmpty {
            let addresses = ingress.compactMap { $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue }
            w.line(0, "LoadBalancer Ingress:", addresses.joined(separator: ", "))
        }
        let ports = spec?["ports"]?.arrayValue ?? []
        if ports.isEmpty { w.line(0, "Port:", "<none>") }
        for port in ports {
            let name = port["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "<unset>"
            let proto = port["protocol"]?.stringValue ?? "TCP"
            w.line(0, "Port:", "\(name)  \(DescribeFormat.scalar(port["port"] ?? 0))/\(proto)")
            let target = port["targetPort"].map(DescribeFormat.scalar) ?? DescribeFormat.scalar(port["port"] ?? 0)
            w.line(0, "TargetPort:", "\(target)/\(proto)")
            if let nodePort = port["nodePort"] {
                w.line(0, "NodePort:", "\(name)  \(DescribeFormat.scalar(nodePort))/\(proto)")
            }
        }
        w.line(0, "Session Affinity:", spec?["sessionAffinity"]?.stringValue ?? "None")
        if let policy = spec?["externalTrafficPolicy"]?.stringValue { w.line(0, "External Traffic Policy:", policy) }
        if let policy = spec?["internalTrafficPolicy"]?.stringValue { w.line(0, "Internal Traffic Policy:", policy) }
        if let port = spec?["healthCheckNodePort"] { w.line(0, "HealthCheck NodePort:", DescribeFormat.scalar(port)) }
    }
}
