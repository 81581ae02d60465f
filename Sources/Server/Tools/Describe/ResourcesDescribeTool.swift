import Foundation

/// `resources_describe`: a kubectl-describe-like text of one object of any kind: summary, kind-specific
/// details (containers, replicas, ports, conditions, ...) and its recent events.
///
/// Immutable; any thread. Reads the object, its events (one list call with an `involvedObject` field
/// selector) and, for a Deployment its ReplicaSets, for a Node the pods on it.
struct ResourcesDescribeTool: Tool {
    let environment: KubeToolEnvironment
    var definition: ToolDefinition { Self.toolDefinition }

    /// The most events read for one object (the text shows the most recent `ObjectDescriber.maxEvents`).
    static let eventsReadLimit = 500
    /// The most ReplicaSets or pods read for a Deployment's or Node's section.
    static let relatedReadLimit = 500

    static let toolDefinition = ToolDefinition(
        name: "resources_describe", title: "Resources: describe",
        description: """
            Describes one object of any kind like kubectl describe: name, labels, annotations, owner, then \
            what matters for its kind (a Pod's containers with state, restarts, resources and conditions; a \
            Deployment's replicas, strategy and ReplicaSets; a Service's ports; a Node's conditions, capacity \
            and pods; a ConfigMap's data; a Secret's keys with sizes only, never values; every other kind's \
            fields as a tree), then its recent events. The kind may be spelled as kubectl accepts it (pod, pods, \
            po, deployments.apps, Deployment); apiVersion is optional.
            """,
        inputSchema: ToolSchema.object(properties: [
            "apiVersion": ToolSchema.string("Optional API version, e.g. v1 or apps/v1 (to pick among groups)."),
            "kind": ToolSchema.string("The kind or resource name, e.g. Pod, deployment, deploy, deployments.apps."),
            "name": ToolSchema.string("The object's name."),
            "namespace": ToolSchema.string("The object's namespace (namespaced kinds; default: the context's)."),
            "context": KubeToolSchema.context,
        ], required: ["kind", "name"]),
        annotations: .readOnly(title: "Resources: describe"))

    func call(arguments: JSONObject, context: ToolContext) async throws -> ToolResult {
        await KubeToolRun.run("Describing the object") { () async throws(KubeError) -> ToolResult in
            let connection = try await environment.clients.connection(context: arguments.string("context"))
            let resource = try await Self.resolve(connection, kind: try arguments.requiredString("kind"),
                                                  apiVersion: arguments.string("apiVersion"))
            let name = try arguments.requiredString("name")
            let namespace = connection.namespace(for: resource, arguments.string("namespace"))
            let object = try await connection.get(resource, name: name, namespace: namespace)
            let events = await Self.events(of: object, resource: resource, connection: connection)
            let related = await Self.related(to: object, resource: resource, connection: connection)
            let text = ObjectDescriber(now: Date()).describe(object, events: events, related: related)
            let output = OutputLimiter(maxBytes: environment.output.maxBytes).limit(text: text)
            var content: [ContentBlock] = [.text(output.text)]
            if let note = output.note { content.append(.text(note + " Use resources_get for the whole object.")) }
            return ToolResult(content: content)
        }
    }

    /// The resource for a kind as kubectl accepts it, optionally pinned to an apiVersion.
    static func resolve(_ connection: KubeClients.Connection, kind: String, apiVersion: String?)
        async throws(KubeError) -> APIResourceInfo
    {
        guard let apiVersion else { return try await connection.discovery.resolve(kind) }
        do {
            return try await connection.discovery.resolve(apiVersion: apiVersion, kind: kind)
        } catch .configuration(let message) {
            // `deployments` + `apps/v1`: a resource name rather than a kind.
            let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
            let qualified = parts.count == 2 ? "\(kind).\(parts[1]).\(parts[0])" : "\(kind).\(parts.first ?? "")"
            if let found = try? await connection.discovery.resolve(qualified) { return found }
            throw .configuration(message + " (see api_resources for the kinds the cluster serves)")
        }
    }

    /// The object's events (core/v1, matched on name, namespace, kind and uid, as kubectl does).
    static func events(of object: JSONValue, resource: APIResourceInfo, connection: KubeClients.Connection) async
        -> ObjectDescriber.Events
    {
        let metadata = object["metadata"]
        let namespace = metadata?["namespace"]?.stringValue ?? ""
        var fields = ["involvedObject.name=\(metadata?["name"]?.stringValue ?? "")",
                      "involvedObject.namespace=\(namespace)",
                      "involvedObject.kind=\(object["kind"]?.stringValue ?? resource.kind)"]
        if let uid = metadata?["uid"]?.stringValue, !uid.isEmpty { fields.append("involvedObject.uid=\(uid)") }
        do {
            let list = try await connection.list(
                .events, namespace: namespace.isEmpty ? nil : namespace,
                options: .init(fieldSelector: fields.joined(separator: ","), limit: eventsReadLimit))
            return .found(list["items"]?.arrayValue ?? [])
        } catch {
            return .unavailable("\(error)".split(separator: "\n").first.map(String.init) ?? "unknown error")
        }
    }

    /// What a section needs besides the object: a Deployment's ReplicaSets, a Node's non-terminated pods.
    /// Failures leave the list empty (the section then says so through its counts).
    static func related(to object: JSONValue, resource: APIResourceInfo, connection: KubeClients.Connection) async
        -> [JSONValue]
    {
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        do {
            switch (resource.group, resource.kind) {
            case ("apps", "Deployment"):
                let replicaSets = try await connection.discovery.resolve(apiVersion: "apps/v1", kind: "ReplicaSet")
                let selector = DescribeFormat.selector(object["spec"]?["selector"])
                let list = try await connection.list(
                    replicaSets, namespace: object["metadata"]?["namespace"]?.stringValue,
                    options: .init(labelSelector: selector == "<none>" ? nil : selector, limit: relatedReadLimit))
                return list["items"]?.arrayValue ?? []
            case ("", "Node"):
                let list = try await connection.list(
                    .pods, namespace: nil,
                    options: .init(fieldSelector: "spec.nodeName=\(name),status.phase!=Succeeded,status.phase!=Failed",
                                   limit: relatedReadLimit))
                return list["items"]?.arrayValue ?? []
            default:
                return []
            }
        } catch {
            return []
        }
    }
}
