/// `resources/subscribe` for object URIs: the object is read once (it must exist), then watched from that
/// resourceVersion with `fieldSelector=metadata.name=<name>` — one watch per subscription. Creations,
/// changes, deletions and relists after an expired resourceVersion all count as a change.
///
/// Plain extension; any task. The watch runs in its own task until `stop` (or the consumer's cancellation);
/// it resumes by itself after dropped connections and server timeouts (`Connection.watch`).
extension KubeResourceProvider {
    public func watch(uri: String) async throws(JSONRPCError) -> ResourceWatch? {
        guard let parsed = try Self.parse(uri) else { return nil }
        guard case .object(let context, let namespace, let resource, let name) = parsed else {
            throw .invalidParams("only object URIs (k8s://{context}/{namespace}/{resource}/{name} or "
                                 + "k8s://{context}/_cluster/{resource}/{name}) can be subscribed; for a pod's log, "
                                 + "subscribe to the pod and read the log when it changes")
        }
        let connection = try await connection(context, uri: uri)
        let info = try await resolve(resource, namespace: namespace, context: context, connection: connection, uri: uri)
        guard info.verbs.isEmpty || info.verbs.contains("watch") else {
            throw .invalidParams("\(info.qualifiedPlural) cannot be watched (the API server offers no watch for them)")
        }
        let object: JSONValue
        do throws(KubeError) {
            object = try await connection.get(info, name: name, namespace: namespace)
        } catch {
            throw Self.rpcError(error, uri: uri)
        }
        let events = connection.watch(info, namespace: namespace ?? (info.namespaced ? connection.defaultNamespace : nil),
                                      fieldSelector: "metadata.name=\(name)",
                                      resourceVersion: object["metadata"]?["resourceVersion"]?.stringValue)
        // Only the latest change matters to a client that re-reads: a slow consumer sees one pending change.
        let (changes, continuation) = AsyncStream<ResourceChange>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let task = Task {
            do {
                for try await event in events {
                    switch event {
                    case .added, .modified, .relisted: continuation.yield(.updated)
                    case .deleted: continuation.yield(.deleted)
                    case .bookmark: break
                    }
                }
            } catch {
                // The watch gave up (401/403/404 or repeated failures): the stream ends.
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return ResourceWatch(changes: changes, stop: { task.cancel() })
    }
}
