import Foundation
import Testing
@testable import Server

@Suite struct TopToolsTests {
    static func node(_ name: String, cpu: String, memory: String) -> JSONValue {
        ["metadata": ["name": .string(name)], "status": ["allocatable": ["cpu": .string(cpu), "memory": .string(memory)]]]
    }

    static func nodeMetrics(_ name: String, cpu: String, memory: String) -> JSONValue {
        ["metadata": ["name": .string(name)], "timestamp": "2026-01-01T00:00:00Z", "window": "20s",
         "usage": ["cpu": .string(cpu), "memory": .string(memory)]]
    }

    static func podMetrics(_ namespace: String, _ name: String, _ containers: [(String, String, String)]) -> JSONValue {
        ["metadata": ["name": .string(name), "namespace": .string(namespace)],
         "containers": .array(containers.map { ["name": .string($0.0), "usage": ["cpu": .string($0.1), "memory": .string($0.2)]] })]
    }

    static func text(_ result: ToolResult) -> String {
        result.content.map { if case .text(let t) = $0 { return t } else { return "" } }.joined(separator: "\n")
    }

    @Test func nodeRowsHavePercentagesOfAllocatable() {
        let rows = NodesTopTool.rows(
            metrics: [Self.nodeMetrics("node-1", cpu: "380000000n", memory: "1587079Ki"),
                      Self.nodeMetrics("node-2", cpu: "100m", memory: "1Gi")],
            nodes: [Self.node("node-1", cpu: "3800m", memory: "15870790Ki")])
        #expect(rows[0].cpuMillicores == 380 && rows[0].cpuPercent == 10)
        #expect(rows[0].memoryPercent == 10)
        #expect(rows[1].cpuPercent == nil && rows[1].memoryPercent == nil)
        let result = NodesTopTool.render(rows, maxBytes: 64 * 1024)
        let lines = Self.text(result).split(separator: "\n").map(String.init)
        #expect(lines[0] == "NAME     CPU(cores)   CPU(%)      MEMORY(bytes)   MEMORY(%)")
        #expect(lines[1].split(separator: " ", omittingEmptySubsequences: true) == ["node-1", "380m", "10%", "1549Mi", "10%"])
        #expect(lines[2].contains("<unknown>"))
        let structured = result.structuredContent
        #expect(structured?["count"] == 2)
        #expect(structured?["nodes"]?.arrayValue?[0]["cpuPercent"] == 10)
        #expect(structured?["nodes"]?.arrayValue?[1]["cpuPercent"] == nil)
    }

