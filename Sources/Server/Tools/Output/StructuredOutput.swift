import Foundation

/// Builds the `structuredContent` of the list and get tools: compact rows for lists (name, namespace and the
/// table's columns as camelCase keys), the redacted object for gets, each bounded like the text.
///
/// Pure value type, any thread. Rows are built from the same response the text is rendered from and carry
/// only what the text shows (metadata names and times, Table cells, kubectl's Pod columns), never a Secret's
/// data; objects must be redacted by the caller (`KubeToolOutput` does). Bounds: a list keeps at most the
/// rows the text shows and at most `maxBytes` of encoded rows; an object over `maxBytes` keeps its identity
/// (`apiVersion`, `kind`, a short `metadata`) and the top-level fields that still fit, naming the others in
/// `omittedFields`.
struct StructuredOutput: Sendable {
    var maxBytes: Int
    /// The instant ages are computed against (as in the text).
    var now: Date

    // MARK: - Lists

    /// The structured content of a list: `{kind, apiVersion, resource, namespace?, items, count, truncated,
    /// continue?, remainingItemCount?}`. `shown` is the number of rows (or items) the text kept.
    func list(_ response: JSONValue, resource: APIResourceInfo, namespace: String?, shown: Int) -> JSONValue {
        let all = rows(response)
        var items: [JSONValue] = []
        var size = 0
        for row in all.prefix(shown) {
            let encoded = JSONWriter.encode(.object(row)).count + 1
            if size + encoded > maxBytes { break }
            size += encoded
            items.append(.object(row))
        }
        var o = JSONObject()
        o["kind"] = .string(resource.kind)
        o["apiVersion"] = .string(resource.apiVersion)
        o["resource"] = .string(resource.plural)
        if let namespace, resource.namespaced { o["namespace"] = .string(namespace) }
        o["items"] = .array(items)
        o["count"] = .int(items.count)
        o["truncated"] = .bool(items.count < all.count)
        let metadata = response["metadata"]
        if let token = metadata?["continue"]?.stringValue, !token.isEmpty { o["continue"] = .string(token) }
        if let remaining = metadata?["remainingItemCount"]?.intValue { o["remainingItemCount"] = .int(remaining) }
        return .object(o)
    }

    /// One compact row per Table row, list item, or the object itself.
    func rows(_ response: JSONValue) -> [JSONObject] {
        if let definitions = response["columnDefinitions"]?.arrayValue {
            return tableRows(response, definitions: definitions)
        }
        if let items = response["items"]?.arrayValue {
            let listKind = response["kind"]?.stringValue
            let itemKind = listKind.flatMap { $0.hasSuffix("List") && $0.count > 4 ? String($0.dropLast(4)) : nil }
            return items.map { objectRow($0, kind: $0["kind"]?.stringValue ?? itemKind) }
        }
        guard response.objectValue != nil else { return [] }
        return [objectRow(response, kind: response["kind"]?.stringValue)]
    }

    private func tableRows(_ table: JSONValue, definitions: [JSONValue]) -> [JSONObject] {
        let keys = definitions.enumerated().map { Self.camelCase($0.element["name"]?.stringValue ?? "", index: $0.offset) }
        let isDate = definitions.map {
            $0["type"]?.stringValue == "date" || $0["format"]?.stringValue == "date-time"
        }
        return (table["rows"]?.arrayValue ?? []).map { row in
            let metadata = row["object"]?["metadata"]
            let cells = row["cells"]?.arrayValue ?? []
            var o = JSONObject()
            o["name"] = .string(metadata?["name"]?.stringValue ?? cells.first?.stringValue ?? "")
            if let namespace = metadata?["namespace"]?.stringValue { o["namespace"] = .string(namespace) }
            for (i, cell) in cells.enumerated() where i < keys.count && keys[i] != "name" && keys[i] != "namespace" {
                switch cell {
                case .null:
                    continue
                case .string(let s) where isDate[i]:
                    o[keys[i]] = .string(TableRenderer.epochSeconds(rfc3339: s) != nil
                                         ? TableRenderer.age(of: s, now: now) : s)
                default:
                    o[keys[i]] = cell
                }
            }
            if let created = metadata?["creationTimestamp"]?.stringValue { o["creationTimestamp"] = .string(created) }
            return o
        }
    }

    private func objectRow(_ object: JSONValue, kind: String?) -> JSONObject {
        let metadata = object["metadata"]
        var o = JSONObject()
        o["name"] = .string(metadata?["name"]?.stringValue ?? "")
        if let namespace = metadata?["namespace"]?.stringValue { o["namespace"] = .string(namespace) }
        if kind == "Pod" {
            let summary = TableRenderer.podSummary(object, now: now)
            o["ready"] = .string(summary.ready)
            o["status"] = .string(summary.status)
            o["restarts"] = .string(summary.restarts)
            if let ip = object["status"]?["podIP"]?.stringValue { o["ip"] = .string(ip) }
            if let node = object["spec"]?["nodeName"]?.stringValue { o["node"] = .string(node) }
        }
        let created = metadata?["creationTimestamp"]?.stringValue
        o["age"] = .string(TableRenderer.age(of: created, now: now))
        if let created { o["creationTimestamp"] = .string(created) }
        return o
    }

