import Testing
@testable import Server

@Suite struct ArgumentValidatorTests {
    let schema = ToolSchema.object(
        properties: [
            "minified": ToolSchema.boolean("Minify.", default: true),
            "name": ToolSchema.string("A name."),
            "output": ToolSchema.string("Format.", allowed: ["yaml", "json"]),
            "limit": ToolSchema.integer("Limit.", minimum: 1, maximum: 500),
            "ratio": ToolSchema.number("Ratio."),
            "labels": ToolSchema.array("Labels.", items: ToolSchema.type("string")),
            "selector": ToolSchema.object(properties: ["app": ToolSchema.string("App.")], required: ["app"]),
        ],
        required: ["name"])

    private func message(_ arguments: JSONObject) -> String? {
        ArgumentValidator.firstViolation(in: arguments, against: schema)
    }

    @Test func acceptsConformingArguments() throws {
        let arguments: JSONValue = [
            "minified": false, "name": "x", "output": "json", "limit": 5, "ratio": 0.5,
            "labels": ["a", "b"], "selector": ["app": "web"],
        ]
        try ArgumentValidator.validate(try #require(arguments.objectValue), against: schema)
    }

    @Test func rejectsWrongTypeNamingArgumentAndTypes() {
        #expect(message(JSONObject([("name", "x"), ("minified", "yes")]))
            == "argument \"minified\" must be a boolean, got string")
        #expect(message(JSONObject([("name", 3)])) == "argument \"name\" must be a string, got number")
    }

    @Test func rejectsMissingRequiredArgument() {
        #expect(message(JSONObject([("minified", true)])) == "missing required argument \"name\"")
        #expect(message(JSONObject([("name", .null)])) == "missing required argument \"name\"")
    }

    @Test func rejectsUnknownArgumentWhenAdditionalPropertiesIsFalse() {
        let text = message(JSONObject([("name", "x"), ("namespace", "y")]))
        #expect(text?.hasPrefix("unknown argument \"namespace\"; expected one of \"minified\", \"name\"") == true)
        #expect(ArgumentValidator.firstViolation(in: JSONObject([("x", 1)]), against: ToolSchema.noArguments)
            == "unknown argument \"x\"; this tool takes no arguments")
    }

    @Test func acceptsUnknownArgumentWhenAdditionalPropertiesIsAllowed() {
        let open = ToolSchema.object(properties: ["a": ToolSchema.string("A.")], additionalProperties: true)
        #expect(ArgumentValidator.firstViolation(in: JSONObject([("b", 1)]), against: open) == nil)
    }

    @Test func rejectsValueOutsideEnum() {
        #expect(message(JSONObject([("name", "x"), ("output", "xml")]))
            == "argument \"output\" must be one of \"yaml\", \"json\", got \"xml\"")
    }

    @Test func acceptsIntegralDoubleAsIntegerButNotAFraction() {
        #expect(message(JSONObject([("name", "x"), ("limit", 3.0)])) == nil)
        #expect(message(JSONObject([("name", "x"), ("limit", 3.5)])) == "argument \"limit\" must be an integer, got number")
        #expect(message(JSONObject([("name", "x"), ("ratio", 3)])) == nil)
    }

    @Test func enforcesMinimumAndMaximum() {
        #expect(message(JSONObject([("name", "x"), ("limit", 0)])) == "argument \"limit\" must be at least 1, got 0")
        #expect(message(JSONObject([("name", "x"), ("limit", 501)])) == "argument \"limit\" must be at most 500, got 501")
    }

    @Test func pointsIntoArraysAndNestedObjects() {
        #expect(message(JSONObject([("name", "x"), ("labels", ["a", 2])]))
            == "argument \"labels[1]\" must be a string, got number")
        #expect(message(JSONObject([("name", "x"), ("selector", ["tier": "db"])]))
            == "missing required argument \"selector.app\"")
        #expect(message(JSONObject([("name", "x"), ("selector", ["app": true])]))
            == "argument \"selector.app\" must be a string, got boolean")
        #expect(message(JSONObject([("name", "x"), ("labels", "a")])) == "argument \"labels\" must be an array, got string")
    }

    @Test func treatsNullAsAbsentForOptionalArguments() {
        #expect(message(JSONObject([("name", "x"), ("minified", .null)])) == nil)
    }

    @Test func throwsTheViolationFromValidate() {
        #expect(throws: ArgumentValidator.Violation("missing required argument \"name\"")) {
            try ArgumentValidator.validate(JSONObject(), against: schema)
        }
    }
}
