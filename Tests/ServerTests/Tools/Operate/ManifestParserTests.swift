import Testing
@testable import Server

/// `ManifestParser` and `YAMLToJSON`: what a manifest text turns into, and how bad input is refused.
@Suite struct ManifestParserTests {
    private func one(_ text: String) throws -> JSONObject {
        let manifests = try ManifestParser.parse(text)
        #expect(manifests.count == 1)
        return try #require(manifests.first?.object)
    }

    private func error(_ text: String) -> ManifestError? {
        do {
            _ = try ManifestParser.parse(text)
            return nil
        } catch {
            return error
        }
    }

    private let header = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"

    @Test func readsSeveralYAMLDocumentsInOrderSkippingEmptyOnes() throws {
        let text = "---\n# only a comment\n---\n" + header + "---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n...\n"
        let manifests = try ManifestParser.parse(text)
        #expect(manifests.map(\.kind) == ["ConfigMap", "Service"])
        // libyaml counts the empty documents too (a document ends where the next --- starts).
        #expect(manifests.map(\.origin) == ["document 2", "document 4"])
        #expect(manifests[0].line == 4)
        #expect(manifests[1].name == "s")
    }

    @Test func scalarTypesFollowKubectl() throws {
        let o = try one(header + """
            data:
              quoted: "8080"
              single: '0644'
              plainInt: 8080
              octal: 0644
              hex: 0x1F
              underscores: 1_000
              float: 1.5
              integralFloat: 1.0
              exponent: 1e3
              yes: yes
              quotedYes: "yes"
              switchOn: On
              switchOff: false
              nothing: ~
              empty:
              nullWord: null
              clock: 22:22
              date: 2024-01-02
              stamp: 2001-12-14t21:59:43.10-05:00
              version: 1.2.3
              leadingZeroNotOctal: 08
              literal: |
                line one
                42
              tagged: !!str 123
              forcedInt: !!int "7"
            """)
        let data = try #require(o["data"]?.objectValue)
        #expect(data["quoted"] == .string("8080"))
        #expect(data["single"] == .string("0644"))
        #expect(data["plainInt"] == .int(8080))
        #expect(data["octal"] == .int(420))
        #expect(data["hex"] == .int(31))
        #expect(data["underscores"] == .int(1000))
        #expect(data["float"] == .double(1.5))
        #expect(data["integralFloat"] == .int(1))
        #expect(data["exponent"] == .int(1000))
        #expect(data["true"] == .bool(true))  // the key `yes` is a boolean too, written as "true" (sigs.k8s.io/yaml)
        #expect(data["quotedYes"] == .string("yes"))
        #expect(data["switchOn"] == .bool(true))
        #expect(data["switchOff"] == .bool(false))
        #expect(data["nothing"] == .null)
        #expect(data["empty"] == .null)
        #expect(data["nullWord"] == .null)
        #expect(data["clock"] == .string("22:22"))
        #expect(data["date"] == .string("2024-01-02"))
        #expect(data["stamp"] == .string("2001-12-14t21:59:43.10-05:00"))
        #expect(data["version"] == .string("1.2.3"))
        #expect(data["leadingZeroNotOctal"] == .int(8))
        #expect(data["literal"] == .string("line one\n42\n"))
        #expect(data["tagged"] == .string("123"))
        #expect(data["forcedInt"] == .int(7))
    }

    @Test func mergeKeysAndAliasesExpand() throws {
        let o = try one(header + """
            base: &base {a: 1, b: 2}
            data:
              <<: *base
              b: 3
              c: *base
            """)
        #expect(o["data"] == ["a": 1, "b": 3, "c": ["a": 1, "b": 2]])
        #expect(o["data"]?.objectValue?.keys == ["b", "c", "a"])
    }

    @Test func aliasBombsStopAtTheValueLimit() {
        var text = header + "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...7 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        guard case .unsupported(_, let problem)? = error(text) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(problem.contains("more than \(ManifestParser.maxValues) values"))
    }

