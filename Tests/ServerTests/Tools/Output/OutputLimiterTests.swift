import Testing
@testable import Server

@Suite struct OutputLimiterTests {
    static let token = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTAyNDUsInN0YXJ0IjoibmdpbngtZGVwbG95bWVudC02N2Q0YmRkNmY1LXc2a2Q3XHUwMDAwIn0"

    /// A header and 100 rows of 12 bytes each.
    static let table = TableRenderer.Output(
        header: "NAME      AGE", rows: (0..<100).map { "pod-" + String(1000 + $0).dropFirst() + "   1d" })

    /// A PodList of `count` copies of the fixture pod with distinct names, with a member after `items`.
    static func podList(_ count: Int) throws -> JSONObject {
        let pod = try K8sFixture.load("pod.json")
        let items = (0..<count).map { K8sFixture.setting(pod, ["metadata", "name"], to: .string("pod-\($0)")) }
        var list = JSONObject()
        list["kind"] = "PodList"
        list["apiVersion"] = "v1"
        list["metadata"] = ["resourceVersion": "10245"]
        list["items"] = .array(items)
        list["trailer"] = "after-items"
        return list
    }

    // MARK: - Tables

    @Test func cutsTablesAtWholeRows() {
        let output = OutputLimiter(maxBytes: 1024).limit(table: Self.table, context: .init(resource: "pods"))
        // 14 bytes of header, 13 per row: 77 rows fit in 1,015 bytes, a 78th would need 1,028.
        #expect(output.shown == 77)
        #expect(output.available == 100)
        #expect(output.truncated)
        #expect(output.text.utf8.count == 14 + 77 * 13)
        #expect(output.text.hasPrefix("NAME      AGE\npod-000   1d\n"))
        #expect(output.text.hasSuffix("pod-076   1d\n"))
        #expect(output.note == "Showing 77 of 100 pods (1 KiB limit). Narrow the query with "
                + "labelSelector/fieldSelector, or page through the list with limit: 77 and continue.")
    }

    @Test func explainsWhatACutPageLeavesOutAndWhereTheNextPageStarts() {
        let context = OutputLimiter.Context(resource: "pods", continueToken: "abc", remainingItemCount: 900)
        let output = OutputLimiter(maxBytes: 1024).limit(table: Self.table, context: context)
        #expect(output.note == "Showing 77 of 1,000 pods (1 KiB limit); 23 more in this page were left out. "
                + "Narrow the query with labelSelector/fieldSelector, or request pages of limit: 77 to see them. "
                + "The next page, after the 23 left out, is at continue: abc")
    }

    @Test func pointsToTheNextPageWhenNothingWasCut() {
        let limiter = OutputLimiter()
        #expect(limiter.limit(table: Self.table, context: .init(resource: "pods")).note == nil)
        #expect(limiter.note(shown: 1, available: 1, context: .init(resource: "pods", continueToken: Self.token,
                                                                     remainingItemCount: 753))
                == "Showing 1 of 754 pods. Fetch the next page with continue: \(Self.token)")
        #expect(limiter.note(shown: 100, available: 100, context: .init(resource: "pods", continueToken: "abc"))
                == "Showing 100 pods; more are available. Fetch the next page with continue: abc")
        #expect(limiter.note(shown: 100, available: 100, context: .init(resource: "pods", total: 5_000,
                                                                         continueToken: "abc"))
                == "Showing 100 of 5,000 pods. Fetch the next page with continue: abc")
        #expect(limiter.note(shown: 3, available: 3, context: .init(continueToken: "")) == nil)
    }

    @Test func usesTheCallersTotalAndSaysWhenOneItemIsTooLarge() {
        let limiter = OutputLimiter(maxBytes: 20)
        let output = limiter.limit(table: Self.table, context: .init(resource: "pods", total: 5_000))
        #expect(output.shown == 0)
        #expect(output.text == "NAME      AGE\n")
        #expect(output.note == "Showing 0 of 5,000 pods (20 bytes limit): the first one alone is larger than the "
                + "limit. Get it by name, or narrow the query with labelSelector/fieldSelector.")
    }

    // MARK: - Lists

    @Test func writesWholeListsExactlyLikeTheWriters() throws {
        let list = try Self.podList(3)
        let limiter = OutputLimiter()
        let yaml = limiter.limit(list: list, encoding: .yaml, context: .init())
        #expect(yaml.text == YAMLWriter.string(.object(list)))
        #expect(!yaml.truncated)
        #expect(yaml.shown == 3)
        let json = limiter.limit(list: list, encoding: .json, context: .init())
        #expect(json.text == JSONWriter.string(.object(list)))
        #expect(json.note == nil)
        let empty = try Self.podList(0)
        #expect(limiter.limit(list: empty, encoding: .yaml, context: .init()).text == YAMLWriter.string(.object(empty)))
        #expect(limiter.limit(list: empty, encoding: .json, context: .init()).text == JSONWriter.string(.object(empty)))
    }

    @Test func cutsYAMLListsAtWholeItemsAndStaysValid() throws {
        let list = try Self.podList(50)
        let output = OutputLimiter(maxBytes: 16 * 1024).limit(list: list, encoding: .yaml,
                                                               context: .init(resource: "pods"))
        #expect(output.truncated)
        #expect(output.shown > 0 && output.shown < 50)
        #expect(output.text.utf8.count <= 16 * 1024)
        let parsed = try YAMLWriterTests.parse(output.text)
        #expect(parsed.objectValue?.keys == ["kind", "apiVersion", "metadata", "items", "trailer"])
        let items = try #require(parsed["items"]?.arrayValue)
        #expect(items.count == output.shown)
        #expect(items.last?["metadata"]?["name"] == .string("pod-\(output.shown - 1)"))
        #expect(YAMLWriterTests.identical(items[0], list["items"]?.arrayValue?[0] ?? nil))
        #expect(output.note?.hasPrefix("Showing \(output.shown) of 50 pods (16 KiB limit).") == true)
    }

    @Test func cutsJSONListsAtWholeItemsAndStaysValid() throws {
        let list = try Self.podList(50)
        let output = OutputLimiter(maxBytes: 16 * 1024).limit(list: list, encoding: .json,
                                                               context: .init(resource: "pods"))
        #expect(output.truncated)
        #expect(output.text.utf8.count <= 16 * 1024)
        let parsed = try JSONParser.parse(output.text)
        #expect(parsed.objectValue?.keys == ["kind", "apiVersion", "metadata", "items", "trailer"])
        #expect(parsed["items"]?.arrayValue?.count == output.shown)
        #expect(parsed["trailer"] == "after-items")
    }

    @Test func keepsTheEnvelopeWhenNoItemFits() throws {
        let list = try Self.podList(2)
        let yaml = OutputLimiter(maxBytes: 200).limit(list: list, encoding: .yaml, context: .init(resource: "pods"))
        #expect(yaml.text == "kind: PodList\napiVersion: v1\nmetadata:\n  resourceVersion: \"10245\"\nitems: []\n"
                + "trailer: after-items\n")
        #expect(yaml.shown == 0)
        let json = OutputLimiter(maxBytes: 200).limit(list: list, encoding: .json, context: .init(resource: "pods"))
        #expect(json.text == #"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"10245"},"items":[],"#
                + #""trailer":"after-items"}"#)
    }

    // MARK: - Text

    @Test func cutsTextAtLineBreaks() {
        let text = (1...100).map { "line \($0)" }.joined(separator: "\n")
        let output = OutputLimiter(maxBytes: 50).limit(text: text)
        #expect(output.text == "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n")
        #expect(output.shown == 7)
        #expect(output.available == 100)
        #expect(output.note == "Showing the first 7 of 100 lines (50 bytes limit).")
        let short = OutputLimiter(maxBytes: 50).limit(text: "a\nb\n")
        #expect(short == OutputLimiter.Output(text: "a\nb\n", shown: 2, available: 2, truncated: false, note: nil))
    }

    @Test func cutsALongLineAtACharacterBoundary() {
        let text = String(repeating: "é", count: 100)
        let output = OutputLimiter(maxBytes: 51).limit(text: text)
        #expect(output.text == String(repeating: "é", count: 25))
        #expect(output.truncated)
        #expect(output.note == "Showing the first 50 of 200 bytes (51 bytes limit); the text stops in the middle "
                + "of a line.")
    }

    @Test func formatsCountsAndSizes() {
        #expect(OutputLimiter.grouped(0) == "0")
        #expect(OutputLimiter.grouped(999) == "999")
        #expect(OutputLimiter.grouped(5_000) == "5,000")
        #expect(OutputLimiter.grouped(1_234_567) == "1,234,567")
        #expect(OutputLimiter.grouped(-12_345) == "-12,345")
        #expect(OutputLimiter.byteSize(65_536) == "64 KiB")
        #expect(OutputLimiter.byteSize(1 << 20) == "1 MiB")
        #expect(OutputLimiter.byteSize(1_000) == "1,000 bytes")
        #expect(OutputLimiter.defaultMaxBytes == 65_536)
    }
}
