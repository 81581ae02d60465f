extension KubeClient {
    /// The discovery of this API server, created on first use. It sends its requests through this client
    /// (held weakly, so that neither keeps the other alive); the request policy uses it to learn the kind and
    /// scope of a request's resource.
    public var discovery: DiscoveryCache {
        discoveryStorage.withLock { cache in
            if let cache { return cache }
            let created = DiscoveryCache(api: WeakKubeAPI(client: self))
            cache = created
            return created
        }
    }

    /// Checks `request` against the request policy (`options.policy`) and throws `KubeError.refused` when a
    /// rule refuses it. `send` and `stream` call it for every request; code that opens its own connection to
    /// the API server (a WebSocket upgrade for exec) must call it first. Discovery requests are always allowed,
    /// so the lookups this makes cannot recurse. When discovery fails, the request is refused (fail closed).
    public func authorize(_ request: KubeRequest) async throws(KubeError) {
        let policy = options.policy
        guard !policy.isUnrestricted else { return }
        let discovery = self.discovery
        let refusal = try await policy.refusal(method: request.method, path: request.path) {
            (path: KubeResourcePath) async throws(KubeError) -> APIResourceInfo? in
            do throws(KubeError) {
                return try await discovery.resource(group: path.group, version: path.version, plural: path.resource)
            } catch {
                if case .cancelled = error { throw error }
                throw .refused(rule: "the request policy", message: "refused: cannot check \(request.method) "
                    + "\(request.path) against \(policy.activeFlags) because API discovery failed: \(error)")
            }
        }
        if let refusal {
            if case .refused(let rule, _) = refusal {
                logger.info("k8s.request.refused", metadata: ["k8s.rule": "\(rule)", "k8s.method": "\(request.method)"])
            }
            throw refusal
        }
    }
}

/// A `KubeAPI` that forwards to a client it does not keep alive; once the client is gone every call is
/// cancelled. Lets a client own its discovery cache without a reference cycle.
///
/// Immutable; any task.
struct WeakKubeAPI: KubeAPI {
    weak var client: KubeClient?

    func send(_ request: KubeRequest) async throws(KubeError) -> KubeResponse {
        guard let client else { throw .cancelled }
        return try await client.send(request)
    }

    func stream(_ request: KubeRequest) -> AsyncThrowingStream<[UInt8], Error> {
        guard let client else { return AsyncThrowingStream { $0.finish(throwing: KubeError.cancelled) } }
        return client.stream(request)
    }
}
