import Testing
@testable import Server

@Suite struct JSONParserTests {
    // MARK: Values

    @Test func parsesScalars() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("false") == .bool(false))
        #expect(try JSONParser.parse(#""text""#) == .string("text"))
        #expect(try JSONParser.parse(" \t\r\n 42 \n") == .int(42))
    }

    @Test func keepsIntegersApartFromDoubles() throws {
        #expect(try JSONParser.parse("1") == .int(1))
        #expect(try JSONParser.parse("1.0") == .double(1.0))
        #expect(try JSONParser.parse("1.0") != .int(1))
        #expect(try JSONParser.parse("-7") == .int(-7))
        #expect(try JSONParser.parse("0") == .int(0))
        #expect(try JSONParser.parse("1e2") == .double(100))
        #expect(try JSONParser.parse("2.5E-3") == .double(0.0025))
        #expect(try JSONParser.parse("-0.5") == .double(-0.5))
    }

    @Test func parsesIntegerExtremes() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808))
    }

    @Test func parsesNestedDocuments() throws {
        let value = try JSONParser.parse(#"{"a":[1,{"b":null}],"c":{"d":"e"},"f":[]}"#)
        #expect(value["a"] == [1, ["b": nil]])
        #expect(value["c"]?["d"] == "e")
        #expect(value["f"] == .array([]))
        #expect(value["missing"] == nil)
    }

    @Test func parsesFromBytesAndBuffers() throws {
        let bytes = Array(#"[true,"x"]"#.utf8)
        #expect(try JSONParser.parse(bytes) == [true, "x"])
        let fromBuffer = try bytes.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            try JSONParser.parse(buffer)
        }
        #expect(fromBuffer == [true, "x"])
    }

    // MARK: Objects

    @Test func keepsLastValueOfDuplicateKeysInFirstPosition() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        let object = try #require(value.objectValue)
        #expect(object.count == 2)
        #expect(object["a"] == .int(3))
        #expect(object.keys == ["a", "b"])
    }

    @Test func preservesMemberOrder() throws {
        let text = #"{"zeta":1,"alpha":2,"mid":{"y":true,"x":false}}"#
        let value = try JSONParser.parse(text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(value["mid"]?.objectValue?.keys == ["y", "x"])
        #expect(JSONWriter.string(value) == text)
    }

    // MARK: Strings

    @Test func decodesSimpleEscapes() throws {
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(try JSONParser.parse(#""a\nb""#) == .string("a\nb"))
    }

    @Test func decodesUnicodeEscapes() throws {
        #expect(try JSONParser.parse(#""\u00e9\u00C9""#) == .string("éÉ"))
        #expect(try JSONParser.parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try JSONParser.parse(#""\u2028""#) == .string("\u{2028}"))
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSONParser.parse(#""x\uD834\uDD1Ey""#) == .string("x𝄞y"))
    }

    @Test(arguments: [
        #""\ud83d""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ude00""#, #""\ud83d\ud83d""#, #""\ud83d\n""#,
    ])
    func rejectsBrokenSurrogates(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test(arguments: [#""\x""#, #""\u12""#, #""\u12g4""#, #""\U0041""#, #""abc\"#, #""abc"#])
    func rejectsBadEscapesAndUnterminatedStrings(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test(arguments: [UInt8(0x00), 0x01, 0x09, 0x0A, 0x0D, 0x1F])
    func rejectsRawControlCharacters(byte: UInt8) {
        // Once in the plain fast path, once after an escape (the slow path).
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x61, byte, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x5C, 0x6E, byte, 0x22]) }
    }

    @Test(arguments: [[UInt8(0xFF)], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80]])
    func rejectsInvalidUTF8InStrings(bad: [UInt8]) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22] + bad + [0x22]) }
        #expect(error?.reason.contains("UTF-8") == true)
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0x5C, 0x74] + bad + [0x22]) }
    }

    @Test func acceptsValidMultiByteUTF8() throws {
        #expect(try JSONParser.parse(Array("\"héllo ✓ 😀\"".utf8)) == .string("héllo ✓ 😀"))
        #expect(try JSONParser.parse(Array("\"\\t😀\"".utf8)) == .string("\t😀"))
    }

    // MARK: Rejections

    @Test(arguments: [
        "", " ", "tru", "nul", "True", "NaN", "Infinity", "+1", ".5", "1.", "1e", "1e+", "-", "-a", "01", "0x10",
        "[1,]", "[1 2]", "[", "]", "{", "}", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, "{a:1}", "{'a':1}", #"{"a" 1}"#,
        #"{"a":1 "b":2}"#, "'text'",
    ])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test(arguments: ["{} x", "1 2", "[]]", "{}{}", "null,", "\"a\"\"b\""])
    func rejectsTrailingData(text: String) {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        #expect(error?.reason == "unexpected data after the JSON value")
    }

    @Test func reportsTheOffsetOfTheProblem() {
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse("[1, 2, x]") }
        #expect(error?.offset == 7)
        #expect(error?.description.hasPrefix("invalid JSON at byte 7") == true)
    }

    // MARK: Depth

    @Test func acceptsNestingUpToMaxDepth() throws {
        let depth = JSONParser.maxDepth
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try JSONParser.parse(arrays) }
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(throws: Never.self) { try JSONParser.parse(objects) }
    }

    @Test func rejectsNestingBeyondMaxDepth() {
        let depth = JSONParser.maxDepth + 1
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(arrays) }
        #expect(error?.reason.contains("nesting") == true)
        let mixed = String(repeating: #"[{"k":"#, count: depth / 2 + 1) + "0"
            + String(repeating: "}]", count: depth / 2 + 1)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(mixed) }
    }

    @Test func survivesHostileNesting() {
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(hostile) }
        let objects = Array(String(repeating: #"{"a":"#, count: 200_000).utf8)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(objects) }
    }
}

@Suite struct JSONParserRangeTests {
    @Test func rejectsNumbersOutsideDoubleRange() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse("1e400") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("-1e400") }
        #expect((try? JSONParser.parse("1e300")) != nil)
    }
}
