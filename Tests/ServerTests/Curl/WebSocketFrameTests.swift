import Foundation
import Testing
@testable import Server

/// A server frame (unmasked) as the parser expects it.
func serverFrame(_ opcode: WebSocketOpcode, _ payload: [UInt8], final: Bool = true, rsv: UInt8 = 0) -> [UInt8] {
    var out: [UInt8] = [(final ? 0x80 : 0) | rsv | opcode.rawValue]
    if payload.count < 126 {
        out.append(UInt8(payload.count))
    } else if payload.count <= 0xFFFF {
        out += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
    } else {
        out.append(127)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: payload.count >> shift)) }
    }
    return out + payload
}

/// Unmasks a client frame: (opcode, final, payload).
func decodeClientFrame(_ frame: [UInt8]) -> (WebSocketOpcode?, Bool, [UInt8], masked: Bool) {
    let final = frame[0] & 0x80 != 0
    let opcode = WebSocketOpcode(rawValue: frame[0] & 0x0F)
    let masked = frame[1] & 0x80 != 0
    var length = Int(frame[1] & 0x7F)
    var offset = 2
    if length == 126 {
        length = Int(frame[2]) << 8 | Int(frame[3])
        offset = 4
    } else if length == 127 {
        length = frame[2..<10].reduce(0) { $0 << 8 | Int($1) }
        offset = 10
    }
    let mask = masked ? Array(frame[offset..<offset + 4]) : [0, 0, 0, 0]
    if masked { offset += 4 }
    let payload = frame[offset..<offset + length].enumerated().map { $0.element ^ mask[$0.offset & 3] }
    return (opcode, final, payload, masked)
}

/// Joins adjacent data pieces so that tests do not depend on how the input was split.
func coalesced(_ events: [WebSocketFrameParser.Event]) -> [WebSocketFrameParser.Event] {
    var out: [WebSocketFrameParser.Event] = []
    for event in events {
        if case .data(let more) = event, case .data(let have)? = out.last {
            out[out.count - 1] = .data(have + more)
        } else {
            out.append(event)
        }
    }
    return out
}

@Suite struct WebSocketFrameParserTests {
    func parse(_ bytes: [UInt8], chunk: Int = .max, limit: Int = 1 << 20) throws -> [WebSocketFrameParser.Event] {
        var parser = WebSocketFrameParser(maxMessageBytes: limit)
        var events: [WebSocketFrameParser.Event] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunk)
            events += try parser.feed(bytes[index..<end])
            index = end
        }
        return coalesced(events)
    }

    @Test func readsSevenSixteenAndSixtyFourBitLengthsInAnySplit() throws {
        for size in [0, 5, 125, 126, 300, 65_535, 65_536, 70_000] {
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
            let wire = serverFrame(.binary, payload)
            for chunk in [1, 3, 7, 1000, .max] where !(chunk == 1 && size > 1000) {
                let expected: [WebSocketFrameParser.Event] = size == 0
                    ? [.messageStart(.binary), .messageEnd]
                    : [.messageStart(.binary), .data(payload), .messageEnd]
                #expect(try parse(wire, chunk: chunk) == expected, "size \(size) chunk \(chunk)")
            }
        }
    }

    @Test func joinsFragmentsWithControlFramesBetweenThem() throws {
        let wire = serverFrame(.binary, [1, 2], final: false) + serverFrame(.ping, [9]) + serverFrame(.continuation, [3], final: false)
            + serverFrame(.continuation, [4], final: true) + serverFrame(.text, Array("hi".utf8))
        #expect(try parse(wire) == [.messageStart(.binary), .data([1, 2]), .ping([9]), .data([3, 4]), .messageEnd,
                                    .messageStart(.text), .data(Array("hi".utf8)), .messageEnd])
        #expect(try parse(wire, chunk: 1) == parse(wire))
    }

    @Test func readsCloseWithCodeAndReasonAndStopsThere() throws {
        let wire = serverFrame(.close, [0x03, 0xE8] + Array("bye".utf8)) + serverFrame(.binary, [1])
        #expect(try parse(wire) == [.close(code: 1000, reason: "bye")])
        #expect(try parse(serverFrame(.close, [])) == [.close(code: nil, reason: "")])
    }

    @Test func rejectsProtocolViolations() {
        let cases: [([UInt8], String)] = [
            ([0x82, 0x81, 1, 2, 3, 4, 5], "masked"),
            (serverFrame(.binary, [1], rsv: 0x40), "reserved"),
            ([0x83, 0x00], "opcode"),
            (serverFrame(.continuation, [1]), "continuation"),
            (serverFrame(.binary, [1], final: false) + serverFrame(.binary, [2]), "new data frame"),
            (serverFrame(.ping, [1], final: false), "fragmented control"),
            (serverFrame(.ping, Array(repeating: 0, count: 126)), "control frame of 126"),
            (serverFrame(.close, [3]), "1-byte"),
            ([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0], "top bit"),
        ]
        for (wire, needle) in cases {
            var parser = WebSocketFrameParser(maxMessageBytes: 1 << 20)
            do {
                _ = try parser.feed(wire)
                Issue.record("accepted \(needle)")
            } catch {
                #expect(error.description.contains(needle), "\(error) should mention \(needle)")
                #expect(parser.isFinished)
            }
        }
    }

    @Test func limitsTheMessageSizeAcrossFragments() throws {
        let wire = serverFrame(.binary, Array(repeating: 1, count: 60), final: false)
            + serverFrame(.continuation, Array(repeating: 2, count: 60))
        #expect(throws: WebSocketError.messageTooLarge(limit: 100)) { try parse(wire, limit: 100) }
        #expect(try parse(wire, limit: 120).count == 3)
    }
}

