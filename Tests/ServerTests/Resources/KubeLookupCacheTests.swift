import Synchronization
import Testing
@testable import Server

@Suite struct KubeLookupCacheTests {
    @Test func reusesValuesAndFailuresWithinTheTTL() async throws {
        let cache = KubeLookupCache(ttl: .seconds(60))
        let calls = Atomic<Int>(0)
        for _ in 0..<3 {
            let values = try await cache.values("ns") { () async throws(KubeError) -> [String] in
                calls.add(1, ordering: .relaxed)
                return ["a", "b"]
            }
            #expect(values == ["a", "b"])
        }
        #expect(calls.load(ordering: .relaxed) == 1)
        for _ in 0..<2 {
            await #expect(throws: KubeError.transport("down")) {
                try await cache.values("broken") { () async throws(KubeError) -> [String] in
                    calls.add(1, ordering: .relaxed)
                    throw .transport("down")
                }
            }
        }
        #expect(calls.load(ordering: .relaxed) == 2)
    }

    @Test func fetchesAgainAfterTheTTL() async throws {
        let cache = KubeLookupCache(ttl: .milliseconds(1))
        let calls = Atomic<Int>(0)
        for _ in 0..<2 {
            _ = try await cache.values("k") { () async throws(KubeError) -> [String] in
                calls.add(1, ordering: .relaxed)
                return []
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(calls.load(ordering: .relaxed) == 2)
    }

    @Test func matchingFiltersSortsAndDeduplicates() {
        #expect(KubeNames.matching(["web-2", "api", "web-1", "web-1"], prefix: "web") == ["web-1", "web-2"])
        #expect(KubeNames.matching(["a"], prefix: "") == ["a"])
    }
}
