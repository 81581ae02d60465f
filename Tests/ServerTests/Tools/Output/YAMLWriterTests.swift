import Foundation
import Testing
import Yams
@testable import Server

@Suite struct YAMLWriterTests {
    /// Parses YAML with Yams and rebuilds a `JSONValue` with member order and number types kept.
    static func parse(_ yaml: String) throws -> JSONValue {
        try json(#require(try Yams.compose(yaml: yaml)))
    }

    private struct UnexpectedNode: Error, CustomStringConvertible {
        let description: String
    }

    private static func json(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return .null
            case .bool: return .bool(try #require(node.bool as Bool?))
            case .int: return .int(try #require(node.int))
            case .float: return .double(try #require(node.float))
            case .str: return .string(scalar.string)
            default: throw UnexpectedNode(description: "scalar \(scalar.string) resolved to \(node.tag.rawValue)")
            }
        case .sequence(let sequence):
            return .array(try sequence.map(json))
        case .mapping(let mapping):
            var pairs: [(String, JSONValue)] = []
            for (key, value) in mapping {
                guard Tag.Name(rawValue: key.tag.rawValue) == .str, let name = key.scalar?.string else {
                    throw UnexpectedNode(description: "key \(key) is not a string")
                }
                pairs.append((name, try json(value)))
            }
            return .object(JSONObject(pairs))
        case .alias:
            throw UnexpectedNode(description: "alias")
        }
    }

    /// Equality that tells `1` from `1.0` and checks member order.
    static func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count
                && zip(x.members, y.members).allSatisfy { $0.key == $1.key && identical($0.value, $1.value) }
        default: return false
        }
    }

    private func expectRoundTrip(_ value: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let yaml = YAMLWriter.string(value)
        let back = try Self.parse(yaml)
        #expect(Self.identical(back, value), "YAML:\n\(yaml)", sourceLocation: sourceLocation)
    }

    // MARK: - Layout

