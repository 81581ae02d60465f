import Testing
@testable import Server

@Suite struct JSONValueTests {
    @Test func exposesTypedAccessors() {
        #expect(JSONValue.string("s").stringValue == "s")
        #expect(JSONValue.int(3).stringValue == nil)
        #expect(JSONValue.int(3).intValue == 3)
        #expect(JSONValue.double(3.0).intValue == 3)
        #expect(JSONValue.double(3.5).intValue == nil)
        #expect(JSONValue.string("3").intValue == nil)
        #expect(JSONValue.int(2).doubleValue == 2.0)
        #expect(JSONValue.double(2.5).doubleValue == 2.5)
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.int(1).boolValue == nil)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.bool(false).isNull)
        #expect(JSONValue.object(JSONObject()).objectValue?.isEmpty == true)
    }

    @Test func namesJSONTypes() {
        let cases: [(JSONValue, String)] = [
            (.null, "null"), (true, "boolean"), (1, "number"), (1.5, "number"), ("s", "string"), ([], "array"),
            ([:], "object"),
        ]
        for (value, name) in cases { #expect(value.typeName == name) }
    }

    @Test func subscriptsOnlyObjects() {
        let value: JSONValue = ["a": ["b": 1]]
        #expect(value["a"]?["b"] == 1)
        #expect(JSONValue.array([1])["a"] == nil)
    }

    @Test func distinguishesIntFromDoubleAndStringIDs() {
        #expect(JSONValue.int(1) != JSONValue.double(1.0))
        #expect(JSONValue.int(1) != JSONValue.string("1"))
    }

    @Test func comparesObjectsRegardlessOfMemberOrder() {
        let ab = JSONObject([("a", 1), ("b", 2)])
        let ba = JSONObject([("b", 2), ("a", 1)])
        #expect(ab == ba)
        #expect(ab != JSONObject([("a", 1)]))
        #expect(ab != JSONObject([("a", 1), ("b", 3)]))
    }

    @Test func deduplicatesPairsWithLastValueInFirstPosition() {
        let object = JSONObject([("a", 1), ("b", 2), ("a", 3)])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == 3)
    }

    @Test func removesMembersSetToNil() {
        var object = JSONObject([("a", 1), ("b", 2)])
        object["a"] = nil
        object["missing"] = nil
        #expect(object.keys == ["b"])
        #expect(object.count == 1)
    }

    @Test func iteratesMembersInOrder() {
        let object = JSONObject([("x", 1), ("y", 2)])
        #expect(object.map { $0.key } == ["x", "y"])
    }
}
