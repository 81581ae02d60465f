import Foundation
import Testing
@testable import Server

private func fixture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/kubernetes-api/\(name)", withExtension: nil))
    return Array(try Data(contentsOf: url))
}

@Suite struct DiscoveryAndMapperTests {
    static func aggregatedMapper() throws -> RESTMapper {
        let apis = try JSONParser.parse(try fixture("aggregated_v2.json"))
        let core = try JSONParser.parse(try fixture("api__v1.json"))
        #expect(DiscoveryDocument.isAggregated(apis))
        return RESTMapper(resources: DiscoveryDocument.parseResourceList(core, preferred: true)
                          + DiscoveryDocument.parseAggregated(apis))
    }

    @Test func resolvesKindPluralSingularAndShortNames() throws {
        let mapper = try Self.aggregatedMapper()
        for name in ["deploy", "deployment", "deployments", "Deployment", "deployments.apps", "deployment.v1.apps"] {
            let r = try #require(mapper.resolve(name), "\(name)")
            #expect(r.group == "apps" && r.version == "v1" && r.plural == "deployments" && r.namespaced)
        }
        #expect(mapper.resolve("po")?.kind == "Pod")
        #expect(mapper.resolve("svc")?.plural == "services")
        #expect(mapper.resolve("ns")?.namespaced == false)
        #expect(mapper.resolve("no-such-thing") == nil)
    }

    @Test func prefersTheCoreGroupForSharedNames() throws {
        // "events" is served by core/v1 and events.k8s.io/v1: kubectl picks core.
        let mapper = try Self.aggregatedMapper()
        #expect(mapper.resolve("events")?.group == "")
        #expect(mapper.resolve("events.events.k8s.io")?.group == "events.k8s.io")
    }

    @Test func resolvesManifestHeaders() throws {
        let mapper = try Self.aggregatedMapper()
        #expect(mapper.resolve(apiVersion: "apps/v1", kind: "StatefulSet")?.plural == "statefulsets")
        #expect(mapper.resolve(apiVersion: "v1", kind: "ConfigMap")?.path(namespace: "a", name: "b")
                == "/api/v1/namespaces/a/configmaps/b")
        #expect(mapper.resolve(apiVersion: "apps/v1", kind: "Nope") == nil)
        // Other spellings of the kind within the group resolve to the same resource.
        for kind in ["secrets", "secret", "SECRET"] {
            #expect(mapper.resolve(apiVersion: "v1", kind: kind)?.kind == "Secret")
        }
        #expect(mapper.resolve(apiVersion: "core/v1", kind: "Secret")?.plural == "secrets")
        #expect(mapper.resolve(apiVersion: "apps/v1", kind: "deploy")?.kind == "Deployment")
    }

    @Test func classicDiscoveryKeepsSubresources() throws {
        let list = try JSONParser.parse(try fixture("apis__apps__v1.json"))
        let resources = DiscoveryDocument.parseResourceList(list, preferred: true)
        let deployments = try #require(resources.first { $0.plural == "deployments" })
        #expect(deployments.subresources.contains("scale") && deployments.subresources.contains("status"))
        #expect(!resources.contains { $0.plural.contains("/") })
        let groups = DiscoveryDocument.groupVersions(try JSONParser.parse(try fixture("apis.json")))
        #expect(groups.contains { $0.groupVersion == "apps/v1" && $0.preferred })
    }

    @Test func clusterScopedPathsIgnoreTheNamespace() {
        #expect(APIResourceInfo.nodes.path(namespace: "x", name: "n1") == "/api/v1/nodes/n1")
        #expect(APIResourceInfo.pods.path(namespace: "a b", name: "p", subresource: "log")
                == "/api/v1/namespaces/a%20b/pods/p/log")
    }
}

@Suite struct WatchStateTests {
    @Test func followsResourceVersionsThroughEventsAndBookmarks() throws {
        let text = String(decoding: try fixture("watch-pods.jsonl"), as: UTF8.self)
        var state = WatchState(resourceVersion: "1")
        var kinds: [String] = []
        for line in text.split(separator: "\n") {
            switch state.handle(line: Array(line.utf8)) {
            case .emit(.added): kinds.append("ADDED")
            case .emit(.modified): kinds.append("MODIFIED")
            case .emit(.deleted): kinds.append("DELETED")
            case .emit(.bookmark(let rv)): kinds.append("BOOKMARK"); #expect(state.resourceVersion == rv)
            default: Issue.record("unexpected action for \(line)")
            }
        }
        #expect(kinds == ["ADDED", "MODIFIED", "DELETED", "BOOKMARK"])
        #expect(state.resourceVersion != "1")
    }

