import Testing
@testable import Server

@Suite struct KubeRedactionTests {
    /// Values of the fixture Secrets that must never appear in redacted output.
    static let secretValues = [
        "UyFCXCpkJHpEc2I9", "YWRtaW4=",
        "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMuLi4KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=",
        "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUUuLi4KLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo=",
    ]

    static func expectNoSecretValues(in text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for value in secretValues {
            #expect(!text.contains(value), "found \(value)", sourceLocation: sourceLocation)
        }
    }

    static let lastApplied = KubeRedaction.lastAppliedAnnotation

    @Test func redactsASecretAndKeepsItsKeys() throws {
        var secret = try K8sFixture.load("secret.json")
        let report = KubeRedaction().apply(to: &secret)
        #expect(secret["data"] == ["password": "REDACTED", "username": "REDACTED"])
        #expect(secret["data"]?.objectValue?.keys == ["password", "username"])
        #expect(secret["type"] == "Opaque")
        #expect(secret["metadata"]?["name"] == "db-user-pass")
        #expect(secret["metadata"]?["annotations"]?[Self.lastApplied] == "REDACTED")
        #expect(secret["metadata"]?["managedFields"] == nil)
        #expect(secret["metadata"]?.objectValue?.keys
                == ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "annotations"])
        #expect(report.secretValues == 2)
        #expect(report.secrets == 1)
        #expect(report.lastAppliedAnnotations == 1)
        #expect(report.managedFieldsRemoved == 1)
        #expect(report.redactedFieldCount == 3)
        #expect(report.note == "3 values redacted (2 Secret values in 1 Secret and 1 "
                + "kubectl.kubernetes.io/last-applied-configuration annotation).")
        Self.expectNoSecretValues(in: JSONWriter.string(secret))
    }

    @Test func redactsStringData() {
        var secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "mysecret"], "type": "Opaque",
            "stringData": ["config.yaml": "apiUrl: https://my.api.com/api/v1\npassword: hunter2\n"],
        ]
        let report = KubeRedaction().apply(to: &secret)
        #expect(secret["stringData"] == ["config.yaml": "REDACTED"])
        #expect(report.secretValues == 1)
        #expect(!JSONWriter.string(secret).contains("hunter2"))
    }

    @Test func showSecretsKeepsValuesButStillHidesTheAnnotationAndManagedFields() throws {
        let original = try K8sFixture.load("secret.json")
        let (secret, report) = KubeRedaction(showSecrets: true).redacted(original)
        #expect(secret["data"] == original["data"])
        #expect(secret["metadata"]?["annotations"]?[Self.lastApplied] == "REDACTED")
        #expect(secret["metadata"]?["managedFields"] == nil)
        #expect(report.secretValues == 0)
        #expect(report.redactedFieldCount == 1)
    }

    @Test func leavesTheInputOfRedactedUntouched() throws {
        let original = try K8sFixture.load("secret.json")
        _ = KubeRedaction().redacted(original)
        #expect(original["data"]?["password"] == "UyFCXCpkJHpEc2I9")
    }

    @Test func redactsSecretListItemsThatCarryNoKind() throws {
        var list = try K8sFixture.load("list-secrets.json")
        #expect(list["items"]?.arrayValue?.first?["kind"] == nil)
        let report = KubeRedaction().apply(to: &list)
        let items = try #require(list["items"]?.arrayValue)
        #expect(items.count == 2)
        #expect(items[0]["data"] == ["password": "REDACTED", "username": "REDACTED"])
        #expect(items[1]["data"] == ["tls.crt": "REDACTED", "tls.key": "REDACTED"])
        #expect(items.allSatisfy { $0["metadata"]?["managedFields"] == nil })
        #expect(report.secrets == 2)
        #expect(report.secretValues == 4)
        #expect(report.lastAppliedAnnotations == 1)
        #expect(report.managedFieldsRemoved == 2)
        #expect(list["kind"] == "SecretList")
        #expect(list["metadata"] == ["resourceVersion": "12708700"])
        Self.expectNoSecretValues(in: JSONWriter.string(list))
    }

    @Test func redactsSecretsInTableRowsWithFullObjects() throws {
        let original = try K8sFixture.load("table-secrets-object.json")
        let (table, report) = KubeRedaction().redacted(original)
        let rows = try #require(table["rows"]?.arrayValue)
        #expect(rows[0]["object"]?["data"] == ["password": "REDACTED", "username": "REDACTED"])
        #expect(rows[1]["object"]?["data"] == ["tls.crt": "REDACTED", "tls.key": "REDACTED"])
        #expect(rows[0]["object"]?["metadata"]?["annotations"]?[Self.lastApplied] == "REDACTED")
        #expect(rows.allSatisfy { $0["object"]?["metadata"]?["managedFields"] == nil })
        #expect(rows.map { $0["cells"] } == original["rows"]?.arrayValue?.map { $0["cells"] })
        #expect(table["columnDefinitions"] == original["columnDefinitions"])
        #expect(report.secretValues == 4)
        Self.expectNoSecretValues(in: JSONWriter.string(table))
    }

    @Test func redactsTheMetadataOfPartialObjectMetadataRows() throws {
        let secret = try K8sFixture.load("secret.json")
        let partial: JSONValue = [
            "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": secret["metadata"] ?? nil,
        ]
        let table = K8sFixture.setting(try K8sFixture.load("table-secrets-object.json"), ["rows"],
                                       to: [["cells": ["db-user-pass", "Opaque", 2, "4h"], "object": partial]])
        let (redacted, report) = KubeRedaction().redacted(table)
        let object = redacted["rows"]?.arrayValue?.first?["object"]
        #expect(object?["metadata"]?["annotations"]?[Self.lastApplied] == "REDACTED")
        #expect(object?["metadata"]?["managedFields"] == nil)
        #expect(object?["metadata"]?["name"] == "db-user-pass")
        #expect(report.lastAppliedAnnotations == 1)
        #expect(report.secretValues == 0)
        Self.expectNoSecretValues(in: JSONWriter.string(redacted))
    }

    @Test func removesManagedFieldsFromEveryObject() throws {
        var node = try K8sFixture.load("node.k8s-testdata.json")
        #expect(node["metadata"]?["managedFields"] != nil)
        let report = KubeRedaction().apply(to: &node)
        #expect(node["metadata"]?["managedFields"] == nil)
        #expect(node["metadata"]?["annotations"] == ["annotationsKey": "annotationsValue"])
        #expect(node["metadata"]?.objectValue?.keys.last == "finalizers")
        #expect(report.managedFieldsRemoved == 1)
        #expect(report.redactedFieldCount == 0)
        #expect(report.note == nil)
    }

    @Test func redactsTheLastAppliedAnnotationOnAnyKind() throws {
        let deployment = K8sFixture.setting(
            try K8sFixture.load("deployment.json"), ["metadata", "annotations", Self.lastApplied],
            to: #"{"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[]}}}}"#)
        let (redacted, report) = KubeRedaction().redacted(deployment)
        #expect(redacted["metadata"]?["annotations"] == [
            "deployment.kubernetes.io/revision": "1", Self.lastApplied: "REDACTED",
        ])
        #expect(redacted["spec"] == deployment["spec"])
        #expect(report.lastAppliedAnnotations == 1)
    }

    @Test func leavesConfigMapDataAndOtherGroupsSecretsAlone() {
        let configMap: JSONValue = [
            "kind": "ConfigMap", "apiVersion": "v1", "metadata": ["name": "cm"], "data": ["key": "value"],
        ]
        let external: JSONValue = [
            "kind": "Secret", "apiVersion": "example.com/v1", "metadata": ["name": "x"], "type": "Opaque",
            "data": ["key": "value"],
        ]
        let list: JSONValue = ["kind": "ConfigMapList", "apiVersion": "v1", "items": [
            ["metadata": ["name": "cm"], "data": ["key": "value"]],
        ]]
        for value in [configMap, external, list] {
            let (redacted, report) = KubeRedaction().redacted(value)
            #expect(redacted == value)
            #expect(report == KubeRedaction.Report())
        }
    }

    @Test func redactsSecretsInsideAGenericListByTheirOwnKind() throws {
        let secret = try K8sFixture.load("secret.json")
        let list: JSONValue = ["kind": "List", "apiVersion": "v1", "items": [secret, try K8sFixture.load("pod.json")]]
        let (redacted, report) = KubeRedaction().redacted(list)
        #expect(redacted["items"]?.arrayValue?[0]["data"]?["password"] == "REDACTED")
        #expect(redacted["items"]?.arrayValue?[1] == (try K8sFixture.load("pod.json")))
        #expect(report.secretValues == 2)
    }

    @Test func treatsAKindlessSecretShapedObjectAsASecret() throws {
        var secret = K8sFixture.setting(try K8sFixture.load("secret.json"), ["kind"], to: nil)
        secret = K8sFixture.setting(secret, ["apiVersion"], to: nil)
        let (redacted, report) = KubeRedaction().redacted(secret)
        #expect(redacted["data"]?["username"] == "REDACTED")
        #expect(report.secrets == 1)
        let pods: JSONValue = ["items": [try K8sFixture.load("pod.json")]]
        #expect(KubeRedaction().redacted(pods).value == pods)
    }

    @Test func ignoresValuesThatAreNotObjects() {
        for value: JSONValue in [nil, 1, "Secret", [1, "x"], ["kind": "Secret", "data": "oops"]] {
            #expect(KubeRedaction().redacted(value).value == value)
        }
    }
}
