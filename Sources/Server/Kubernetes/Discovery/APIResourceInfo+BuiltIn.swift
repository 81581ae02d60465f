/// Core resources every cluster serves, so that the common tools need no discovery round trip.
extension APIResourceInfo {
    public static let pods = APIResourceInfo(group: "", version: "v1", kind: "Pod", plural: "pods", singular: "pod",
                                             shortNames: ["po"], namespaced: true,
                                             subresources: ["log", "status", "exec", "eviction"])
    public static let namespaces = APIResourceInfo(group: "", version: "v1", kind: "Namespace", plural: "namespaces",
                                                   singular: "namespace", shortNames: ["ns"], namespaced: false)
    public static let nodes = APIResourceInfo(group: "", version: "v1", kind: "Node", plural: "nodes", singular: "node",
                                              shortNames: ["no"], namespaced: false)
    public static let events = APIResourceInfo(group: "", version: "v1", kind: "Event", plural: "events",
                                               singular: "event", shortNames: ["ev"], namespaced: true)
}
