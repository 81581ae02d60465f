import Testing
@testable import Server

@Suite struct ToolSchemaTests {
    @Test func buildsObjectSchemaWithOrderedPropertiesRequiredAndClosedMembers() {
        let schema = ToolSchema.object(
            properties: ["b": ToolSchema.boolean("B.", default: true), "a": ToolSchema.string("A.")],
            required: ["a"])
        #expect(JSONWriter.string(schema) == #"{"type":"object","properties":{"b":{"type":"boolean","description":"B.","default":true},"a":{"type":"string","description":"A."}},"required":["a"],"additionalProperties":false}"#)
    }

    @Test func buildsIntegerAndEnumProperties() {
        #expect(JSONWriter.string(ToolSchema.integer("N.", default: 10, minimum: 1))
            == #"{"type":"integer","description":"N.","minimum":1,"default":10}"#)
        #expect(JSONWriter.string(ToolSchema.string("F.", default: "yaml", allowed: ["yaml", "json"]))
            == #"{"type":"string","description":"F.","enum":["yaml","json"],"default":"yaml"}"#)
    }

    @Test func describesAToolWithoutArguments() {
        #expect(JSONWriter.string(ToolSchema.noArguments)
            == #"{"type":"object","properties":{},"additionalProperties":false}"#)
    }
}
