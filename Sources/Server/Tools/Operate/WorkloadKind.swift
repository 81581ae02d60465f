/// The workload kinds that roll out pods from a template: Deployment, StatefulSet, DaemonSet, accepted in
/// every kubectl spelling (`deployment`, `deployments`, `deploy`, `Deployment`, `deployments.apps`, `sts`, `ds`).
///
/// Plain value, any thread.
enum WorkloadKind: String, Sendable, CaseIterable {
    case deployment = "Deployment"
    case statefulSet = "StatefulSet"
    case daemonSet = "DaemonSet"

    init?(spelling raw: String) {
        var text = raw.lowercased()
        for suffix in [".v1.apps", ".apps"] where text.hasSuffix(suffix) {
            text = String(text.dropLast(suffix.count))
        }
        switch text {
        case "deployment", "deployments", "deploy": self = .deployment
        case "statefulset", "statefulsets", "sts": self = .statefulSet
        case "daemonset", "daemonsets", "ds": self = .daemonSet
        default: return nil
        }
    }

    /// The words kubectl's rollout messages use: `deployment`, `statefulset`, `daemon set`.
    var noun: String {
        switch self {
        case .deployment: return "deployment"
        case .statefulSet: return "statefulset"
        case .daemonSet: return "daemon set"
        }
    }

    /// The accepted spellings, for error messages.
    static let spellings = "Deployment (deployment, deploy), StatefulSet (statefulset, sts) or DaemonSet "
        + "(daemonset, ds)"
}
