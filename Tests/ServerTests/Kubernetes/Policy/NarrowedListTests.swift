import Testing
@testable import Server

@Suite struct NarrowedListTests {
    private func pod(_ ns: String, _ name: String) -> JSONValue {
        ["metadata": ["name": .string(name), "namespace": .string(ns)]]
    }

    @Test func mergesPlainListsAndDropsTheResourceVersion() {
        let a: JSONValue = ["kind": "PodList", "apiVersion": "v1", "metadata": ["resourceVersion": "5"],
                            "items": [pod("a", "1"), pod("a", "2")]]
        let b: JSONValue = ["kind": "PodList", "apiVersion": "v1", "metadata": ["resourceVersion": "6", "continue": "x"],
                            "items": [pod("b", "3")]]
        let merged = NarrowedList.merge([a, b], continueToken: nil)
        #expect(merged["kind"] == "PodList")
        #expect(merged["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["1", "2", "3"])
        #expect(merged["metadata"] == .object(JSONObject()))
        #expect(NarrowedList.merge([a, b], continueToken: "t")["metadata"]?["continue"] == "t")
    }

    @Test func mergesTablesKeepingTheColumnDefinitions() {
        let columns: JSONValue = [["name": "Name", "type": "string"]]
        let a: JSONValue = ["kind": "Table", "columnDefinitions": columns, "rows": [["cells": ["p1"]]]]
        let b: JSONValue = ["kind": "Table", "columnDefinitions": columns, "rows": [["cells": ["p2"]], ["cells": ["p3"]]]]
        let merged = NarrowedList.merge([a, b], continueToken: nil)
        #expect(merged["columnDefinitions"] == columns)
        #expect(merged["rows"]?.arrayValue?.count == 3)
        #expect(merged["items"] == nil)
        #expect(NarrowedList.count(merged) == 3)
    }

    @Test func filtersNamespaceListsAndTables() {
        let list: JSONValue = ["kind": "NamespaceList", "metadata": ["remainingItemCount": 4, "resourceVersion": "9"],
                               "items": [pod("", "default"), pod("", "shop"), pod("", "kube-system")]]
        let kept = NarrowedList.keepNamespaces(["shop"], in: list)
        #expect(kept["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["shop"])
        #expect(kept["metadata"]?["remainingItemCount"] == nil)
        #expect(kept["metadata"]?["resourceVersion"] == "9")
        let table: JSONValue = ["kind": "Table", "columnDefinitions": [],
                                "rows": [["cells": ["default"], "object": ["metadata": ["name": "default"]]],
                                         ["cells": ["shop"], "object": ["metadata": ["name": "shop"]]],
                                         ["cells": ["monitoring"]]]]
        let keptRows = NarrowedList.keepNamespaces(["shop", "monitoring"], in: table)["rows"]?.arrayValue ?? []
        #expect(keptRows.compactMap { $0["cells"]?.arrayValue?.first?.stringValue } == ["shop", "monitoring"])
    }

    @Test func continueTokensRoundTripAndRejectForeignTokens() {
        let cursor = NarrowedList.Cursor(namespace: "shop", innerToken: "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==+/")
        #expect(NarrowedList.Cursor(token: cursor.token) == cursor)
        #expect(NarrowedList.Cursor(token: NarrowedList.Cursor(namespace: "a").token) == NarrowedList.Cursor(namespace: "a"))
        #expect(!cursor.token.contains("="))
        #expect(NarrowedList.Cursor(token: "eyJydiI6MTJ9") == nil)
        #expect(NarrowedList.Cursor(token: "kube-mcp-narrowed.!!!") == nil)
        #expect(NarrowedList.Cursor(token: "kube-mcp-narrowed.e30") == nil)  // {} without "ns"
    }
}
