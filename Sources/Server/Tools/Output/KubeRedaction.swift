/// Removes what a tool result must not show from Kubernetes objects: the values of core/v1 Secrets, the
/// `kubectl.kubernetes.io/last-applied-configuration` annotation (which can embed a Secret's data), and the
/// `metadata.managedFields` noise.
///
/// Pure value type, any thread. What is redacted depends on each object's `kind`, never on which tool or
/// endpoint produced it: single objects, `…List` objects (items without a `kind` take the list's kind minus
/// `List`, so `SecretList` items are Secrets), nested `List`s and `meta.k8s.io` Tables (each row's `object`,
/// whether `PartialObjectMetadata` or a full object) are all handled. As a fail-safe, an object with no known
/// kind that has the shape of a Secret (a string `type` plus a `data` or `stringData` map) is treated as one.
/// Works in place, in one pass, so a large list is not copied.
public struct KubeRedaction: Sendable, Equatable {
    /// What replaces each hidden value.
    public static let placeholder = "REDACTED"
    /// The annotation `kubectl apply` writes, which holds the whole applied manifest.
    public static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// True to leave Secret `data` and `stringData` values as they are. The annotation and `managedFields`
    /// are removed regardless.
    public var showSecrets: Bool

    public init(showSecrets: Bool = false) {
        self.showSecrets = showSecrets
    }

    /// How much one redaction pass removed.
    public struct Report: Sendable, Equatable {
        /// Values of Secret `data` and `stringData` replaced by the placeholder.
        public var secretValues = 0
        /// Secrets whose values were replaced.
        public var secrets = 0
        /// `last-applied-configuration` annotations replaced by the placeholder.
        public var lastAppliedAnnotations = 0
        /// Objects whose `metadata.managedFields` was removed.
        public var managedFieldsRemoved = 0

        public init() {}

        /// Values replaced by the placeholder (Secret values plus annotations): the "N values redacted" number.
        public var redactedFieldCount: Int { secretValues + lastAppliedAnnotations }

        /// A sentence for the tool result, or nil when no value was redacted.
        public var note: String? {
            var parts: [String] = []
            if secretValues > 0 {
                parts.append("\(secretValues) Secret \(secretValues == 1 ? "value" : "values") "
                             + "in \(secrets) \(secrets == 1 ? "Secret" : "Secrets")")
            }
            if lastAppliedAnnotations > 0 {
                parts.append("\(lastAppliedAnnotations) \(KubeRedaction.lastAppliedAnnotation) "
                             + (lastAppliedAnnotations == 1 ? "annotation" : "annotations"))
            }
            guard !parts.isEmpty else { return nil }
            return "\(redactedFieldCount) \(redactedFieldCount == 1 ? "value" : "values") redacted ("
                + parts.joined(separator: " and ") + ")."
        }
    }

    /// Redacts `value` in place and reports what was removed.
    @discardableResult
    public func apply(to value: inout JSONValue) -> Report {
        var report = Report()
        process(&value, kind: nil, apiVersion: nil, report: &report)
        return report
    }

    /// A redacted copy of `value` and the report.
    public func redacted(_ value: JSONValue) -> (value: JSONValue, report: Report) {
        var copy = value
        let report = apply(to: &copy)
        return (copy, report)
    }

    // MARK: - Walk

    private func process(_ value: inout JSONValue, kind inheritedKind: String?, apiVersion inheritedVersion: String?,
                         report: inout Report) {
        switch value {
        case .object(var object):
            value = .null  // leave `object` uniquely referenced so it is mutated in place
            processObject(&object, kind: inheritedKind, apiVersion: inheritedVersion, report: &report)
            value = .object(object)
        case .array(var array):
            value = .null
            for i in array.indices {
                process(&array[i], kind: inheritedKind, apiVersion: inheritedVersion, report: &report)
            }
            value = .array(array)
        default:
            return
        }
    }

    private func processObject(_ object: inout JSONObject, kind inheritedKind: String?,
                               apiVersion inheritedVersion: String?, report: inout Report) {
        let kind = object["kind"]?.stringValue ?? inheritedKind
        let apiVersion = object["apiVersion"]?.stringValue ?? inheritedVersion

        if kind == "Table", case .array(var rows)? = object["rows"] {
            object["rows"] = .null
            for i in rows.indices {
                guard case .object(var row) = rows[i], var embedded = row["object"] else { continue }
                rows[i] = .null
                row["object"] = .null
                process(&embedded, kind: nil, apiVersion: nil, report: &report)
                row["object"] = embedded
                rows[i] = .object(row)
            }
            object["rows"] = .array(rows)
            return
        }

        if case .array(var items)? = object["items"], kind == nil || kind?.hasSuffix("List") == true {
            // `SecretList` items are Secrets; the generic `List` says nothing about its items.
            var itemKind: String?
            if let kind, kind.count > 4 { itemKind = String(kind.dropLast(4)) }
            object["items"] = .null
            for i in items.indices {
                process(&items[i], kind: itemKind, apiVersion: itemKind == nil ? nil : apiVersion, report: &report)
            }
            object["items"] = .array(items)
            return
        }

        stripMetadata(&object, report: &report)

        guard !showSecrets else { return }
        let isSecret: Bool
        if let kind {
            isSecret = kind == "Secret" && (apiVersion == nil || apiVersion == "v1")
        } else {
            isSecret = object["type"]?.stringValue != nil
                && (object["data"]?.objectValue != nil || object["stringData"]?.objectValue != nil)
        }
        guard isSecret else { return }
        var replaced = 0
        for field in ["data", "stringData"] {
            guard case .object(let values)? = object[field], !values.isEmpty else { continue }
            object[field] = .object(JSONObject(uncheckedMembers: values.members.map {
                (key: $0.key, value: .string(Self.placeholder))
            }))
            replaced += values.count
        }
        if replaced > 0 {
            report.secretValues += replaced
            report.secrets += 1
        }
    }

    /// Drops `metadata.managedFields` and hides the last-applied annotation.
    private func stripMetadata(_ object: inout JSONObject, report: inout Report) {
        guard case .object(var metadata)? = object["metadata"] else { return }
        var changed = false
        if metadata["managedFields"] != nil {
            metadata["managedFields"] = nil
            report.managedFieldsRemoved += 1
            changed = true
        }
        if case .object(var annotations)? = metadata["annotations"], annotations[Self.lastAppliedAnnotation] != nil {
            annotations[Self.lastAppliedAnnotation] = .string(Self.placeholder)
            metadata["annotations"] = .object(annotations)
            report.lastAppliedAnnotations += 1
            changed = true
        }
        if changed { object["metadata"] = .object(metadata) }
    }
}
