import Foundation

/// The pure parts of listing under `--allowed-namespaces`: merging the per-namespace pages of a cluster-wide
/// list into one document, the continue token that pages across namespaces, and filtering a list of
/// Namespaces down to the allowed ones.
///
/// Stateless; any thread.
public enum NarrowedList {
    /// Where the next page of a narrowed list starts: a namespace and the API server's own continue token
    /// inside it (nil: its beginning).
    public struct Cursor: Sendable, Equatable {
        public var namespace: String
        public var innerToken: String?

        public init(namespace: String, innerToken: String? = nil) {
            self.namespace = namespace
            self.innerToken = innerToken
        }

        /// Marks tokens of narrowed lists, so that a token of a plain list is recognised as foreign.
        static let prefix = "kube-mcp-narrowed."

        /// The continue token handed to the caller: the prefix and base64url JSON `{"ns","c"}`.
        public var token: String {
            var o = JSONObject([("ns", .string(namespace))])
            if let innerToken { o["c"] = .string(innerToken) }
            let base64 = Data(JSONWriter.encode(.object(o))).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            return Self.prefix + base64
        }

        /// Reads a token made by `token`; nil for anything else.
        public init?(token: String) {
            guard token.hasPrefix(Self.prefix) else { return nil }
            var base64 = String(token.dropFirst(Self.prefix.count))
                .replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            guard let data = Data(base64Encoded: base64),
                  let json = try? JSONParser.parse(Array(data)),
                  let namespace = json["ns"]?.stringValue
            else { return nil }
            self.namespace = namespace
            innerToken = json["c"]?.stringValue
        }
    }

    /// The number of items (plain list) or rows (server-side Table) in a page.
    public static func count(_ page: JSONValue) -> Int {
        (page["rows"]?.arrayValue ?? page["items"]?.arrayValue)?.count ?? 0
    }

    /// One document from per-namespace pages: items (or Table rows, with the first page's
    /// `columnDefinitions`) concatenated in order; `metadata` holds only `continue` when there is a next page
    /// (a merged list has no single resourceVersion, and `remainingItemCount` would not be exact).
    public static func merge(_ pages: [JSONValue], continueToken: String?) -> JSONValue {
        guard case .object(var merged)? = pages.first else { return .null }
        var metadata = JSONObject()
        if let continueToken { metadata["continue"] = .string(continueToken) }
        merged["metadata"] = .object(metadata)
        let member = merged["columnDefinitions"] != nil ? "rows" : "items"
        merged[member] = .array(pages.flatMap { $0[member]?.arrayValue ?? [] })
        return .object(merged)
    }

    /// A list (or Table) of Namespaces with only the allowed ones kept; `remainingItemCount` is dropped, as it
    /// counted the others too.
    public static func keepNamespaces(_ allowed: [String], in document: JSONValue) -> JSONValue {
        guard case .object(var list) = document else { return document }
        let allowedSet = Set(allowed)
        if let items = list["items"]?.arrayValue {
            list["items"] = .array(items.filter { allowedSet.contains($0["metadata"]?["name"]?.stringValue ?? "") })
        }
        if let rows = list["rows"]?.arrayValue {
            list["rows"] = .array(rows.filter { row in
                let name = row["object"]?["metadata"]?["name"]?.stringValue
                    ?? row["cells"]?.arrayValue?.first?.stringValue ?? ""
                return allowedSet.contains(name)
            })
        }
        if case .object(var metadata)? = list["metadata"], metadata["remainingItemCount"] != nil {
            metadata["remainingItemCount"] = nil
            list["metadata"] = .object(metadata)
        }
        return .object(list)
    }
}
