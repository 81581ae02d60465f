/// Applies manifests one by one with server-side apply (field manager `kube-mcp`) and tells what changed:
/// it reads each object first (404: it will be created), sends the apply patch, and compares.
///
/// A value used by one tool call, in its task. One object failing does not stop the others. Objects are
/// applied in input order, so a Namespace or CustomResourceDefinition listed first is there for what follows
/// (discovery is refreshed once when a kind is unknown after a CRD was applied).
struct ManifestApplier {
    let connection: KubeClients.Connection
    /// The `namespace` argument: the namespace of namespaced objects that name none.
    let namespace: String?
    let force: Bool
    let dryRun: Bool

    /// Applies every manifest; throws only `CancellationError` when the call is cancelled.
    func apply(_ manifests: [Manifest]) async throws -> [ApplyOutcome] {
        var outcomes: [ApplyOutcome] = []
        var appliedDefinition = false
        for manifest in manifests {
            try Task.checkCancellation()
            let outcome = try await apply(manifest, refreshOnMiss: appliedDefinition)
            if outcome.action != .failed && outcome.kind == "CustomResourceDefinition" { appliedDefinition = true }
            outcomes.append(outcome)
        }
        return outcomes
    }

    private func apply(_ manifest: Manifest, refreshOnMiss: Bool) async throws -> ApplyOutcome {
        var outcome = ApplyOutcome(apiVersion: manifest.apiVersion, kind: manifest.kind, name: manifest.name,
                                   namespace: manifest.namespace, label: "\(manifest.kind.lowercased())/\(manifest.name)",
                                   action: .failed, place: manifest.place)
        do {
            let resource = try await resolve(manifest, refreshOnMiss: refreshOnMiss)
            outcome.label = Self.label(resource, name: manifest.name)
            var object = manifest.object
            var metadata = object["metadata"]?.objectValue ?? JSONObject()
            if resource.namespaced {
                if let given = namespace, let own = manifest.namespace, given != own {
                    outcome.error = "its metadata.namespace \"\(own)\" differs from the namespace argument "
                        + "\"\(given)\"; remove one of them"
                    return outcome
                }
                let ns = manifest.namespace ?? namespace ?? connection.defaultNamespace
                metadata["namespace"] = .string(ns)
                outcome.namespace = ns
            } else {
                metadata["namespace"] = nil
                outcome.namespace = nil
            }
            object["metadata"] = .object(metadata)
            let before = try await connection.getIfPresent(resource, name: manifest.name, namespace: outcome.namespace)
            let after = try await connection.patch(resource, name: manifest.name, namespace: outcome.namespace,
                                                   type: .apply, body: JSONWriter.encode(.object(object)),
                                                   force: force, dryRun: dryRun)
            if let before {
                outcome.changedFields = ChangedFields.paths(before: before, after: after)
                outcome.action = outcome.changedFields.isEmpty ? .unchanged : .configured
            } else {
                outcome.action = .created
            }
        } catch {
            if case .cancelled = error { throw CancellationError() }
            outcome.error = Self.message(error)
        }
        return outcome
    }

    private func resolve(_ manifest: Manifest, refreshOnMiss: Bool) async throws(KubeError) -> APIResourceInfo {
        do {
            return try await connection.discovery.resolve(apiVersion: manifest.apiVersion, kind: manifest.kind)
        } catch {
            guard refreshOnMiss, case .configuration = error else { throw error }
            // A CRD applied moments ago: its kind is served now, but discovery was read before it existed.
            let mapper = try await connection.discovery.refresh()
            guard let found = mapper.resolve(apiVersion: manifest.apiVersion, kind: manifest.kind) else { throw error }
            return found
        }
    }

    /// `deployment.apps/web`, `service/web`, as kubectl names objects.
    static func label(_ resource: APIResourceInfo, name: String) -> String {
        let singular = resource.singular.isEmpty ? resource.kind.lowercased() : resource.singular
        return (resource.group.isEmpty ? singular : "\(singular).\(resource.group)") + "/" + name
    }

    /// The server's words, with what to do about a server-side apply conflict.
    static func message(_ error: KubeError) -> String {
        if case .status(let status) = error, status.code == 409, status.reason == "Conflict" {
            return "\(status.message)\nAnother field manager owns these fields; apply again with force: true to take "
                + "them over, or leave them out of the manifest."
        }
        return "\(error)"
    }
}
