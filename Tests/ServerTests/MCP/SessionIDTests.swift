import Testing
@testable import Server

@Suite struct SessionIDTests {
    @Test func randomIDsAre32LowercaseHexDigits() {
        for _ in 0..<20 {
            let text = SessionID.random().description
            #expect(text.utf8.count == 32)
            #expect(text.allSatisfy { "0123456789abcdef".contains($0) }, "\(text)")
        }
    }

    @Test func randomIDsDiffer() {
        let ids = Set((0..<100).map { _ in SessionID.random() })
        #expect(ids.count == 100)
    }

    @Test func parsesItsOwnDescription() throws {
        for _ in 0..<20 {
            let id = SessionID.random()
            #expect(SessionID(id.description) == id)
        }
    }

    @Test func padsWithLeadingZeros() {
        let id = SessionID(high: 0, low: 0xAB)
        #expect(id.description == "000000000000000000000000000000ab")
        #expect(SessionID(id.description) == id)
    }

    @Test func placesHighAndLowHalves() throws {
        let id = try #require(SessionID("0123456789abcdefFEDCBA9876543210"))
        #expect(id.high == 0x0123_4567_89AB_CDEF)
        #expect(id.low == 0xFEDC_BA98_7654_3210)
        #expect(id.description == "0123456789abcdeffedcba9876543210")
    }

    @Test(arguments: [
        "", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0",
        "0123456789abcdeg0123456789abcdef", "0123456789abcdef 123456789abcdef",
        "01234567-89ab-cdef-0123-456789abcdef", "+123456789abcdef0123456789abcdef", "é123456789abcdef0123456789abcde",
    ])
    func rejectsAnythingButThirtyTwoHexDigits(text: String) {
        #expect(SessionID(text) == nil)
    }

    @Test func parsesSubstrings() {
        let header = "id=00000000000000000000000000000001"
        #expect(SessionID(header.dropFirst(3)) == SessionID(high: 0, low: 1))
    }
}
