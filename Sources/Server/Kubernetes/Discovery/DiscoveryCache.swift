/// The discovery of one API server, fetched on first use and refreshed when a name is not found (a CRD
/// created meanwhile), at most every 10 seconds.
///
/// Actor; any task. Tries aggregated discovery first and falls back to `/api` + `/apis/<group>/<version>`.
public actor DiscoveryCache {
    private let api: any KubeAPI
    private var mapper: RESTMapper?
    private var fetchedAt: ContinuousClock.Instant?
    private var inFlight: Task<RESTMapper, Error>?
    private let clock = ContinuousClock()
    /// The least time between two refreshes triggered by misses.
    public let minimumRefreshInterval: Duration

    public init(api: any KubeAPI, minimumRefreshInterval: Duration = .seconds(10)) {
        self.api = api
        self.minimumRefreshInterval = minimumRefreshInterval
    }

    /// The current mapper, fetching discovery when there is none yet.
    public func restMapper() async throws(KubeError) -> RESTMapper {
        if let mapper { return mapper }
        return try await refresh()
    }

    /// Resolves a resource name, refreshing discovery once on a miss.
    public func resolve(_ name: String) async throws(KubeError) -> APIResourceInfo {
        if let found = try await restMapper().resolve(name) { return found }
        if canRefresh, let found = try await refresh().resolve(name) { return found }
        throw .configuration("the server doesn't have a resource type \"\(name)\" (see api_resources for the list)")
    }

    /// Resolves `apiVersion` + `kind`, refreshing discovery once on a miss.
    public func resolve(apiVersion: String, kind: String) async throws(KubeError) -> APIResourceInfo {
        if let found = try await restMapper().resolve(apiVersion: apiVersion, kind: kind) { return found }
        if canRefresh, let found = try await refresh().resolve(apiVersion: apiVersion, kind: kind) { return found }
        throw .configuration("no kind \"\(kind)\" is registered for version \"\(apiVersion)\" on this cluster")
    }

    /// The resource served at `group`/`version`/`plural` (any version of the group when that version is not
    /// listed), refreshing discovery once on a miss; nil when discovery does not list it. Used by the request
    /// policy, whose own discovery requests never need this lookup.
    public func resource(group: String, version: String, plural: String) async throws(KubeError) -> APIResourceInfo? {
        func find(_ mapper: RESTMapper) -> APIResourceInfo? {
            mapper.resources.first { $0.group == group && $0.version == version && $0.plural == plural }
                ?? mapper.resources.first { $0.group == group && $0.plural == plural }
        }
        if let found = find(try await restMapper()) { return found }
        if canRefresh { return find(try await refresh()) }
        return nil
    }

    private var canRefresh: Bool {
        guard let fetchedAt else { return true }
        return fetchedAt.duration(to: clock.now) >= minimumRefreshInterval
    }

    /// Fetches discovery again (concurrent callers share one fetch).
    @discardableResult
    public func refresh() async throws(KubeError) -> RESTMapper {
        let task: Task<RESTMapper, Error>
        if let inFlight {
            task = inFlight
        } else {
            let api = self.api
            task = Task { try await Self.fetch(api) }
            inFlight = task
        }
        do {
            let fresh = try await task.value
            inFlight = nil
            mapper = fresh
            fetchedAt = clock.now
            return fresh
        } catch let error as KubeError {
            inFlight = nil
            throw error
        } catch {
            inFlight = nil
            throw .cancelled
        }
    }

    static func fetch(_ api: any KubeAPI) async throws(KubeError) -> RESTMapper {
        let core = try await api.send(KubeRequest(path: "/api", accept: DiscoveryDocument.aggregatedAccept)).json()
        let groups = try await api.send(KubeRequest(path: "/apis", accept: DiscoveryDocument.aggregatedAccept)).json()
        if DiscoveryDocument.isAggregated(core), DiscoveryDocument.isAggregated(groups) {
            return RESTMapper(resources: DiscoveryDocument.parseAggregated(core)
                              + DiscoveryDocument.parseAggregated(groups))
        }
        // Classic discovery: /api/v1 plus every group version.
        var resources: [APIResourceInfo] = []
        for version in core["versions"]?.arrayValue?.compactMap(\.stringValue) ?? ["v1"] {
            let list = try await api.send(KubeRequest(path: "/api/\(version)")).json()
            resources += DiscoveryDocument.parseResourceList(list, preferred: true)
        }
        for (groupVersion, preferred) in DiscoveryDocument.groupVersions(groups) {
            do {
                let list = try await api.send(KubeRequest(path: "/apis/\(groupVersion)")).json()
                resources += DiscoveryDocument.parseResourceList(list, preferred: preferred)
            } catch let error where error.statusCode == 503 || error.statusCode == 404 {
                continue  // an aggregated API that is down must not break discovery of the rest
            }
        }
        return RESTMapper(resources: resources)
    }
}
