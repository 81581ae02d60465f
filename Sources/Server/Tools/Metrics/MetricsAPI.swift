/// Reads `metrics.k8s.io/v1beta1` (PodMetrics and NodeMetrics, served by metrics-server through an APIService)
/// and explains in plain words when the cluster does not serve it.
///
/// Stateless; any task.
enum MetricsAPI {
    static let apiVersion = "metrics.k8s.io/v1beta1"
    static let podMetrics = APIResourceInfo(group: "metrics.k8s.io", version: "v1beta1", kind: "PodMetrics",
                                            plural: "pods", singular: "", namespaced: true, verbs: ["get", "list"])
    static let nodeMetrics = APIResourceInfo(group: "metrics.k8s.io", version: "v1beta1", kind: "NodeMetrics",
                                             plural: "nodes", singular: "", namespaced: false, verbs: ["get", "list"])

    /// Why a metrics read failed, kept apart from other API failures so that the tool can say what to do.
    enum Failure: Error {
        /// The cluster does not serve metrics.k8s.io, or metrics-server behind it does not answer.
        case notInstalled(String)
        /// Any other failure of the API.
        case kube(KubeError)
        /// The named object has no metrics (not running, just started, or absent).
        case noMetrics(String)

        var message: String {
            switch self {
            case .notInstalled(let why):
                return "metrics-server is not installed: \(why). pods_top and nodes_top (like kubectl top) need "
                    + "metrics-server (https://github.com/kubernetes-sigs/metrics-server); check it with "
                    + "resources_get apiVersion=apiregistration.k8s.io/v1 kind=APIService name=v1beta1.metrics.k8s.io."
            case .noMetrics(let what):
                return what
            case .kube(let error):
                return "Reading metrics failed: \(error)"
            }
        }
    }

    /// Checks that discovery lists `metrics.k8s.io/v1beta1` (refreshing once when it does not).
    static func requireServed(_ discovery: DiscoveryCache, kind: String) async throws(Failure) {
        do {
            _ = try await discovery.resolve(apiVersion: apiVersion, kind: kind)
        } catch .configuration {
            throw .notInstalled("the API server does not serve \(apiVersion) (no such API group in discovery)")
        } catch {
            throw .kube(error)
        }
    }

    /// Lists or gets metrics; a 503 (the APIService's backend is down) or a 404 of the collection means
    /// metrics-server is missing or not ready; a 404 of a named object means it has no metrics.
    static func read(_ connection: KubeClients.Connection, _ resource: APIResourceInfo, namespace: String?,
                     name: String?, labelSelector: String?) async throws(Failure) -> JSONValue {
        try await requireServed(connection.discovery, kind: resource.kind)
        do {
            if let name {
                return try await connection.get(resource, name: name, namespace: namespace)
            }
            return try await connection.list(resource, namespace: namespace,
                                             options: .init(labelSelector: labelSelector))
        } catch {
            throw explain(error, resource: resource, name: name, namespace: namespace)
        }
    }

    static func explain(_ error: KubeError, resource: APIResourceInfo, name: String?, namespace: String?) -> Failure {
        guard case .status(let status) = error else { return .kube(error) }
        switch status.code {
        case 503:
            return .notInstalled("\(apiVersion) is registered but its backend does not answer "
                                 + "(\(status.reason) (503): \(status.message)); metrics-server may be starting or down")
        case 404 where name != nil && status.kind != nil:
            if resource.kind == "NodeMetrics" {
                return .noMetrics("No metrics for node \(name ?? ""): it does not exist, is not ready, or joined less "
                                  + "than a minute ago (metrics-server scrapes ready nodes about once a minute).")
            }
            return .noMetrics("No metrics for pod \(name ?? "") in namespace \(namespace ?? ""): it does not exist, is "
                              + "not running, or was started less than a minute ago (metrics-server reports running "
                              + "pods about once a minute).")
        case 404:
            return .notInstalled("\(apiVersion) answered NotFound (404): \(status.message)")
        default:
            return .kube(error)
        }
    }
}