    @Test func laysOutAnEventLikeKubectl() throws {
        let yaml = YAMLWriter.string(try K8sFixture.load("event.json"))
        #expect(yaml == """
            kind: Event
            apiVersion: v1
            metadata:
              name: nginx-deployment-67d4bdd6f5-w6kd7.16d4c8f1a2b3c4d5
              namespace: default
              uid: 0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f
              resourceVersion: "1360"
              creationTimestamp: "2022-02-17T21:51:05Z"
            involvedObject:
              kind: Pod
              namespace: default
              name: nginx-deployment-67d4bdd6f5-w6kd7
              uid: a6501da1-0447-4262-98eb-c03d4002222e
              apiVersion: v1
              resourceVersion: "1354"
              fieldPath: spec.containers{nginx}
            reason: Pulled
            message: Successfully pulled image "nginx" in 1.146417389s
            source:
              component: kubelet
              host: kube-worker-1
            firstTimestamp: "2022-02-17T21:51:05Z"
            lastTimestamp: "2022-02-17T21:51:05Z"
            count: 1
            type: Normal
            eventTime: null
            reportingComponent: kubelet
            reportingInstance: kube-worker-1

            """)
    }

    @Test func putsSequencesAtTheIndentationOfTheirKey() throws {
        let yaml = YAMLWriter.string(try K8sFixture.load("pod.json"))
        #expect(yaml.contains("""
              ownerReferences:
              - apiVersion: apps/v1
                kind: ReplicaSet
                name: nginx-deployment-67d4bdd6f5
                uid: 7d41dfd4-84c0-4be4-88ab-cedbe626ad82
                controller: true
                blockOwnerDeletion: true
            spec:
              volumes:
              - name: kube-api-access-bgsgp
                projected:
                  sources:
                  - serviceAccountToken:
                      expirationSeconds: 3607
                      path: token
                  - configMap:
                      name: kube-root-ca.crt
                      items:
                      - key: ca.crt
                        path: ca.crt

            """))
        #expect(yaml.contains("    securityContext: {}\n") || yaml.contains("  securityContext: {}\n"))
        #expect(yaml.contains("    lastState: {}\n"))
        #expect(yaml.contains("    lastProbeTime: null\n"))
        #expect(yaml.contains("  podIPs:\n  - ip: 10.88.0.3\n  - ip: 2001:db8::1\n"))
    }

    @Test func keepsMemberOrder() {
        let value: JSONValue = ["z": 1, "a": 2, "m": ["x": true, "b": false]]
        #expect(YAMLWriter.string(value) == "z: 1\na: 2\nm:\n  x: true\n  b: false\n")
    }

    @Test func writesEmptyCollectionsInline() throws {
        #expect(YAMLWriter.string([:]) == "{}\n")
        #expect(YAMLWriter.string([]) == "[]\n")
        let value: JSONValue = ["a": [:], "b": [], "c": [[:], [], [[]]]]
        #expect(YAMLWriter.string(value) == "a: {}\nb: []\nc:\n- {}\n- []\n- - []\n")
        try expectRoundTrip(value)
    }

    @Test func nestsSequencesAndMappingsInSequences() throws {
        let value: JSONValue = [[1, 2], ["a": 1, "b": [3, ["c": nil]]], "x"]
        #expect(YAMLWriter.string(value) == """
            - - 1
              - 2
            - a: 1
              b:
              - 3
              - c: null
            - x

            """)
        try expectRoundTrip(value)
    }

    @Test func writesTopLevelScalars() throws {
        #expect(YAMLWriter.string("hello") == "hello\n")
        #expect(YAMLWriter.string(nil) == "null\n")
        #expect(YAMLWriter.string(42) == "42\n")
        for value: JSONValue in ["hello", "a\nb", "", "true", 1, 2.5, nil, false] {
            try expectRoundTrip(value)
        }
    }

    // MARK: - Scalars

    @Test(arguments: [
        "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON",
        "off", "Off", "OFF", "y", "Y", "n", "N", "null", "Null", "NULL", "~", "", "123", "0", "-1", "+1", "007",
        "0x1F", "0o17", "0b101", "1_000", "1.5", ".5", "1.", "-1.5", "1e3", "1E-3", "6.02e+23", ".inf", "-.inf",
        ".NaN", "12:30", "1:20:30", "2022-02-17", "2022-02-17T21:51:01Z", "2001-12-14 21:59:43.10 -5", "<<", "=",
    ])
    func doubleQuotesStringsThatWouldReadAsAnotherType(_ text: String) throws {
        #expect(YAMLWriter.string(["k": .string(text)]) == "k: \"\(text)\"\n")
        try expectRoundTrip(["k": .string(text), text: 1])
    }

    @Test(arguments: [
        " leading", "trailing ", "a: b", "a:", "a #b", "- x", "-", "?", ":", "? x", ": x", "*ref", "&anchor",
        "!tag", "|", ">", "'", "\"q\"", "%dir", "@at", "`tick", "#comment", "[a]", "{a: 1}", ",a", "]", "}",
        "---", "--- x", "...", "... x", "it's: here",
    ])
    func singleQuotesStringsThatAreNotPlainSafe(_ text: String) throws {
        let yaml = YAMLWriter.string(["k": .string(text)])
        #expect(yaml == "k: '\(text.replacingOccurrences(of: "'", with: "''"))'\n")
        try expectRoundTrip(["k": .string(text), text: 1])
    }

    @Test(arguments: [
        "nginx", "10.88.0.3", "2001:db8::1", "500m", "128Mi", "25%", "http://example.com:80/a?b=c#d", "a:b", "a#b",
        "-foo", "--port=8080", "1.2.3", "v1", "apps/v1", "x-y_z.w", "dégradé", "日本語", "node.kubernetes.io/not-ready",
        "spec.containers{nginx}", "a, b", "a [b] {c}", "yess", "nope", "onion", "0xZZ", "12:3a", "1e", "2022-x",
        "Init:0/1", "a'b", "a\"b", "..", "-.", "+", ".",
    ])
    func leavesPlainSafeStringsUnquoted(_ text: String) throws {
        #expect(YAMLWriter.string(["k": .string(text)]) == "k: \(text)\n")
        try expectRoundTrip(["k": .string(text), text: 1])
    }

    @Test func writesMultiLineStringsAsLiteralBlocks() throws {
        #expect(YAMLWriter.string(["k": "a\nb\n"]) == "k: |\n  a\n  b\n")
        #expect(YAMLWriter.string(["k": "a\nb"]) == "k: |-\n  a\n  b\n")
        #expect(YAMLWriter.string(["k": "a\n\n"]) == "k: |+\n  a\n\n")
        #expect(YAMLWriter.string(["k": "a\n\nb\n"]) == "k: |\n  a\n\n  b\n")
        #expect(YAMLWriter.string(["l": ["x\ny\n"]]) == "l:\n- |\n  x\n  y\n")
        #expect(YAMLWriter.string(["m": ["script": "x\ny"]]) == "m:\n  script: |-\n    x\n    y\n")
        let values: [String] = [
            "a\nb\n", "a\nb", "a\n\n", "a\n\n\n", "a\n\nb", "a\n  indented\nb\n", "trailing  \nspaces \n",
            "tab\n\tindented", "#!/bin/sh\necho \"hi\" # comment\n", "key: value\n- item\n", "---\n...\n",
            "x\n \n  \ny",
        ]
        for text in values {
            let value: JSONValue = ["k": .string(text), "after": 1, "list": [.string(text), .string(text)]]
            try expectRoundTrip(value)
        }
    }

    @Test func doubleQuotesMultiLineStringsABlockCannotHold() throws {
        #expect(YAMLWriter.string(["k": " lead\nx"]) == "k: \" lead\\nx\"\n")
        #expect(YAMLWriter.string(["k": "\nx"]) == "k: \"\\nx\"\n")
        #expect(YAMLWriter.string(["k": "\tx\ny"]) == "k: \"\\tx\\ny\"\n")
        #expect(YAMLWriter.string(["k": "a\r\nb"]) == "k: \"a\\r\\nb\"\n")
        for text in [" lead\nx", "\nx", "\n", "\n\n", "\tx\ny", "a\r\nb"] {
            try expectRoundTrip(["k": .string(text)])
        }
    }

    @Test func escapesControlAndLineBreakCharacters() throws {
        #expect(YAMLWriter.string(["k": "a\u{7}b"]) == "k: \"a\\ab\"\n")
        #expect(YAMLWriter.string(["k": "a\u{0}b\u{1B}c\u{7F}"]) == "k: \"a\\0b\\ec\\x7F\"\n")
        #expect(YAMLWriter.string(["k": "tab\there"]) == "k: \"tab\\there\"\n")
        #expect(YAMLWriter.string(["k": "a\u{85}b"]) == "k: \"a\\Nb\"\n")
        #expect(YAMLWriter.string(["k": "a\u{2028}b\u{2029}"]) == "k: \"a\\Lb\\P\"\n")
        #expect(YAMLWriter.string(["k": "\u{FEFF}bom"]) == "k: \"\\uFEFFbom\"\n")
        #expect(YAMLWriter.string(["k": "c1\u{9B}"]) == "k: \"c1\\x9B\"\n")
        #expect(YAMLWriter.string(["k": "q\"\\\u{1}"]) == "k: \"q\\\"\\\\\\x01\"\n")
        // (Not U+FEFF: libyaml drops a byte order mark even when it comes from an escape.)
        for text in ["a\u{7}b", "a\u{0}b\u{1B}c\u{7F}", "tab\there", "a\u{85}b", "a\u{2028}b\u{2029}",
                     "c1\u{9B}", "q\"\\\u{1}", "\u{8}\u{B}\u{C}\u{D}"] {
            try expectRoundTrip(["k": .string(text), text: "key"])
        }
    }

    @Test func keepsIntegersAndDoublesApart() throws {
        #expect(YAMLWriter.string(["i": 1, "d": 1.0]) == "i: 1\nd: 1.0\n")
        #expect(YAMLWriter.string([.double(1e20), .double(1e-7), .double(0.1), .double(-0.0)])
                == "- 1.0e+20\n- 1.0e-07\n- 0.1\n- -0.0\n")
        #expect(YAMLWriter.string([.double(.infinity), .double(-.infinity), .double(.nan)]) == "- .inf\n- -.inf\n- .nan\n")
        let numbers: JSONValue = [
            .int(0), .int(-7), .int(Int.max), .int(Int.min), .double(1.0), .double(-2.5), .double(1e20),
            .double(1.7976931348623157e308), .double(.leastNonzeroMagnitude), .double(0.1), .double(123456789.125), .double(.infinity),
        ]
        try expectRoundTrip(numbers)
    }

    @Test func quotesTrickyKeys() throws {
        let value: JSONValue = [
            "on": 1, "": 2, "a: b": 3, "123": 4, "multi\nline": 5, "- x": 6, "app.kubernetes.io/name": 7, "~": 8,
        ]
        let yaml = YAMLWriter.string(value)
        #expect(yaml == """
            "on": 1
            "": 2
            'a: b': 3
            "123": 4
            "multi\\nline": 5
            '- x': 6
            app.kubernetes.io/name: 7
            "~": 8

            """)
        try expectRoundTrip(value)
    }

    @Test func writesVeryLongKeysAsExplicitKeys() throws {
        let long = String(repeating: "k", count: 1_200)
        let value: JSONValue = [
            long: "v", "x": [long: ["a": 1, "b": [1, 2]]], "y": [[long: [3]]],
        ]
        let yaml = YAMLWriter.string(value)
        #expect(yaml.hasPrefix("? \(long)\n: v\n"))
        try expectRoundTrip(value)
    }

    @Test func roundTripsEveryFixture() throws {
        for name in K8sFixture.allJSON {
            let value = try K8sFixture.load(name)
            let back = try Self.parse(YAMLWriter.string(value))
            #expect(Self.identical(back, value), "\(name)")
        }
    }

    @Test func writesMembersAndItemsPieceByPiece() throws {
        var w = YAMLWriter()
        w.writeMember(key: "kind", value: "List", indent: 0)
        w.writeKeyLine("items", indent: 0)
        w.writeSequenceItem(["name": "a", "labels": ["x": "y"]], indent: 0)
        w.writeSequenceItem("b", indent: 0)
        #expect(String(decoding: w.bytes, as: UTF8.self) == """
            kind: List
            items:
            - name: a
              labels:
                x: "y"
            - b

            """)
    }
}
