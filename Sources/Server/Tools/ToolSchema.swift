/// Small builders for the JSON Schema subset tools declare (`inputSchema`, `outputSchema`), as `JSONValue`s.
///
/// Stateless, any thread. The subset is what `ArgumentValidator` checks: `type`, `properties`, `required`,
/// `additionalProperties: false`, `enum`, `items`, `minimum`/`maximum`, plus `description` and `default`.
public enum ToolSchema {
    /// An object schema with its properties in the given order; unknown members are rejected by default.
    public static func object(
        properties: KeyValuePairs<String, JSONValue> = [:],
        required: [String] = [],
        additionalProperties: Bool = false,
        description: String? = nil
    ) -> JSONValue {
        object(properties: properties.map { ($0.key, $0.value) }, required: required,
               additionalProperties: additionalProperties, description: description)
    }

    /// An object schema from an array of (name, schema) pairs, for schemas built in code.
    public static func object(
        properties: [(String, JSONValue)],
        required: [String] = [],
        additionalProperties: Bool = false,
        description: String? = nil
    ) -> JSONValue {
        var o = JSONObject()
        o["type"] = "object"
        if let description { o["description"] = .string(description) }
        o["properties"] = .object(JSONObject(properties))
        if !required.isEmpty { o["required"] = .array(required.map(JSONValue.string)) }
        if !additionalProperties { o["additionalProperties"] = false }
        return .object(o)
    }

    /// A string property, optionally limited to `allowed` values.
    public static func string(_ description: String, default value: String? = nil, allowed: [String]? = nil)
        -> JSONValue
    {
        var o = JSONObject()
        o["type"] = "string"
        o["description"] = .string(description)
        if let allowed { o["enum"] = .array(allowed.map(JSONValue.string)) }
        if let value { o["default"] = .string(value) }
        return .object(o)
    }

    /// A boolean property.
    public static func boolean(_ description: String, default value: Bool? = nil) -> JSONValue {
        var o = JSONObject()
        o["type"] = "boolean"
        o["description"] = .string(description)
        if let value { o["default"] = .bool(value) }
        return .object(o)
    }

    /// An integer property with optional bounds.
    public static func integer(_ description: String, default value: Int? = nil, minimum: Int? = nil,
                               maximum: Int? = nil) -> JSONValue {
        var o = JSONObject()
        o["type"] = "integer"
        o["description"] = .string(description)
        if let minimum { o["minimum"] = .int(minimum) }
        if let maximum { o["maximum"] = .int(maximum) }
        if let value { o["default"] = .int(value) }
        return .object(o)
    }

    /// A number property with optional bounds.
    public static func number(_ description: String, default value: Double? = nil, minimum: Double? = nil,
                              maximum: Double? = nil) -> JSONValue {
        var o = JSONObject()
        o["type"] = "number"
        o["description"] = .string(description)
        if let minimum { o["minimum"] = .double(minimum) }
        if let maximum { o["maximum"] = .double(maximum) }
        if let value { o["default"] = .double(value) }
        return .object(o)
    }

    /// An array property whose elements follow `items`.
    public static func array(_ description: String, items: JSONValue) -> JSONValue {
        ["type": "array", "description": .string(description), "items": items]
    }

    /// A schema of just a type, for nested values (`ToolSchema.type("string")`).
    public static func type(_ name: String, description: String? = nil) -> JSONValue {
        var o = JSONObject()
        o["type"] = .string(name)
        if let description { o["description"] = .string(description) }
        return .object(o)
    }

    /// The input schema of a tool without arguments.
    public static let noArguments: JSONValue = object(properties: [:])
}