    @Test func asksForARelistOn410() throws {
        var state = WatchState(resourceVersion: "1000")
        let line = try fixture("watch-error-410.jsonl").split(separator: 0x0A).first.map(Array.init) ?? []
        #expect(state.handle(line: line) == .relist)
        #expect(state.resourceVersion == nil)
        state.relisted(resourceVersion: "1400")
        #expect(state.resourceVersion == "1400")
    }

    @Test func reportsOtherErrorsAndIgnoresGarbage() {
        var state = WatchState(resourceVersion: "5")
        let error = #"{"type":"ERROR","object":{"kind":"Status","code":500,"reason":"InternalError","message":"boom"}}"#
        guard case .failed(let status) = state.handle(line: Array(error.utf8)) else {
            Issue.record("expected failed")
            return
        }
        #expect(status.code == 500 && status.message == "boom")
        #expect(state.handle(line: Array("not json".utf8)) == .ignore)
        #expect(state.resourceVersion == "5")
    }

    @Test func splitsLinesAcrossChunks() throws {
        var splitter = LineSplitter(maxLineBytes: 64)
        #expect(try splitter.feed(Array("{\"a\":".utf8)) == [])
        #expect(try splitter.feed(Array("1}\n{\"b\":2}\n{\"c\"".utf8)) == [Array("{\"a\":1}".utf8), Array("{\"b\":2}".utf8)])
        #expect(try splitter.feed(Array(":3}\n".utf8)) == [Array("{\"c\":3}".utf8)])
        #expect(splitter.finish() == nil)
        #expect(throws: KubeError.self) { try splitter.feed([UInt8](repeating: 0x41, count: 100)) }
    }
}

@Suite struct KubeStatusAndRequestTests {
    @Test func keepsTheServersStatus() throws {
        let status = KubeStatus.parse(httpStatus: 422, body: try fixture("status-422-invalid.json"))
        #expect(status.code == 422 && status.reason == "Invalid")
        #expect(!status.causes.isEmpty)
        let text = KubeError.status(status).description
        #expect(text.contains("Invalid (422)"))
        for cause in status.causes { #expect(text.contains(cause.message)) }
        let notFound = KubeStatus.parse(httpStatus: 404, body: try fixture("status-404-notfound.json"))
        #expect(notFound.reason == "NotFound" && notFound.kind != nil)
    }

    @Test func buildsAStatusFromANonStatusBody() {
        let status = KubeStatus.parse(httpStatus: 503, body: Array("<html>proxy down</html>".utf8))
        #expect(status.code == 503 && status.reason == "ServiceUnavailable" && status.message.contains("proxy down"))
    }

    @Test func escapesQueryValues() {
        let r = KubeRequest(path: "/api/v1/pods", query: [("labelSelector", "app in (a,b),tier!=x"), ("limit", "5")])
        #expect(r.pathAndQuery == "/api/v1/pods?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Dx&limit=5")
        #expect(KubeRequest(method: "GET", path: "/x").isIdempotent && !KubeRequest(method: "POST", path: "/x").isIdempotent)
    }

    @Test func honoursRetryAfter() {
        let status = KubeStatus(code: 429, reason: "TooManyRequests", message: "", retryAfterSeconds: 7)
        #expect(KubeClient.retryAfter("2", status: status) == .seconds(2))
        #expect(KubeClient.retryAfter(nil, status: status) == .seconds(7))
        #expect(KubeClient.retryAfter("999", status: status) == .seconds(30))
        #expect(KubeClient.retryAfter(nil, status: KubeStatus(code: 503, reason: "", message: "")) == nil)
        #expect(KubeClient.backoff(1) >= .milliseconds(100) && KubeClient.backoff(1) <= .milliseconds(125))
        #expect(KubeClient.backoff(20) <= .milliseconds(6250))
    }

    @Test func splitsURLsForTLSServerName() throws {
        let parts = try #require(URLParts("https://10.0.0.1:6443/api/v1?x=1"))
        #expect(parts.host == "10.0.0.1" && parts.port == 6443 && parts.rest == "/api/v1?x=1")
        #expect(parts.replacingHost(with: "kubernetes") == "https://kubernetes:6443/api/v1?x=1")
        #expect(URLParts("https://[::1]/x")?.port == 443)
    }
}

@Suite struct RateLimiterTests {
    @Test func allowsABurstThenSpacesRequests() async {
        let limiter = RateLimiter(qps: 10, burst: 3)
        let start = ContinuousClock().now
        for _ in 0..<3 { #expect(await limiter.reserve(now: start) == .zero) }
        let fourth = await limiter.reserve(now: start)
        #expect(fourth >= .milliseconds(99) && fourth <= .milliseconds(101))
        let fifth = await limiter.reserve(now: start)
        #expect(fifth >= .milliseconds(199) && fifth <= .milliseconds(201))
        // One second later the bucket has refilled (up to the burst), minus what was borrowed.
        let later = await limiter.reserve(now: start.advanced(by: .seconds(1)))
        #expect(later == .zero)
    }
}
