/// The write operations the operate tools need beyond `KubeOperations`: a read that treats 404 as absence,
/// deletion with a server-side dry run, and replica changes through the `scale` subresource.
///
/// Plain extension; any task.
extension KubeClients.Connection {
    /// The object, or nil when the server answers 404 NotFound.
    public func getIfPresent(_ resource: APIResourceInfo, name: String, namespace: String?) async throws(KubeError)
        -> JSONValue?
    {
        do {
            return try await get(resource, name: name, namespace: namespace)
        } catch where error.statusCode == 404 {
            return nil
        }
    }

    /// Deletes an object; with `dryRun` the server checks and answers without deleting (`dryRun=All`).
    public func delete(_ resource: APIResourceInfo, name: String, namespace: String?, propagationPolicy: String?,
                       gracePeriodSeconds: Int?, dryRun: Bool) async throws(KubeError) -> JSONValue
    {
        var options = JSONObject([("kind", "DeleteOptions"), ("apiVersion", "v1")])
        if let propagationPolicy { options["propagationPolicy"] = .string(propagationPolicy) }
        if let gracePeriodSeconds { options["gracePeriodSeconds"] = .int(gracePeriodSeconds) }
        if dryRun { options["dryRun"] = ["All"] }
        let path = resource.path(namespace: self.namespace(for: resource, namespace), name: name)
        return try await client.send(KubeRequest(method: "DELETE", path: path,
                                                 query: dryRun ? [("dryRun", "All")] : [],
                                                 contentType: "application/json",
                                                 body: JSONWriter.encode(.object(options)))).json()
    }

    /// Sets `spec.replicas` through the `scale` subresource (a merge patch, as `kubectl scale` does) and
    /// returns the new `Scale` object.
    public func scale(_ resource: APIResourceInfo, name: String, namespace: String?, replicas: Int)
        async throws(KubeError) -> JSONValue
    {
        let body: JSONValue = ["spec": ["replicas": .int(replicas)]]
        return try await patch(resource, name: name, namespace: namespace, type: .merge, body: JSONWriter.encode(body),
                               subresource: "scale")
    }
}
