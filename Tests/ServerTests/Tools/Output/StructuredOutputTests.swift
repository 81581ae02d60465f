import Foundation
import Testing
@testable import Server

@Suite struct StructuredOutputTests {
    static let now = K8sFixture.podCreated.addingTimeInterval(600)
    static let output = StructuredOutput(maxBytes: 64 * 1024, now: now)

    @Test func tableRowsUseTheColumnsAsCamelCaseKeys() throws {
        let table = try K8sFixture.load("table-pods.json")
        let list = Self.output.list(table, resource: .pods, namespace: "default", shown: 10)
        #expect(list["kind"] == "Pod" && list["apiVersion"] == "v1" && list["resource"] == "pods")
        #expect(list["namespace"] == "default")
        let row = try #require(list["items"]?.arrayValue?.first)
        #expect(row["name"] == "nginx-deployment-67d4bdd6f5-w6kd7")
        #expect(row["namespace"] == "default")
        #expect(row["ready"] != nil && row["status"] != nil && row["restarts"] != nil)
        #expect(row["nominatedNode"] != nil || row["node"] != nil)
        #expect(list["count"] == 1 && list["truncated"] == false)
    }

    @Test func plainListRowsCarryPagingAndPodColumns() throws {
        let page = try K8sFixture.load("list-pods-paginated.json")
        let list = Self.output.list(page, resource: .pods, namespace: nil, shown: 100)
        #expect(list["namespace"] == nil)
        #expect(list["continue"]?.stringValue?.hasPrefix("eyJ2Ijoi") == true)
        #expect(list["remainingItemCount"] == 753)
        let row = try #require(list["items"]?.arrayValue?.first)
        #expect(row["status"] == "Running" && row["ready"] == "1/1" && row["age"] == "10m")
    }

    @Test func rowsStopWhereTheTextStops() throws {
        let page = try K8sFixture.load("list-pods-paginated.json")
        let available = page["items"]?.arrayValue?.count ?? 0
        let list = Self.output.list(page, resource: .pods, namespace: nil, shown: 0)
        #expect(list["items"] == [] && list["count"] == 0)
        #expect(list["truncated"] == .bool(available > 0))
        let tiny = StructuredOutput(maxBytes: 10, now: Self.now).list(page, resource: .pods, namespace: nil, shown: 100)
        #expect(tiny["items"] == [] && tiny["truncated"] == true)
    }

    @Test func camelCase() {
        #expect(StructuredOutput.camelCase("Nominated Node", index: 0) == "nominatedNode")
        #expect(StructuredOutput.camelCase("CPU(cores)", index: 0) == "cpuCores")
        #expect(StructuredOutput.camelCase("IP", index: 0) == "ip")
        #expect(StructuredOutput.camelCase("", index: 3) == "column3")
    }

    @Test func largeObjectsKeepTheirIdentityAndNameWhatWasLeftOut() throws {
        let pod = try K8sFixture.load("pod.json")
        let whole = Self.output.object(pod)
        #expect(whole["truncated"] == false && whole["object"] == pod)
        let small = StructuredOutput(maxBytes: 700, now: Self.now).object(pod)
        #expect(small["truncated"] == true)
        #expect(small["object"]?["kind"] == "Pod" && small["object"]?["metadata"]?["name"] != nil)
        let omitted = small["omittedFields"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(omitted.contains("spec") || omitted.contains("status"))
        #expect(JSONWriter.encode(small).count < 1200)
    }

    @Test func getToolStructuredContentIsRedactedLikeTheText() throws {
        let secret = try K8sFixture.load("secret.json")
        let result = KubeToolOutput.object(secret, settings: OutputSettings())
        let structured = try #require(result.structuredContent)
        #expect(structured["object"]?["data"] == ["password": "REDACTED", "username": "REDACTED"])
        #expect(structured["object"]?["metadata"]?["managedFields"] == nil)
        KubeRedactionTests.expectNoSecretValues(in: JSONWriter.string(structured))
        let text = result.content.map { if case .text(let t) = $0 { return t } else { return "" } }.joined()
        KubeRedactionTests.expectNoSecretValues(in: text)
        #expect(text.contains("3 values redacted"))

        let shown = KubeToolOutput.object(secret, settings: OutputSettings(showSecrets: true))
        #expect(shown.structuredContent?["object"]?["data"]?["username"] == "YWRtaW4=")
    }

    @Test func listToolStructuredContentNeverCarriesSecretValues() throws {
        for format in ["table", "yaml", "json"] {
            for fixture in ["list-secrets.json", "table-secrets-object.json"] {
                let result = KubeToolOutput.list(try K8sFixture.load(fixture),
                                                 resource: APIResourceInfo(group: "", version: "v1", kind: "Secret",
                                                                           plural: "secrets", singular: "secret",
                                                                           namespaced: true),
                                                 namespace: nil, settings: OutputSettings(listFormat: format))
                let structured = JSONWriter.string(result.structuredContent ?? .null)
                KubeRedactionTests.expectNoSecretValues(in: structured)
                #expect(structured.contains("db-user-pass"))
            }
        }
    }
}