    @Test func sortsByCPUOrMemoryHighestFirst() {
        let rows = NodesTopTool.rows(
            metrics: [Self.nodeMetrics("a", cpu: "1", memory: "1Mi"), Self.nodeMetrics("b", cpu: "2", memory: "3Mi"),
                      Self.nodeMetrics("c", cpu: "2", memory: "2Mi")], nodes: [])
        #expect(TopRows.sorted(rows, by: "cpu", cpu: \.cpuMillicores, memory: \.memoryBytes, name: \.name).map(\.name)
                == ["b", "c", "a"])
        #expect(TopRows.sorted(rows, by: "memory", cpu: \.cpuMillicores, memory: \.memoryBytes, name: \.name).map(\.name)
                == ["b", "c", "a"])
        #expect(TopRows.sorted(rows.reversed(), by: nil, cpu: \.cpuMillicores, memory: \.memoryBytes, name: \.name)
                .map(\.name) == ["a", "b", "c"])
    }

    @Test func podRowsSumContainersAndListContainersOnRequest() {
        let rows = PodsTopTool.rows([Self.podMetrics("shop", "web-1", [("nginx", "10m", "10Mi"), ("sidecar", "5m", "6Mi")])])
        #expect(rows[0].cpuMillicores == 15 && rows[0].memoryBytes == 16 * 1024 * 1024)
        let perPod = PodsTopTool.render(rows, namespace: "shop", containers: false, maxBytes: 64 * 1024)
        #expect(Self.text(perPod).hasPrefix("NAME    CPU(cores)   MEMORY(bytes)\nweb-1   15m          16Mi\n"))
        #expect(perPod.structuredContent?["total"]?["cpuMillicores"] == 15)
        #expect(perPod.structuredContent?["pods"]?.arrayValue?[0]["containers"] == nil)
        let perContainer = PodsTopTool.render(rows, namespace: nil, containers: true, maxBytes: 64 * 1024)
        let lines = Self.text(perContainer).split(separator: "\n")
        #expect(lines[0].split(separator: " ") == ["NAMESPACE", "POD", "NAME", "CPU(cores)", "MEMORY(bytes)"])
        #expect(lines[1].split(separator: " ") == ["shop", "web-1", "nginx", "10m", "10Mi"])
        #expect(lines[2].split(separator: " ") == ["shop", "web-1", "sidecar", "5m", "6Mi"])
        #expect(perContainer.structuredContent?["pods"]?.arrayValue?[0]["containers"]?.arrayValue?.count == 2)
    }

    @Test func structuredRowsAreCutWithTheTable() {
        let rows = PodsTopTool.rows((0..<200).map { Self.podMetrics("ns", "pod-\($0)", [("c", "1m", "1Mi")]) })
        let result = PodsTopTool.render(rows, namespace: "ns", containers: false, maxBytes: 1024)
        let shownLines = Self.text(result).split(separator: "\n").filter { $0.hasPrefix("pod-") }.count
        #expect(result.structuredContent?["truncated"] == true)
        #expect(result.structuredContent?["count"]?.intValue == shownLines)
        #expect(result.structuredContent?["pods"]?.arrayValue?.count == shownLines)
        #expect(result.structuredContent?["total"]?["cpuMillicores"] == 200)
    }

    @Test func emptyResultsSaySo() {
        #expect(Self.text(PodsTopTool.render([], namespace: "x", containers: false, maxBytes: 1024))
                .hasPrefix("No pod metrics found in namespace x"))
        #expect(Self.text(NodesTopTool.render([], maxBytes: 1024)).hasPrefix("No node metrics found."))
    }

    @Test func explainsAMissingOrBrokenMetricsServer() {
        let unavailable = KubeError.status(KubeStatus(code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request", kind: nil, name: nil, group: nil, causes: []))
        let failure = MetricsAPI.explain(unavailable, resource: MetricsAPI.podMetrics, name: nil, namespace: "shop")
        #expect(failure.message.hasPrefix("metrics-server is not installed: "))
        let missingPod = KubeError.status(KubeStatus(code: 404, reason: "NotFound", message: "podmetrics.metrics.k8s.io \"x\" not found", kind: "pods", name: "x", group: "metrics.k8s.io", causes: []))
        let noMetrics = MetricsAPI.explain(missingPod, resource: MetricsAPI.podMetrics, name: "x", namespace: "shop")
        #expect(noMetrics.message.hasPrefix("No metrics for pod x in namespace shop"))
        let forbidden = KubeError.status(KubeStatus(code: 403, reason: "Forbidden", message: "no", kind: nil, name: nil, group: nil, causes: []))
        #expect(MetricsAPI.explain(forbidden, resource: MetricsAPI.nodeMetrics, name: nil, namespace: nil).message
                .hasPrefix("Reading metrics failed: Forbidden (403)"))
    }

    /// A discovery source without metrics.k8s.io.
    struct DiscoveryWithoutMetrics: KubeAPI {
        func send(_ request: KubeRequest) async throws(KubeError) -> KubeResponse {
            let body: String
            switch request.path {
            case "/api": body = #"{"kind":"APIVersions","versions":["v1"]}"#
            case "/apis": body = #"{"kind":"APIGroupList","apiVersion":"v1","groups":[]}"#
            case "/api/v1":
                body = #"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["get","list"]}]}"#
            default: throw .status(KubeStatus(code: 404, reason: "NotFound", message: "not found", kind: nil, name: nil, group: nil, causes: []))
            }
            return KubeResponse(status: 200, headers: [], body: Array(body.utf8))
        }

        func stream(_ request: KubeRequest) -> AsyncThrowingStream<[UInt8], Error> {
            AsyncThrowingStream { $0.finish() }
        }
    }

    @Test func saysMetricsServerIsNotInstalledWhenDiscoveryLacksTheGroup() async {
        let discovery = DiscoveryCache(api: DiscoveryWithoutMetrics(), minimumRefreshInterval: .zero)
        do {
            try await MetricsAPI.requireServed(discovery, kind: "PodMetrics")
            Issue.record("expected a failure")
        } catch {
            #expect(error.message.hasPrefix("metrics-server is not installed: the API server does not serve metrics.k8s.io/v1beta1"))
        }
    }
}
