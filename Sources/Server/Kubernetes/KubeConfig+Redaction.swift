import Foundation

/// Copies of a kubeconfig that are safe to show: credentials redacted the way `kubectl config view` does,
/// and the `--minify` cut down to one context.
///
/// Pure functions on a plain value, any thread.
extension KubeConfig {
    /// What replaces a secret value (`token`, `password`, exec env values, auth-provider config values).
    public static let redactedMarker = "REDACTED"
    /// What replaces base64 `*-data` fields, as in `kubectl config view`.
    public static let dataOmittedMarker = "DATA+OMITTED"

    /// This config with every credential replaced: `*-data` fields become `DATA+OMITTED` (like kubectl,
    /// CA data too, for brevity), `token` and `password` become `REDACTED`, as do every exec `env` value,
    /// every `auth-provider` config value and the password of a `proxy-url`. Names, paths (`tokenFile`,
    /// `client-key`), usernames and exec commands stay.
    public var redacted: KubeConfig {
        var copy = self
        for index in copy.clusters.indices {
            var cluster = copy.clusters[index].cluster
            cluster.certificateAuthorityData = Self.omitData(cluster.certificateAuthorityData)
            cluster.proxyURL = cluster.proxyURL.map(Self.redactURLPassword)
            copy.clusters[index].cluster = cluster
        }
        for index in copy.users.indices {
            var user = copy.users[index].user
            user.clientCertificateData = Self.omitData(user.clientCertificateData)
            user.clientKeyData = Self.omitData(user.clientKeyData)
            user.token = Self.redact(user.token)
            user.password = Self.redact(user.password)
            if var exec = user.exec {
                exec.env = exec.env?.map { KubeConfig.EnvVar(name: $0.name, value: Self.redactedMarker) }
                user.exec = exec
            }
            if var provider = user.authProvider {
                provider.config = provider.config?.mapValues { _ in Self.redactedMarker }
                user.authProvider = provider
            }
            copy.users[index].user = user
        }
        return copy
    }

    /// Only the selected context (`name`, or `current-context` when nil), its cluster and its user, with
    /// `current-context` set to it, like `kubectl config view --minify`. Throws when the context or what it
    /// refers to is not defined.
    public func minified(context name: String?) throws(KubeConfigError) -> KubeConfig {
        let selected = try selectedContext(named: name)
        let contextEntry = entry(.contexts, selected.name, selected.origin, fallback: contexts.firstIndex(of: selected))
        var result = KubeConfig(apiVersion: apiVersion, kind: kind, preferences: preferences)
        result.contexts = [selected]
        result.currentContext = selected.name
        result.currentContextOrigin = selected.origin?.file
        if let clusterName = selected.context.cluster, !clusterName.isEmpty {
            guard let found = cluster(named: clusterName) else {
                throw .unknownCluster(context: contextEntry, cluster: clusterName)
            }
            result.clusters = [found]
        }
        if let userName = selected.context.user, !userName.isEmpty {
            guard let found = user(named: userName) else {
                throw .unknownUser(context: contextEntry, user: userName)
            }
            result.users = [found]
        }
        return result
    }

    private static func omitData(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return value }
        return dataOmittedMarker
    }

    private static func redact(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return value }
        return redactedMarker
    }

    /// `http://user:secret@proxy:3128` becomes `http://user:REDACTED@proxy:3128`; a URL that does not parse is
    /// replaced whole, since its password cannot be located.
    private static func redactURLPassword(_ raw: String) -> String {
        guard var components = URLComponents(string: raw) else { return redactedMarker }
        guard components.password != nil else { return raw }
        components.percentEncodedPassword = redactedMarker
        return components.string ?? redactedMarker
    }
}
