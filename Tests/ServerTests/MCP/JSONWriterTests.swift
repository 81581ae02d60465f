import Testing
@testable import Server

@Suite struct JSONWriterTests {
    @Test func writesCompactJSON() {
        let value: JSONValue = ["a": [1, 2.5, "x", true, false, nil], "b": [:], "c": []]
        #expect(JSONWriter.string(value) == #"{"a":[1,2.5,"x",true,false,null],"b":{},"c":[]}"#)
        #expect(JSONWriter.encode(value) == Array(JSONWriter.string(value).utf8))
    }

    @Test func keepsMemberOrderAsBuilt() {
        var object = JSONObject()
        object["z"] = 1
        object["a"] = 2
        object["m"] = 3
        object["z"] = 4
        #expect(JSONWriter.string(.object(object)) == #"{"z":4,"a":2,"m":3}"#)
        object["a"] = nil
        #expect(JSONWriter.string(.object(object)) == #"{"z":4,"m":3}"#)
    }

    @Test func writesIntegers() {
        for i in [0, 7, 9, 10, -1, -10, 123_456_789, Int.max, Int.min] {
            #expect(JSONWriter.string(.int(i)) == String(i))
        }
    }

    @Test func writesDoublesThatParseBack() throws {
        for d in [0.5, -2.25, 0.1, 1e-7, 123.456, 1e300, -Double.leastNonzeroMagnitude, 1e15, 1.7976931348623157e308] {
            let text = JSONWriter.string(.double(d))
            #expect(try JSONParser.parse(text) == .double(d), "\(text)")
        }
    }

    @Test func writesIntegralDoublesWithoutFraction() {
        #expect(JSONWriter.string(.double(1.0)) == "1")
        #expect(JSONWriter.string(.double(-3.0)) == "-3")
    }

    @Test func writesNonFiniteDoublesAsNull() {
        #expect(JSONWriter.string(.double(.nan)) == "null")
        #expect(JSONWriter.string(.double(.infinity)) == "null")
        #expect(JSONWriter.string(.double(-.infinity)) == "null")
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(JSONWriter.string(.string("say \"hi\"")) == #""say \"hi\"""#)
        #expect(JSONWriter.string(.string(#"C:\dir"#)) == #""C:\\dir""#)
        #expect(JSONWriter.string(.string("a\nb\rc\td")) == #""a\nb\rc\td""#)
        #expect(JSONWriter.string(.string("\u{0}\u{1}\u{8}\u{C}\u{1F}")) == #""\u0000\u0001\u0008\u000c\u001f""#)
    }

    @Test func leavesSlashesNonASCIIAndDeleteUnescaped() {
        #expect(JSONWriter.string(.string("a/b <&> é 😀 \u{7F}")) == "\"a/b <&> é 😀 \u{7F}\"")
    }

    @Test func escapesKeysLikeValues() {
        #expect(JSONWriter.string(["a\"\n": 1]) == #"{"a\"\n":1}"#)
    }

    @Test func neverWritesRawControlBytes() throws {
        let everyControl = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let value: JSONValue = ["text\n": .string("line1\nline2\r\n" + everyControl), "list": [.string(everyControl)]]
        let bytes = JSONWriter.encode(value)
        #expect(!bytes.contains { $0 < 0x20 })
        #expect(try JSONParser.parse(bytes) == value)
    }

    @Test func roundTripsThroughTheParser() throws {
        let text = #"{"jsonrpc":"2.0","id":"a-1","result":{"content":[{"type":"text","text":"x\ty \"q\" \\ \u0001"}],"#
            + #""n":-12,"d":0.25,"ok":true,"nothing":null,"uni":"é😀"}}"#
        let value = try JSONParser.parse(text)
        let written = JSONWriter.string(value)
        #expect(try JSONParser.parse(written) == value)
        #expect(JSONWriter.string(try JSONParser.parse(written)) == written)
    }

    @Test func appendsRawFragments() {
        var writer = JSONWriter()
        writer.appendRaw("[")
        writer.write("a")
        writer.appendRaw(Array(",{}".utf8))
        writer.appendRaw("]")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"["a",{}]"#)
    }
}
