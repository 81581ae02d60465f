import Foundation
import Testing
@testable import Server

@Suite struct ResultFormatterTests {
    static let now = K8sFixture.podCreated.addingTimeInterval(13)

    static func formatter(_ format: ListFormat, maxBytes: Int = OutputLimiter.defaultMaxBytes,
                          showSecrets: Bool = false) -> ResultFormatter {
        ResultFormatter(format: format, maxBytes: maxBytes, redaction: KubeRedaction(showSecrets: showSecrets),
                        now: now)
    }

    @Test func parsesTheListOutputSetting() {
        #expect(ListFormat(rawValue: "table") == .table)
        #expect(ListFormat(rawValue: "yaml") == .yaml)
        #expect(ListFormat(rawValue: "json") == .json)
        #expect(ListFormat(rawValue: "wide") == nil)
        #expect(ListFormat.allCases.map(\.rawValue) == ["table", "yaml", "json"])
    }

    @Test func rendersAServerTable() throws {
        let result = Self.formatter(.table).render(try K8sFixture.load("table-pods.json"), resource: "pods")
        #expect(result.text == """
            NAME                                READY   STATUS    RESTARTS   AGE
            nginx-deployment-67d4bdd6f5-w6kd7   1/1     Running   0          13s

            """)
        #expect(result.summary == ["kind": "Table", "count": 1, "truncated": false])
        #expect(JSONWriter.string(result.summary) == #"{"kind":"Table","count":1,"truncated":false}"#)
        #expect(result.notes.isEmpty)
    }

    @Test func reportsTheAPIsContinueTokenAndRemainingCount() throws {
        let list = try K8sFixture.load("list-pods-paginated.json")
        let token = try #require(list["metadata"]?["continue"]?.stringValue)
        for format in ListFormat.allCases {
            let result = Self.formatter(format).render(list)
            #expect(JSONWriter.string(result.summary)
                    == #"{"kind":"PodList","count":1,"continue":"\#(token)","remainingItemCount":753,"truncated":false}"#)
            #expect(result.notes == ["Showing 1 of 754 pods. Fetch the next page with continue: \(token)"])
            #expect(result.text.hasSuffix("\n\nShowing 1 of 754 pods. Fetch the next page with continue: \(token)\n"))
        }
    }

    @Test func writesListsAsYAMLWithTheirEnvelope() throws {
        let result = Self.formatter(.yaml).render(try K8sFixture.load("list-pods-paginated.json"))
        #expect(result.body.hasPrefix("""
            kind: PodList
            apiVersion: v1
            metadata:
              resourceVersion: "10245"
              continue: eyJ2Ijoi
            """))
        #expect(result.body.contains("\nitems:\n- metadata:\n    name: nginx-deployment-67d4bdd6f5-w6kd7\n"))
        let parsed = try YAMLWriterTests.parse(result.body)
        #expect(parsed["items"]?.arrayValue?.count == 1)
    }

    @Test func writesListsAsCompactJSON() throws {
        let list = try K8sFixture.load("list-pods-paginated.json")
        let result = Self.formatter(.json).render(list)
        #expect(result.body == JSONWriter.string(list) + "\n")
        #expect(try JSONParser.parse(result.body) == list)
    }

    @Test func writesSingleObjectsWhole() throws {
        let pod = try K8sFixture.load("pod.json")
        let yaml = Self.formatter(.yaml).render(pod)
        #expect(yaml.body == YAMLWriter.string(pod))
        #expect(JSONWriter.string(yaml.summary) == #"{"kind":"Pod","count":1,"truncated":false}"#)
        let json = Self.formatter(.json).render(pod)
        #expect(json.body == JSONWriter.string(pod) + "\n")
        let table = Self.formatter(.table).render(pod)
        #expect(table.body == """
            NAME                                READY   STATUS    RESTARTS   AGE
            nginx-deployment-67d4bdd6f5-w6kd7   1/1     Running   0          13s

            """)
    }

    @Test func stripsManagedFieldsInEveryFormat() throws {
        let node = try K8sFixture.load("node.k8s-testdata.json")
        for format in ListFormat.allCases {
            let result = Self.formatter(format).render(node)
            #expect(!result.body.contains("managedFields"))
            #expect(!result.body.contains("managerValue"))
            #expect(result.redaction.managedFieldsRemoved == 1)
            #expect(result.notes.isEmpty)
        }
    }

    @Test(arguments: ListFormat.allCases, ["secret.json", "list-secrets.json", "table-secrets-object.json"])
    func redactsSecretsInEveryPath(_ format: ListFormat, _ fixture: String) throws {
        let result = Self.formatter(format).render(try K8sFixture.load(fixture), resource: "secrets")
        KubeRedactionTests.expectNoSecretValues(in: result.text)
        #expect(result.redaction.secretValues > 0)
        #expect(result.redaction.lastAppliedAnnotations == 1)
        #expect(result.notes.contains { $0.contains("values redacted") })
        if format != .table {
            #expect(result.body.contains("REDACTED"))
            #expect(!result.body.contains("managedFields"))
            #expect(result.body.contains("password"))
        }
    }

    @Test func rendersSecretTablesWithoutValues() throws {
        let result = Self.formatter(.table).render(try K8sFixture.load("table-secrets-object.json"),
                                                   resource: "secrets")
        #expect(result.text == """
            NAMESPACE     NAME           TYPE                DATA   AGE
            default       db-user-pass   Opaque              2      4h18m
            kube-system   ingress-tls    kubernetes.io/tls   2      4h

            5 values redacted (4 Secret values in 2 Secrets and 1 kubectl.kubernetes.io/last-applied-configuration annotation).

            """)
    }

    @Test func showSecretsRevealsSecretValuesOnly() throws {
        let result = Self.formatter(.yaml, showSecrets: true).render(try K8sFixture.load("secret.json"))
        #expect(result.body.contains("  password: UyFCXCpkJHpEc2I9\n"))
        #expect(result.body.contains("kubectl.kubernetes.io/last-applied-configuration: REDACTED\n"))
        #expect(!result.body.contains("managedFields"))
        #expect(result.notes == ["1 value redacted (1 kubectl.kubernetes.io/last-applied-configuration annotation)."])
    }

    @Test func saysSoWhenThereIsNothingToList() throws {
        let list: JSONValue = ["kind": "PodList", "apiVersion": "v1", "metadata": ["resourceVersion": "1"], "items": []]
        let result = Self.formatter(.table).render(list)
        #expect(result.text == "No resources found.\n")
        #expect(JSONWriter.string(result.summary) == #"{"kind":"PodList","count":0,"truncated":false}"#)
        let table = K8sFixture.setting(try K8sFixture.load("table-pods.json"), ["rows"], to: [])
        #expect(Self.formatter(.table).render(table).text == "No resources found.\n")
        #expect(Self.formatter(.yaml).render(list).body.contains("items: []\n"))
    }

    @Test func capsLargeListsAndSaysWhatWasCut() throws {
        let pod = try K8sFixture.load("pod.json")
        let items = (0..<300).map { K8sFixture.setting(pod, ["metadata", "name"], to: .string("pod-\($0)")) }
        let list: JSONValue = ["kind": "PodList", "apiVersion": "v1", "metadata": ["resourceVersion": "1"],
                               "items": .array(items)]
        for format in ListFormat.allCases {
            // Table rows are 43 bytes here, items some 3,500.
            let kib = format == .table ? 4 : 16
            let result = Self.formatter(format, maxBytes: kib * 1024).render(list)
            #expect(result.truncated)
            #expect(result.count > 0 && result.count < 300)
            #expect(result.body.utf8.count <= kib * 1024 + 1)
            #expect(result.summary["truncated"] == true)
            #expect(result.summary["count"] == .int(result.count))
            #expect(result.notes.first?.hasPrefix("Showing \(result.count) of 300 pods (\(kib) KiB limit).") == true)
        }
        let table = Self.formatter(.table, maxBytes: 4 * 1024).render(list)
        #expect(table.count == (4 * 1024 - 43) / 43)
    }

    @Test func cutsOversizedSingleObjectsAtALine() throws {
        let pod = try K8sFixture.load("pod.json")
        let result = Self.formatter(.yaml, maxBytes: 1024).render(pod)
        #expect(result.truncated)
        #expect(result.body.utf8.count <= 1024)
        #expect(YAMLWriter.string(pod).hasPrefix(result.body))
        #expect(result.notes.first?.hasPrefix("Showing the first ") == true)
        #expect(result.summary["truncated"] == true)
    }

    @Test func turnsTablesIntoListsForYAMLAndJSON() throws {
        let table = try K8sFixture.load("table-pods.json")
        let yaml = Self.formatter(.yaml).render(table)
        #expect(yaml.body == """
            kind: List
            apiVersion: v1
            metadata:
              resourceVersion: "1364"
            items:
            - Namespace: default
              Name: nginx-deployment-67d4bdd6f5-w6kd7
              Ready: 1/1
              Status: Running
              Restarts: "0"
              Age: 13s

            """)
        let full = Self.formatter(.json).render(try K8sFixture.load("table-secrets-object.json"))
        let items = try #require(try JSONParser.parse(full.body)["items"]?.arrayValue)
        #expect(items.map { $0["kind"] } == ["Secret", "Secret"])
        #expect(items[0]["data"]?["password"] == "REDACTED")
    }

    @Test func namesResourcesAfterTheListKind() {
        #expect(ResultFormatter.plural(ofListKind: "PodList") == "pods")
        #expect(ResultFormatter.plural(ofListKind: "NetworkPolicyList") == "networkpolicies")
        #expect(ResultFormatter.plural(ofListKind: "IngressList") == "ingresses")
        #expect(ResultFormatter.plural(ofListKind: "EndpointsList") == "endpoints")
        #expect(ResultFormatter.plural(ofListKind: "GatewayList") == "gateways")
        #expect(ResultFormatter.plural(ofListKind: "List") == "items")
        #expect(ResultFormatter.plural(ofListKind: nil) == "items")
        #expect(ResultFormatter.plural(ofListKind: "Pod") == "pods")
    }
}