    /// `Nominated Node` → `nominatedNode`, `CPU(cores)` → `cpuCores`, `IP` → `ip`; `column<i>` when empty.
    static func camelCase(_ name: String, index: Int) -> String {
        let words = name.split { !($0.isLetter || $0.isNumber) }.map(String.init)
        guard let first = words.first else { return "column\(index)" }
        return first.lowercased() + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    // MARK: - Objects

    /// Top-level fields always kept for an object over the limit.
    static let identityFields = ["apiVersion", "kind"]
    /// Metadata fields kept when the whole `metadata` does not fit.
    static let shortMetadataFields = ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"]

    /// `{object, truncated, omittedFields?}` for one (already redacted) object.
    func object(_ object: JSONValue) -> JSONValue {
        guard case .object(let members) = object else {
            return ["object": .object(JSONObject()), "truncated": .bool(object != .null)]
        }
        if JSONWriter.encode(object).count <= maxBytes {
            return ["object": object, "truncated": false]
        }
        var kept = JSONObject()
        var omitted: [String] = []
        var size = 2
        for name in Self.identityFields {
            if let value = members[name] {
                kept[name] = value
                size += JSONWriter.encode(value).count + name.utf8.count + 4
            }
        }
        for member in members where !Self.identityFields.contains(member.key) {
            var value = member.value
            var cost = JSONWriter.encode(value).count + member.key.utf8.count + 4
            if member.key == "metadata", size + cost > maxBytes, case .object(let metadata) = value {
                value = .object(JSONObject(Self.shortMetadataFields.compactMap { key in metadata[key].map { (key, $0) } }))
                cost = JSONWriter.encode(value).count + member.key.utf8.count + 4
                omitted.append("metadata (all but \(Self.shortMetadataFields.joined(separator: ", ")))")
            }
            if size + cost > maxBytes {
                omitted.append(member.key)
                continue
            }
            kept[member.key] = value
            size += cost
        }
        var o = JSONObject()
        o["object"] = .object(kept)
        o["truncated"] = true
        o["omittedFields"] = .array(omitted.map(JSONValue.string))
        return .object(o)
    }
}

/// The `outputSchema`s of the list and get tools, matching what `StructuredOutput` returns.
///
/// Stateless; any thread.
enum KubeOutputSchema {
    /// Lists: compact rows plus paging information.
    static let list: JSONValue = ToolSchema.object(properties: [
        "kind": ToolSchema.type("string", description: "The kind of the items, e.g. Pod."),
        "apiVersion": ToolSchema.type("string", description: "Their API version, e.g. v1 or apps/v1."),
        "resource": ToolSchema.type("string", description: "The resource's plural name, e.g. pods."),
        "namespace": ToolSchema.type("string", description: "The namespace listed; absent for all namespaces."),
        "items": ToolSchema.array(
            "One compact row per object shown in the text: name, namespace, the table's columns as camelCase keys "
                + "(e.g. ready, status, restarts, age) and creationTimestamp.",
            items: ToolSchema.object(properties: [
                "name": ToolSchema.type("string"),
                "namespace": ToolSchema.type("string"),
            ], required: ["name"], additionalProperties: true)),
        "count": ToolSchema.type("integer", description: "Rows in items."),
        "truncated": ToolSchema.type("boolean", description: "True when the output limit left rows out."),
        "continue": ToolSchema.type("string", description: "The token for the next page, when there is one."),
        "remainingItemCount": ToolSchema.type("integer", description: "Objects after this page, when known."),
    ], required: ["kind", "apiVersion", "resource", "items", "count", "truncated"], additionalProperties: true)

    /// Gets: the object (Secret values redacted, managedFields dropped).
    static let object: JSONValue = ToolSchema.object(properties: [
        "object": ToolSchema.object(properties: [
            "apiVersion": ToolSchema.type("string"),
            "kind": ToolSchema.type("string"),
            "metadata": ToolSchema.type("object"),
        ], additionalProperties: true,
           description: "The object as the API returned it, without managedFields; Secret values redacted."),
        "truncated": ToolSchema.type("boolean", description: "True when the output limit left fields out."),
        "omittedFields": ToolSchema.array("Top-level fields left out because of the output limit.",
                                          items: ToolSchema.type("string")),
    ], required: ["object", "truncated"], additionalProperties: true)
}