    @Test func readsJSONObjectsAndArraysExactly() throws {
        let single = try one(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"n":"0644","big":12345678901234}}"#)
        #expect(single["data"] == ["n": "0644", "big": 12_345_678_901_234])
        let array = try ManifestParser.parse(#"""
              [{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}},
               {"apiVersion":"v1","kind":"Secret","metadata":{"name":"b"}}]
            """#)
        #expect(array.map(\.name) == ["a", "b"])
        #expect(array.map(\.origin) == ["item 1", "item 2"])
    }

    @Test func flowYAMLThatLooksLikeJSONIsStillRead() throws {
        let o = try one("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {port: '80'}}")
        #expect(o["data"] == ["port": "80"])
    }

    @Test func expandsListsOfAnyKind() throws {
        let text = """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
            - {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}
            ---
            apiVersion: apps/v1
            kind: DeploymentList
            items:
            - {apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}
            """
        let manifests = try ManifestParser.parse(text)
        #expect(manifests.map(\.name) == ["a", "b", "d"])
        #expect(manifests[2].origin == "document 2, item 1")
    }

    @Test func reportsEveryStructuralProblemBeforeApplyingAnything() {
        let text = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {labels: {a: b}}
            ---
            kind: Service
            metadata: {name: s}
            ---
            apiVersion: v1
            metadata: {name: x}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {generateName: web-}
            ---
            - just
            - a list
            ---
            plain text
            """
        guard case .invalidObjects(let problems)? = error(text) else {
            Issue.record("expected invalidObjects")
            return
        }
        #expect(problems == [
            "document 1 (line 1): metadata.name is missing",
            "document 2 (line 5): apiVersion is missing",
            "document 3 (line 8): kind is missing",
            "document 4 (line 11): metadata.name is missing; server-side apply needs a fixed name (generateName "
                + "cannot be applied)",
            "document 5, item 1 (line 15) is a string, not an object",
            "document 5, item 2 (line 15) is a string, not an object",
            "document 6 (line 18) is a string, not an object",
        ])
    }

    @Test func syntaxErrorsNameTheLineWithoutQuotingIt() {
        let text = header + "data:\n  password: [s3cr3t-value\n  other: x\n"
        guard case .syntax(let format, let line, _, let problem)? = error(text) else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(format == "YAML")
        #expect(line != nil && line! >= 6)
        let message = ManifestError.syntax(format: format, line: line, column: nil, problem: problem).description
        #expect(message.hasPrefix("invalid YAML at line"))
        #expect(!message.contains("s3cr3t-value"))
    }

    @Test func duplicateKeysAreRefused() {
        guard case .syntax(_, let line, _, let problem)? = error(header + "data:\n  a: 1\n  a: 2\n") else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(problem.contains("duplicate key a"))
        #expect(line == 6)
    }

    @Test func invalidJSONNamesLineAndColumn() {
        guard case .syntax(let format, let line, let column, _)? = error("{\n  \"apiVersion\": \"v1\",\n  \"kind\": ]\n}")
        else {
            Issue.record("expected a JSON syntax error")
            return
        }
        #expect(format == "JSON")
        #expect(line == 3)
        #expect(column == 11)
    }

    @Test func refusesWhatHasNoJSONForm() {
        guard case .unsupported(_, let infinity)? = error(header + "data: {x: .inf}\n") else {
            Issue.record("expected .inf to be refused")
            return
        }
        #expect(infinity.contains("no JSON form"))
        guard case .unsupported(_, let key)? = error(header + "data:\n  ? [a, b]\n  : c\n") else {
            Issue.record("expected a list key to be refused")
            return
        }
        #expect(key.contains("key"))
    }

    @Test func limitsSizeAndObjectCount() {
        let big = header + "data:\n  x: \"" + String(repeating: "a", count: ManifestParser.maxBytes) + "\"\n"
        #expect(error(big) == .tooLarge(bytes: big.utf8.count, limit: ManifestParser.maxBytes))
        let many = Array(repeating: header, count: ManifestParser.maxObjects + 1).joined(separator: "---\n")
        #expect(error(many) == .tooManyObjects(limit: ManifestParser.maxObjects))
        let exactly = Array(repeating: header, count: ManifestParser.maxObjects).joined(separator: "---\n")
        #expect((try? ManifestParser.parse(exactly))?.count == ManifestParser.maxObjects)
    }

    @Test func emptyInputSaysSo() {
        #expect(error("") == .empty)
        #expect(error("# nothing\n---\n---\n") == .empty)
        #expect(error("[]") == .empty)
    }

    @Test func deepNestingIsRefused() {
        let deep = header + "data: " + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "\n"
        guard case .unsupported(_, let problem)? = error(deep) else {
            Issue.record("expected the nesting to be refused")
            return
        }
        #expect(problem.contains("nesting"))
    }
}
