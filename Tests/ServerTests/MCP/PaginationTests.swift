import Testing
@testable import Server

@Suite struct PaginationTests {
    @Test(arguments: [0, 1, 99, 100, 12_345, Int.max])
    func cursorRoundTrips(offset: Int) throws {
        let cursor = Pagination.cursor(offset: offset)
        #expect(try Pagination.offset(cursor: .string(cursor)) == offset)
    }

    @Test func cursorsAreURLSafeAndUnpadded() {
        let cursor = Pagination.cursor(offset: 123_456)
        #expect(!cursor.isEmpty)
        #expect(cursor.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test func missingOrNullCursorMeansFirstPage() throws {
        #expect(try Pagination.offset(cursor: nil) == 0)
        #expect(try Pagination.offset(cursor: .null) == 0)
    }

    @Test(arguments: [
        JSONValue.string("not a cursor!"), .string(""), .int(5), .bool(true), .object(JSONObject()),
        .string(Base64URL.encode(Array("o:-1".utf8))), .string(Base64URL.encode(Array("x:5".utf8))),
        .string(Base64URL.encode(Array("o:abc".utf8))), .string(Base64URL.encode(Array("o:".utf8))),
        .string(Base64URL.encode(Array("o:99999999999999999999".utf8))), .string(Base64URL.encode([0x6F, 0x3A, 0xFF])),
    ])
    func rejectsCursorsItDidNotIssue(cursor: JSONValue) {
        let error = #expect(throws: JSONRPCError.self) { try Pagination.offset(cursor: cursor) }
        #expect(error?.code == -32602)
    }
}

@Suite struct Base64URLTests {
    @Test func matchesRFC4648Vectors() {
        let vectors = [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
                       ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
    }

    @Test(arguments: 0...20)
    func roundTrips(length: Int) {
        // Values chosen so that every length exercises the URL-safe characters.
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: 0xFB &+ $0 &* 37) }
        let encoded = Base64URL.encode(bytes)
        #expect(!encoded.contains("="))
        #expect(!encoded.contains("+"))
        #expect(!encoded.contains("/"))
        #expect(encoded.utf8.count == (length * 4 + 2) / 3)
        #expect(Base64URL.decode(encoded) == bytes)
    }

    @Test func usesTheURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
    }

    @Test func decodesStandardAlphabetAndPadding() {
        #expect(Base64URL.decode("+/+/") == [0xFB, 0xFF, 0xBF])
        #expect(Base64URL.decode("Zg==") == Array("f".utf8))
        #expect(Base64URL.decode("Zm8=") == Array("fo".utf8))
        #expect(Base64URL.decode("Zm9vYg==") == Array("foob".utf8))
    }

    @Test(arguments: ["Zm9v!", "Zm 9v", "Zm9v\n", "é"])
    func rejectsCharactersOutsideTheAlphabets(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }
}
