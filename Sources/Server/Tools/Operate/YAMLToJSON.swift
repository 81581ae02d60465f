import Foundation
import Yams

/// Turns a composed YAML node tree into a `JSONValue` with the types Kubernetes expects, following the rules
/// kubectl's YAML reader (go-yaml v2 through sigs.k8s.io/yaml) applies: quoted scalars are strings (`"8080"`
/// stays a string), plain `true`/`yes`/`on` are booleans, plain `0644` is octal (420), `1_000` is 1000, `1.0`
/// is the integer 1, timestamps and `22:22` stay strings, `~`/`null`/empty are null, `<<` merge keys merge.
///
/// A value type used once per document; any thread. Counts every value it produces (aliases expand, so a
/// tiny document can describe a huge tree) and stops at `maxValues`; nesting is limited to `maxDepth`.
struct YAMLToJSON {
    /// What went wrong converting a node, with its 1-based line when known.
    struct Failure: Error, Equatable {
        var line: Int?
        var problem: String
    }

    /// The deepest nesting accepted (the same as the JSON parser's).
    static let maxDepth = JSONParser.maxDepth

    /// The resolver of plain scalars: Yams' YAML 1.1 rules without sexagesimal numbers (`22:22`) and without
    /// timestamps, which go-yaml v2 leaves as strings.
    static let resolver: Resolver = {
        do {
            return try Resolver.default
                .removing(.timestamp)
                .removing(.value)
                .replacing(.int, with: #"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"#)
                .replacing(.float, with: #"^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"#)
        } catch {
            preconditionFailure("the YAML resolver patterns are constant and valid: \(error)")
        }
    }()

    /// The most values one conversion may produce.
    let maxValues: Int
    /// Values produced so far.
    private(set) var produced = 0

    init(maxValues: Int) {
        self.maxValues = maxValues
    }

    mutating func convert(_ node: Node) throws(Failure) -> JSONValue {
        try convert(node, depth: 0)
    }

    private mutating func convert(_ node: Node, depth: Int) throws(Failure) -> JSONValue {
        produced += 1
        if produced > maxValues {
            throw Failure(line: node.mark?.line, problem: "the input expands to more than \(maxValues) values "
                          + "(aliases that repeat large parts?)")
        }
        if depth > Self.maxDepth {
            throw Failure(line: node.mark?.line, problem: "nesting deeper than \(Self.maxDepth) levels")
        }
        switch node {
        case .scalar(let scalar):
            return try Self.scalar(scalar, tag: node.tag.rawValue)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence { elements.append(try convert(element, depth: depth + 1)) }
            return .array(elements)
        case .mapping(let mapping):
            return .object(try object(mapping, line: node.mark?.line, depth: depth))
        case .alias:
            throw Failure(line: node.mark?.line, problem: "an unresolved alias")
        }
    }

    /// A mapping's members in order; `<<` merges members of the merged mappings that are not set explicitly.
    private mutating func object(_ mapping: Node.Mapping, line: Int?, depth: Int) throws(Failure) -> JSONObject {
        var members = JSONObject()
        var merged: [JSONObject] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw Failure(line: keyNode.mark?.line ?? line, problem: "a mapping key that is not a plain value "
                              + "(Kubernetes objects need string keys)")
            }
            let keyTag = keyNode.tag.rawValue
            if keyTag == Tag.Name.merge.rawValue {
                switch valueNode {
                case .mapping(let m):
                    merged.append(try object(m, line: valueNode.mark?.line, depth: depth + 1))
                case .sequence(let s):
                    for element in s {
                        guard case .mapping(let m) = element else {
                            throw Failure(line: element.mark?.line, problem: "a merge key (<<) whose list holds a "
                                          + "value that is not a mapping")
                        }
                        merged.append(try object(m, line: element.mark?.line, depth: depth + 1))
                    }
                default:
                    throw Failure(line: valueNode.mark?.line, problem: "a merge key (<<) whose value is not a mapping")
                }
                continue
            }
            let key = Self.keyText(keyScalar, tag: keyTag)
            members[key] = try convert(valueNode, depth: depth + 1)
        }
        // Earlier merged mappings win over later ones; explicit keys win over all (YAML merge key rules).
        for source in merged {
            for (key, value) in source where members[key] == nil { members[key] = value }
        }
        return members
    }

    /// A key as sigs.k8s.io/yaml writes it into JSON: booleans and null by their canonical spelling, the rest
    /// as written.
    private static func keyText(_ scalar: Node.Scalar, tag: String) -> String {
        switch tag {
        case Tag.Name.bool.rawValue: return boolValue(scalar.string).map { $0 ? "true" : "false" } ?? scalar.string
        case Tag.Name.null.rawValue: return "null"
        default: return scalar.string
        }
    }

    /// One scalar by its resolved (or explicit) tag; unknown tags keep the text.
    static func scalar(_ scalar: Node.Scalar, tag: String) throws(Failure) -> JSONValue {
        let text = scalar.string
        switch tag {
        case Tag.Name.null.rawValue:
            return .null
        case Tag.Name.bool.rawValue:
            guard let b = boolValue(text) else {
                throw Failure(line: scalar.mark?.line, problem: "\"\(text.prefix(40))\" is tagged !!bool but is not a boolean")
            }
            return .bool(b)
        case Tag.Name.int.rawValue:
            if let i = intValue(text) { return .int(i) }
            if let d = doubleValue(text) { return number(d) }
            throw Failure(line: scalar.mark?.line, problem: "\"\(text.prefix(40))\" is tagged !!int but is not an integer")
        case Tag.Name.float.rawValue:
            guard let d = doubleValue(text) ?? intValue(text).map(Double.init) else {
                throw Failure(line: scalar.mark?.line, problem: "\"\(text.prefix(40))\" is tagged !!float but is not a number")
            }
            guard d.isFinite else {
                throw Failure(line: scalar.mark?.line, problem: "\(text) (infinity or NaN) has no JSON form")
            }
            return number(d)
        default:
            return .string(text)
        }
    }

    /// Integral doubles become integers, as Go's JSON encoding of a float64 writes them (`1.0` → `1`).
    private static func number(_ d: Double) -> JSONValue {
        if d.rounded() == d && abs(d) < 9.0e15 { return .int(Int(d)) }
        return .double(d)
    }

    static func boolValue(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// YAML 1.1 integers as go-yaml reads them: sign, `_` separators, `0b`, `0x`, `0o` and leading-zero octal.
    static func intValue(_ raw: String) -> Int? {
        var text = Substring(raw.replacingOccurrences(of: "_", with: ""))
        var negative = false
        if let first = text.first, first == "-" || first == "+" {
            negative = first == "-"
            text = text.dropFirst()
        }
        guard !text.isEmpty else { return nil }
        let magnitude: Int?
        if text.hasPrefix("0b") {
            magnitude = Int(text.dropFirst(2), radix: 2)
        } else if text.hasPrefix("0x") {
            magnitude = Int(text.dropFirst(2), radix: 16)
        } else if text.hasPrefix("0o") {
            magnitude = Int(text.dropFirst(2), radix: 8)
        } else if text.count > 1 && text.hasPrefix("0") {
            magnitude = Int(text.dropFirst(), radix: 8)
        } else {
            magnitude = Int(text, radix: 10)
        }
        guard let magnitude else { return nil }
        return negative ? -magnitude : magnitude
    }

    static func doubleValue(_ raw: String) -> Double? {
        let text = raw.replacingOccurrences(of: "_", with: "")
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: return Double(text)
        }
    }
}