@Suite struct WebSocketFrameEncoderTests {
    @Test func masksEveryFrameWithAFreshKey() {
        let payload = Array("hello".utf8)
        let a = WebSocketFrameEncoder.frame(.binary, payload: payload)
        let b = WebSocketFrameEncoder.frame(.binary, payload: payload)
        for frame in [a, b] {
            let (opcode, final, decoded, masked) = decodeClientFrame(frame)
            #expect(opcode == .binary && final && masked && decoded == payload)
        }
        #expect(a[2..<6] != b[2..<6], "two frames got the same mask (1 in 2^32)")
    }

    @Test func knownMaskGivesTheRFCExample() {
        // RFC 6455 §5.7: a masked "Hello".
        let frame = WebSocketFrameEncoder.frame(.text, payload: Array("Hello".utf8), mask: (0x37, 0xFA, 0x21, 0x3D))
        #expect(frame == [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    }

    @Test func usesSixteenAndSixtyFourBitLengths() {
        for size in [125, 126, 65_535, 65_536] {
            let frame = WebSocketFrameEncoder.frame(.binary, payload: Array(repeating: 7, count: size))
            let (_, _, decoded, _) = decodeClientFrame(frame)
            #expect(decoded.count == size)
            #expect(frame.count == size + (size < 126 ? 6 : size <= 65_535 ? 8 : 14))
        }
    }

    @Test func cutsACloseReasonOnACharacterBoundary() {
        let payload = WebSocketFrameEncoder.closePayload(code: 1000, reason: String(repeating: "é", count: 100))
        #expect(payload.count <= 125)
        #expect(payload[0] == 0x03 && payload[1] == 0xE8)
        #expect(String(validating: payload.dropFirst(2), as: UTF8.self) != nil)
    }

    @Test func utf8PrefixNeverSplitsACharacter() {
        let bytes = Array("aé€😀".utf8)  // 1 + 2 + 3 + 4 bytes
        let expected = [0: 0, 1: 1, 2: 1, 3: 3, 4: 3, 5: 3, 6: 6, 7: 6, 8: 6, 9: 6, 10: 10, 11: 10]
        for (limit, length) in expected {
            #expect(UTF8Prefix.length(of: bytes, atMost: limit) == length, "limit \(limit)")
        }
    }
}
