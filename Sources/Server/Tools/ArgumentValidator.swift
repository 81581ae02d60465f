/// Checks a tool call's arguments against the tool's `inputSchema` (the subset `ToolSchema` builds) and
/// says precisely what is wrong, e.g. `argument "minified" must be a boolean, got string`.
///
/// Stateless, any thread. Supported keywords: `type` (a name or a list of names: string, boolean, integer,
/// number, array, object, null), `properties`, `required`, `additionalProperties` (false or a schema), `enum`,
/// `items`, `minimum`, `maximum`. Other keywords are ignored. A `null` given for an optional argument counts as
/// absent, since many clients send `null` for "not set".
public enum ArgumentValidator {
    /// The first problem found, with a message for the caller (a tool result or a JSON-RPC error).
    public struct Violation: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String

        public init(_ message: String) { self.message = message }

        public var description: String { message }
    }

    /// Throws the first violation of `schema` by `arguments` (the `arguments` object of `tools/call`).
    public static func validate(_ arguments: JSONObject, against schema: JSONValue) throws(Violation) {
        try checkObject(arguments, schema: schema, path: "")
    }

    /// Returns nil when `arguments` conform, else the message of the first violation.
    public static func firstViolation(in arguments: JSONObject, against schema: JSONValue) -> String? {
        do {
            try validate(arguments, against: schema)
            return nil
        } catch {
            return error.message
        }
    }

    // MARK: - Checks

    private static func checkObject(_ object: JSONObject, schema: JSONValue, path: String) throws(Violation) {
        let properties = schema["properties"]?.objectValue ?? JSONObject()
        let required = (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue)
        for name in required where object[name] == nil || object[name] == .null {
            throw Violation("missing required argument \"\(join(path, name))\"")
        }
        for (name, value) in object {
            let memberPath = join(path, name)
            if let propertySchema = properties[name] {
                if value == .null && !required.contains(name) && !allows("null", propertySchema) { continue }
                try check(value, schema: propertySchema, path: memberPath)
            } else if let additional = schema["additionalProperties"] {
                if additional == .bool(false) {
                    let known = properties.keys.map { "\"\($0)\"" }.joined(separator: ", ")
                    let hint = known.isEmpty ? "this tool takes no arguments" : "expected one of \(known)"
                    throw Violation("unknown argument \"\(memberPath)\"; \(hint)")
                }
                if additional.objectValue != nil { try check(value, schema: additional, path: memberPath) }
            }
        }
    }

    private static func check(_ value: JSONValue, schema: JSONValue, path: String) throws(Violation) {
        let types = typeNames(schema)
        if !types.isEmpty && !types.contains(where: { matches(value, type: $0) }) {
            let expected = types.map(article).joined(separator: " or ")
            throw Violation("argument \"\(path)\" must be \(expected), got \(value.typeName)")
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            let list = allowed.map(render).joined(separator: ", ")
            throw Violation("argument \"\(path)\" must be one of \(list), got \(render(value))")
        }
        if let number = value.doubleValue {
            if let minimum = schema["minimum"]?.doubleValue, number < minimum {
                throw Violation("argument \"\(path)\" must be at least \(render(schema["minimum"] ?? .null)), "
                                + "got \(render(value))")
            }
            if let maximum = schema["maximum"]?.doubleValue, number > maximum {
                throw Violation("argument \"\(path)\" must be at most \(render(schema["maximum"] ?? .null)), "
                                + "got \(render(value))")
            }
        }
        switch value {
        case .array(let elements):
            if let items = schema["items"], items.objectValue != nil {
                for (index, element) in elements.enumerated() {
                    try check(element, schema: items, path: "\(path)[\(index)]")
                }
            }
        case .object(let object):
            if schema["properties"] != nil || schema["required"] != nil || schema["additionalProperties"] != nil {
                try checkObject(object, schema: schema, path: path)
            }
        default:
            break
        }
    }

    private static func typeNames(_ schema: JSONValue) -> [String] {
        switch schema["type"] {
        case .string(let name)?: return [name]
        case .array(let names)?: return names.compactMap(\.stringValue)
        default: return []
        }
    }

    private static func allows(_ type: String, _ schema: JSONValue) -> Bool { typeNames(schema).contains(type) }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("array", .array), ("object", .object), ("null", .null):
            return true
        case ("number", .int), ("number", .double):
            return true
        case ("integer", .int):
            return true
        case ("integer", .double(let d)):
            return d.rounded() == d && abs(d) < 9.0e15
        default:
            return false
        }
    }

    private static func article(_ type: String) -> String {
        switch type {
        case "integer", "array", "object": return "an \(type)"
        case "null": return "null"
        default: return "a \(type)"
        }
    }

    /// A short JSON rendering for messages (long strings are cut).
    private static func render(_ value: JSONValue) -> String {
        let text = JSONWriter.string(value)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
}
