import Yams

/// Reads the `resource` text of `resources_create_or_update` into objects: several YAML documents separated by
/// `---`, one JSON object, a JSON (or YAML) array of objects, or a `kind: List` (any `*List` with `items`),
/// whose items are expanded. Empty documents are skipped.
///
/// Stateless; any thread. Limits are explicit: `maxBytes`, `maxObjects`, `maxValues`. Every structural
/// problem (syntax, a document that is not an object, a missing apiVersion, kind or name) is found before
/// anything is sent, so that a bad input applies nothing.
enum ManifestParser {
    /// The largest resource text accepted, in bytes (1 MiB; the API server's own request limit is 3 MiB).
    static let maxBytes = 1024 * 1024
    /// The most objects one call may apply.
    static let maxObjects = 100
    /// The most JSON values the YAML may expand to (aliases can repeat large subtrees).
    static let maxValues = 250_000

    static func parse(_ text: String) throws(ManifestError) -> [Manifest] {
        let size = text.utf8.count
        if size > maxBytes { throw .tooLarge(bytes: size, limit: maxBytes) }
        let roots: [(value: JSONValue, origin: String, line: Int?)]
        if let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "[" {
            roots = try parseJSONOrFlowYAML(text)
        } else {
            roots = try parseYAML(text)
        }
        var manifests: [Manifest] = []
        var problems: [String] = []
        for root in roots {
            try collect(root.value, origin: root.origin, line: root.line, into: &manifests, problems: &problems)
        }
        if !problems.isEmpty { throw .invalidObjects(problems) }
        if manifests.isEmpty { throw .empty }
        return manifests
    }

    /// JSON, read exactly (numbers and strings as written); text that starts like JSON but is YAML flow style
    /// (`{apiVersion: v1, ...}`) is read as YAML.
    private static func parseJSONOrFlowYAML(_ text: String) throws(ManifestError)
        -> [(value: JSONValue, origin: String, line: Int?)]
    {
        do {
            let value = try JSONParser.parse(text)
            if case .array(let elements) = value {
                return elements.enumerated().map { (value: $0.element, origin: "item \($0.offset + 1)", line: nil) }
            }
            return [(value: value, origin: "document 1", line: nil)]
        } catch let jsonError {
            if let yaml = try? parseYAML(text) { return yaml }
            let (line, column) = lineAndColumn(ofByte: jsonError.offset, in: text)
            throw .syntax(format: "JSON", line: line, column: column, problem: jsonError.reason)
        }
    }

    private static func parseYAML(_ text: String) throws(ManifestError) -> [(value: JSONValue, origin: String, line: Int?)] {
        var roots: [(value: JSONValue, origin: String, line: Int?)] = []
        var converter = YAMLToJSON(maxValues: maxValues)
        do {
            let parser = try Parser(yaml: text, resolver: YAMLToJSON.resolver)
            var index = 0
            while let node = try parser.nextRoot() {
                index += 1
                if index > maxObjects * 4 { throw ManifestError.tooManyObjects(limit: maxObjects) }
                let value: JSONValue
                do {
                    value = try converter.convert(node)
                } catch {
                    throw ManifestError.unsupported(line: error.line, problem: error.problem)
                }
                if value.isNull { continue }
                if case .array(let elements) = value {
                    for (i, element) in elements.enumerated() {
                        roots.append((value: element, origin: "document \(index), item \(i + 1)", line: node.mark?.line))
                    }
                } else {
                    roots.append((value: value, origin: "document \(index)", line: node.mark?.line))
                }
            }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw syntaxError(error)
        }
        return roots
    }

    /// Adds an object (or the items of a List) after checking what server-side apply needs.
    private static func collect(_ value: JSONValue, origin: String, line: Int?, into manifests: inout [Manifest],
                                problems: inout [String]) throws(ManifestError) {
        let place = line.map { "\(origin) (line \($0))" } ?? origin
        guard case .object(let object) = value else {
            problems.append("\(place) is \(article(value.typeName)), not an object")
            return
        }
        if let kind = object["kind"]?.stringValue, kind.hasSuffix("List"), case .array(let items)? = object["items"] {
            for (i, item) in items.enumerated() {
                try collect(item, origin: "\(origin), item \(i + 1)", line: line, into: &manifests, problems: &problems)
            }
            return
        }
        let manifest = Manifest(object: object, origin: origin, line: line)
        if let problem = manifest.problem {
            problems.append("\(place): \(problem)")
        }
        manifests.append(manifest)
        if manifests.count > maxObjects { throw .tooManyObjects(limit: maxObjects) }
    }

    private static func article(_ typeName: String) -> String {
        switch typeName {
        case "array", "object": return "an \(typeName)"
        case "null": return "empty"
        default: return "a \(typeName)"
        }
    }

    /// A Yams error as line, column and problem, without the quoted input line Yams' own description has.
    static func syntaxError(_ error: any Error) -> ManifestError {
        guard let yaml = error as? YamlError else {
            return .syntax(format: "YAML", line: nil, column: nil, problem: "\(type(of: error))")
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let full = context.map { "\($0.text) (line \($0.mark.line)): \(problem)" } ?? problem
            return .syntax(format: "YAML", line: mark.line, column: mark.column, problem: full)
        case .reader(let problem, _, _, _):
            return .syntax(format: "YAML", line: nil, column: nil, problem: problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .syntax(format: "YAML", line: context.mark.line, column: context.mark.column,
                           problem: "duplicate key " + duplicates.sorted().joined(separator: ", "))
        default:
            return .syntax(format: "YAML", line: nil, column: nil, problem: "the YAML could not be read")
        }
    }

    /// 1-based line and column of a UTF-8 byte offset.
    static func lineAndColumn(ofByte offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for (i, byte) in text.utf8.enumerated() {
            if i >= offset { break }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
