import Testing
@testable import Server

/// `RequestStateCodec`: the 2026-07-28 confirmation state must not be forgeable, alterable, reusable for
/// another call, or usable after it expires.
@Suite struct RequestStateCodecTests {
    private let codec = RequestStateCodec(key: Array(repeating: 7, count: 32))
    private let arguments: JSONObject = JSONObject([("name", "web-1"), ("namespace", "default")])
    private let nonce: [UInt8] = Array(0..<16)

    @Test func roundTripsAndIgnoresMemberOrder() throws {
        let token = codec.seal(tool: "pods_delete", arguments: arguments, now: 1000, nonce: nonce)
        #expect(token.hasPrefix("v1."))
        let reordered = JSONObject([("namespace", "default"), ("name", "web-1")])
        let claims = try codec.open(token, tool: "pods_delete", arguments: reordered, now: 2000)
        #expect(claims.tool == "pods_delete")
        #expect(claims.expiresAt == 1000 + RequestStateCodec.lifetimeMilliseconds)
        #expect(claims.nonce == nonce.hexString)
    }

    @Test func refusesExpiredStates() {
        let token = codec.seal(tool: "pods_delete", arguments: arguments, now: 1000, nonce: nonce)
        #expect(throws: RequestStateCodec.Failure.expired) {
            try codec.open(token, tool: "pods_delete", arguments: arguments,
                           now: 1001 + RequestStateCodec.lifetimeMilliseconds)
        }
    }

    @Test func isBoundToTheCaller() throws {
        let alice = SecurityPolicy.principal(authorization: "Bearer alice-token")
        let bob = SecurityPolicy.principal(authorization: "Bearer bob-token")
        #expect(alice != bob && !alice.contains("alice") && SecurityPolicy.principal(authorization: nil).isEmpty)
        let token = codec.seal(tool: "pods_delete", arguments: arguments, now: 0, nonce: nonce, principal: alice)
        #expect(try codec.open(token, tool: "pods_delete", arguments: arguments, now: 1, principal: alice).nonce
                == nonce.hexString)
        #expect(throws: RequestStateCodec.Failure.otherPrincipal) {
            try codec.open(token, tool: "pods_delete", arguments: arguments, now: 1, principal: bob)
        }
        #expect(throws: RequestStateCodec.Failure.otherPrincipal) {
            try codec.open(token, tool: "pods_delete", arguments: arguments, now: 1)
        }
    }

    @Test func refusesOtherToolsAndArguments() {
        let token = codec.seal(tool: "pods_delete", arguments: arguments, now: 0, nonce: nonce)
        #expect(throws: RequestStateCodec.Failure.otherTool) {
            try codec.open(token, tool: "resources_delete", arguments: arguments, now: 1)
        }
        var other = arguments
        other["name"] = "web-2"
        #expect(throws: RequestStateCodec.Failure.otherArguments) {
            try codec.open(token, tool: "pods_delete", arguments: other, now: 1)
        }
        other = arguments
        other["gracePeriodSeconds"] = 0
        #expect(throws: RequestStateCodec.Failure.otherArguments) {
            try codec.open(token, tool: "pods_delete", arguments: other, now: 1)
        }
    }

    @Test func refusesTamperedPayloadsAndSignatures() throws {
        let token = codec.seal(tool: "pods_delete", arguments: arguments, now: 0, nonce: nonce)
        let parts = token.split(separator: ".").map(String.init)
        // A payload rewritten to a later expiry, signed with the old signature.
        var payload = try JSONParser.parse(try #require(Base64URL.decode(parts[1])))
        guard case .object(var o) = payload else { Issue.record("payload is not an object"); return }
        o["e"] = .int(Int.max / 2)
        payload = .object(o)
        let forgedPayload = "v1." + Base64URL.encode(JSONWriter.encode(payload)) + "." + parts[2]
        #expect(throws: RequestStateCodec.Failure.forged) {
            try codec.open(forgedPayload, tool: "pods_delete", arguments: arguments, now: 1)
        }
        // One flipped signature byte.
        var signature = try #require(Base64URL.decode(parts[2]))
        signature[0] ^= 1
        let flipped = parts[0] + "." + parts[1] + "." + Base64URL.encode(signature)
        #expect(throws: RequestStateCodec.Failure.forged) {
            try codec.open(flipped, tool: "pods_delete", arguments: arguments, now: 1)
        }
        // Another process (another key) cannot open it.
        let other = RequestStateCodec(key: Array(repeating: 8, count: 32))
        #expect(throws: RequestStateCodec.Failure.forged) {
            try other.open(token, tool: "pods_delete", arguments: arguments, now: 1)
        }
    }

    @Test(arguments: ["", "v1.", "v1..", "v2.abc.def", "v1.!!!.???", "v1.a.b.c", String(repeating: "v1.", count: 2000)])
    func refusesGarbage(token: String) {
        #expect(throws: RequestStateCodec.Failure.self) {
            try codec.open(token, tool: "pods_delete", arguments: arguments, now: 1)
        }
    }

    @Test func spentStatesAreSingleUseAndBounded() {
        var spent = SpentRequestStates()
        let first = [spent.spend("a", expiresAt: 100, now: 0), spent.spend("a", expiresAt: 100, now: 1)]
        #expect(first == [true, false])
        var filled = true
        for i in 1..<SpentRequestStates.capacity { filled = filled && spent.spend("n\(i)", expiresAt: 100, now: 0) }
        #expect(filled)
        let whenFull = spent.spend("full", expiresAt: 200, now: 50)
        #expect(!whenFull)
        // Once the old ones expired, room is made.
        let later = spent.spend("later", expiresAt: 300, now: 150)
        #expect(later)
        #expect(spent.count == 1)
    }
}
