import Testing
@testable import Server

@Suite struct ResourceSubscriptionTableTests {
    @Test func subscriptionLifecycle() {
        var table = ResourceSubscriptionTable(limit: 10)
        guard case .start(let g) = table.subscribe(uri: "k8s://c/ns/pods/a") else {
            Issue.record("expected start")
            return
        }
        #expect(table.entries["k8s://c/ns/pods/a"]?.phase == .starting)
        #expect(!table.shouldNotify(uri: "k8s://c/ns/pods/a", generation: g))
        let r1 = table.subscribe(uri: "k8s://c/ns/pods/a")
        #expect(r1 == .alreadySubscribed)
        let r2 = table.started(uri: "k8s://c/ns/pods/a", generation: g)
        #expect(r2)
        #expect(table.shouldNotify(uri: "k8s://c/ns/pods/a", generation: g))
        let r3 = table.started(uri: "k8s://c/ns/pods/a", generation: g)  // only once
        #expect(!r3)
        let r4 = table.unsubscribe(uri: "k8s://c/ns/pods/a")
        #expect(r4 == g)
        let r5 = table.unsubscribe(uri: "k8s://c/ns/pods/a")
        #expect(r5 == nil)
        #expect(!table.shouldNotify(uri: "k8s://c/ns/pods/a", generation: g))
        #expect(table.count == 0)
    }

    @Test func lateEventsOfAnOldGenerationAreStale() {
        var table = ResourceSubscriptionTable(limit: 10)
        guard case .start(let first) = table.subscribe(uri: "u") else { return }
        _ = table.unsubscribe(uri: "u")  // unsubscribed while starting
        guard case .start(let second) = table.subscribe(uri: "u") else { return }
        #expect(second != first)
        let r6 = table.started(uri: "u", generation: first)  // the first watch must be stopped
        #expect(!r6)
        table.failed(uri: "u", generation: first)  // and its failure does not remove the second
        #expect(table.entries["u"]?.generation == second)
        let r7 = table.started(uri: "u", generation: second)
        #expect(r7)
        let r8 = table.watchEnded(uri: "u", generation: first)
        #expect(!r8)
        let r9 = table.watchEnded(uri: "u", generation: second)
        #expect(r9)
        #expect(table.count == 0)
    }

    @Test func failedStartRemovesTheSubscription() {
        var table = ResourceSubscriptionTable(limit: 10)
        guard case .start(let g) = table.subscribe(uri: "u") else { return }
        table.failed(uri: "u", generation: g)
        #expect(table.count == 0)
        guard case .start = table.subscribe(uri: "u") else {
            Issue.record("a failed subscription can be retried")
            return
        }
    }

    @Test func limitRefusesWithAClearError() {
        var table = ResourceSubscriptionTable(limit: 2)
        _ = table.subscribe(uri: "a")
        _ = table.subscribe(uri: "b")
        guard case .refuse(let error) = table.subscribe(uri: "c") else {
            Issue.record("expected a refusal")
            return
        }
        #expect(error.code == JSONRPCError.invalidRequestCode)
        #expect(error.message.contains("limit is 2"))
        let r10 = table.subscribe(uri: "a")
        #expect(r10 == .alreadySubscribed)
        _ = table.unsubscribe(uri: "a")
        guard case .start = table.subscribe(uri: "c") else {
            Issue.record("room again after unsubscribe")
            return
        }
    }

    @Test func closeStopsEverythingAndRefusesMore() {
        var table = ResourceSubscriptionTable(limit: 10)
        guard case .start(let a) = table.subscribe(uri: "a"), case .start(let b) = table.subscribe(uri: "b") else { return }
        _ = table.started(uri: "a", generation: a)
        let r11 = table.close()
        #expect(Set(r11) == [a, b])
        #expect(table.count == 0 && table.closed)
        let r12 = table.started(uri: "b", generation: b)
        #expect(!r12)
        guard case .refuse = table.subscribe(uri: "c") else {
            Issue.record("closed tables refuse")
            return
        }
    }
}
