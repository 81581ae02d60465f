import Testing
@testable import Server

/// `PendingClientRequests`: ids, routing of responses, the capacity.
@Suite struct PendingClientRequestsTests {
    @Test func routesResponsesByIDOnce() {
        var table = PendingClientRequests<String>()
        let a = table.nextID()
        let b = table.nextID()
        #expect(a == .string("kube-mcp-1") && b == .string("kube-mcp-2"))
        let inserted = [table.insert("first", for: a), table.insert("second", for: b), table.insert("again", for: a)]
        #expect(inserted == [true, true, false])
        #expect(table.remove(b) == "second")
        #expect(table.remove(b) == nil)
        // Ids a client might use for its own requests, or never issued, find nothing.
        #expect(table.remove(.int(1)) == nil)
        #expect(table.remove(.string("kube-mcp-99")) == nil)
        #expect(table.count == 1)
        #expect(table.removeAll() == ["first"])
        #expect(table.count == 0)
    }

    @Test func refusesBeyondCapacity() {
        var table = PendingClientRequests<Int>()
        for i in 0..<PendingClientRequests<Int>.capacity {
            let id = table.nextID()
            let inserted = table.insert(i, for: id)
            #expect(inserted)
        }
        #expect(table.isFull)
        let extra = table.nextID()
        let inserted = table.insert(-1, for: extra)
        #expect(!inserted)
    }

    @Test func parsesResponsesWithResultOrError() throws {
        let ok = try JSONRPCMessage(["jsonrpc": "2.0", "id": "kube-mcp-3", "result": ["action": "accept"]])
        guard case .response(let id, .success(let result)) = ok else { Issue.record("not a result"); return }
        #expect(id == .string("kube-mcp-3"))
        #expect(result["action"] == "accept")
        let failed = try JSONRPCMessage(["jsonrpc": "2.0", "id": "kube-mcp-4",
                                         "error": ["code": -32600, "message": "Elicitation not supported"]])
        guard case .response(_, .failure(let error)) = failed else { Issue.record("not an error"); return }
        #expect(error.code == -32600 && error.message == "Elicitation not supported")
    }
}
