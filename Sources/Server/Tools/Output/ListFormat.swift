import Foundation

/// How the read tools print lists (the `--list-output` setting): a kubectl-like text table, YAML, or compact
/// JSON.
public enum ListFormat: String, Sendable, Equatable, CaseIterable {
    case table
    case yaml
    case json
}

/// Turns a parsed API response (a `meta.k8s.io` Table, a `…List`, or a single object) into the final text of a
/// read tool and a small summary for `structuredContent`: redacts it, renders it in the chosen format, caps
/// it at the byte limit, and adds notes on what was cut or hidden.
///
/// Pure value type, any thread; meant to run off the event loop, since a large list takes a while. The
/// response is redacted in place (pass it as its last use to avoid a copy).
///
/// - Table format: a server-side Table renders its own columns; a plain list or object gets NAME/AGE (and
///   kubectl's Pod columns); an empty result reads `No resources found.`
/// - YAML / JSON: a list keeps its envelope (`kind`, `apiVersion`, `metadata`) with the items that fit; a Table
///   becomes a `List` of its rows' objects, or, for metadata-only rows, of `{column: cell}` maps; a single
///   object is serialised whole and cut at a line if it is over the limit.
public struct ResultFormatter: Sendable {
    public var format: ListFormat
    public var limiter: OutputLimiter
    public var redaction: KubeRedaction
    /// `-o wide`: Table columns with `priority > 0`, Pod IP and NODE.
    public var wide: Bool
    public var namespaceColumn: TableRenderer.NamespaceColumn
    /// The instant ages are computed against.
    public var now: Date

    public init(format: ListFormat = .table, maxBytes: Int = OutputLimiter.defaultMaxBytes,
                redaction: KubeRedaction = KubeRedaction(), wide: Bool = false,
                namespaceColumn: TableRenderer.NamespaceColumn = .automatic, now: Date) {
        self.format = format
        self.limiter = OutputLimiter(maxBytes: maxBytes)
        self.redaction = redaction
        self.wide = wide
        self.namespaceColumn = namespaceColumn
        self.now = now
    }

    /// Formats one response.
    ///
    /// - Parameters:
    ///   - response: the parsed body of a list or get call.
    ///   - resource: the plural name used in notes (`pods`); derived from the kind when nil.
    ///   - total: the size of the whole collection when the caller knows it; otherwise taken from
    ///     `metadata.remainingItemCount` when the API sends one.
    public func render(_ response: consuming JSONValue, resource: String? = nil, total: Int? = nil)
        -> FormattedResult
    {
        let report = redaction.apply(to: &response)
        let kind = response["kind"]?.stringValue
        let metadata = response["metadata"]
        let token = metadata?["continue"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let remaining = metadata?["remainingItemCount"]?.intValue
        let isTable = response["columnDefinitions"]?.arrayValue != nil
        let isList = !isTable && response["items"]?.arrayValue != nil
        let context = OutputLimiter.Context(
            resource: resource ?? Self.plural(ofListKind: isTable ? nil : kind), total: total,
            continueToken: token, remainingItemCount: remaining)

        var output: OutputLimiter.Output
        var body: String
        switch format {
        case .table:
            let renderer = TableRenderer(wide: wide, namespaceColumn: namespaceColumn, now: now)
            let table = renderer.render(table: response) ?? renderer.render(list: response)
            output = limiter.limit(table: table, context: context)
            body = table.rows.isEmpty ? "No resources found.\n" : output.text
        case .yaml, .json:
            let encoding: OutputLimiter.Encoding = format == .yaml ? .yaml : .json
            if isTable || isList, case .object(let list) = isTable ? tableAsList(response) : response {
                output = limiter.limit(list: list, encoding: encoding, context: context)
            } else {
                let text = encoding == .yaml ? YAMLWriter.string(response) : JSONWriter.string(response)
                output = limiter.limit(text: text)
                output.shown = response.objectValue == nil ? 0 : 1
                output.available = output.shown
            }
            body = output.text
        }

        var notes: [String] = []
        if let note = output.note { notes.append(note) }
        if let note = report.note { notes.append(note) }

        var summary = JSONObject()
        summary["kind"] = kind.map { .string($0) } ?? .null
        summary["count"] = .int(output.shown)
        if let token { summary["continue"] = .string(token) }
        if let remaining { summary["remainingItemCount"] = .int(remaining) }
        summary["truncated"] = .bool(output.truncated)
        if !body.isEmpty && !body.hasSuffix("\n") { body.append("\n") }
        return FormattedResult(body: body, notes: notes, summary: .object(summary), count: output.shown,
                               truncated: output.truncated, redaction: report)
    }

    /// A Table as a `List`: full row objects when the server included them, else one `{column: cell}` map per
    /// row (the visible columns, `Namespace` first when the row has one).
    private func tableAsList(_ table: JSONValue) -> JSONValue {
        let definitions = table["columnDefinitions"]?.arrayValue ?? []
        var items: [JSONValue] = []
        for row in table["rows"]?.arrayValue ?? [] {
            if let object = row["object"], object.objectValue != nil,
               object["kind"]?.stringValue != "PartialObjectMetadata" {
                items.append(object)
                continue
            }
            var item = JSONObject()
            if let namespace = row["object"]?["metadata"]?["namespace"]?.stringValue {
                item["Namespace"] = .string(namespace)
            }
            let cells = row["cells"]?.arrayValue ?? []
            for (i, definition) in definitions.enumerated() where i < cells.count {
                guard (definition["priority"]?.intValue ?? 0) <= 0 || wide else { continue }
                item[definition["name"]?.stringValue ?? "column\(i)"] = cells[i]
            }
            items.append(.object(item))
        }
        return [
            "kind": "List",
            "apiVersion": "v1",
            "metadata": table["metadata"] ?? .object(JSONObject()),
            "items": .array(items),
        ]
    }

    /// `PodList` → `pods`, `NetworkPolicyList` → `networkpolicies`, `Ingress` → `ingresses`; `items` when
    /// unknown.
    static func plural(ofListKind kind: String?) -> String {
        guard var name = kind, !name.isEmpty, name != "List" else { return "items" }
        if name.hasSuffix("List") && name.count > 4 { name.removeLast(4) }
        name = name.lowercased()
        if name.hasSuffix("endpoints") { return name }
        if name.hasSuffix("s") || name.hasSuffix("x") || name.hasSuffix("ch") || name.hasSuffix("sh") {
            return name + "es"
        }
        if name.hasSuffix("y"), let before = name.dropLast().last, !"aeiou".contains(before) {
            return name.dropLast() + "ies"
        }
        return name + "s"
    }
}

/// The output of `ResultFormatter.render`: the text for the tool result and a summary for
/// `structuredContent`. Plain data.
public struct FormattedResult: Sendable, Equatable {
    /// The rendered table, YAML or JSON, ending with a line break.
    public var body: String
    /// Sentences about what was cut (and how to get it) and what was redacted.
    public var notes: [String]
    /// `{"kind", "count", "continue"?, "remainingItemCount"?, "truncated"}`.
    public var summary: JSONValue
    /// Rows or items in `body`.
    public var count: Int
    /// True when the byte limit left something out.
    public var truncated: Bool
    public var redaction: KubeRedaction.Report

    /// The body, then a blank line and the notes when there are any.
    public var text: String {
        guard !notes.isEmpty else { return body }
        return body + "\n" + notes.joined(separator: "\n") + "\n"
    }
}
