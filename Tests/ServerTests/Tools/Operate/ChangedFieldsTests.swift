import Testing
@testable import Server

/// `ChangedFields`: which paths a "configured" answer lists.
@Suite struct ChangedFieldsTests {
    private let before: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "resourceVersion": "1", "generation": 1, "uid": "u",
                     "creationTimestamp": "2024-01-01T00:00:00Z", "managedFields": [["manager": "kubectl"]],
                     "labels": ["app": "web"], "annotations": ["example.com/owner": "a"]],
        "spec": ["replicas": 1,
                 "template": ["spec": ["containers": [["name": "web", "image": "nginx:1.27", "ports": [["containerPort": 80]]],
                                                     ["name": "sidecar", "image": "envoy"]]]]],
        "status": ["replicas": 1],
    ]

    private func changed(_ path: [String], _ value: JSONValue?) -> JSONValue {
        K8sFixture.setting(before, path, to: value)
    }

    @Test func theSameObjectHasNoChanges() {
        #expect(ChangedFields.paths(before: before, after: before).isEmpty)
    }

    @Test func serverMaintainedFieldsAndStatusAreIgnored() {
        var after = changed(["metadata", "resourceVersion"], "2")
        after = K8sFixture.setting(after, ["metadata", "generation"], to: 2)
        after = K8sFixture.setting(after, ["metadata", "managedFields"], to: [["manager": "kube-mcp"]])
        after = K8sFixture.setting(after, ["status", "replicas"], to: 3)
        #expect(ChangedFields.paths(before: before, after: after).isEmpty)
    }

    @Test func namedListElementsAreMatchedByName() {
        let containers: JSONValue = [["name": "sidecar", "image": "envoy"],
                                     ["name": "web", "image": "nginx:1.28", "ports": [["containerPort": 80]]]]
        let after = changed(["spec", "template", "spec", "containers"], containers)
        #expect(ChangedFields.paths(before: before, after: after) == ["spec.template.spec.containers[name=web].image"])
    }

    @Test func addedAndRemovedMembersAndElements() {
        var after = changed(["spec", "replicas"], 3)
        after = K8sFixture.setting(after, ["metadata", "labels", "tier"], to: "front")
        after = K8sFixture.setting(after, ["metadata", "annotations", "example.com/owner"], to: nil)
        after = K8sFixture.setting(after, ["spec", "template", "spec", "containers"],
                                       to: [["name": "web", "image": "nginx:1.27", "ports": [["containerPort": 80]]]])
        #expect(ChangedFields.paths(before: before, after: after) == [
            "metadata.labels.tier", "metadata.annotations[\"example.com/owner\"]", "spec.replicas",
            "spec.template.spec.containers[name=sidecar]",
        ])
    }

    @Test func unnamedListsCompareByIndexOrWhole() {
        let b: JSONValue = ["spec": ["args": ["a", "b"], "ports": [["port": 80], ["port": 443]]]]
        let a: JSONValue = ["spec": ["args": ["a", "b", "c"], "ports": [["port": 80], ["port": 8443]]]]
        #expect(ChangedFields.paths(before: b, after: a) == ["spec.args", "spec.ports[1].port"])
    }

    @Test func secretDataChangesArePathsOnly() {
        let b: JSONValue = ["kind": "Secret", "data": ["password": "b2xk"]]
        let a: JSONValue = ["kind": "Secret", "data": ["password": "bmV3"]]
        let paths = ChangedFields.paths(before: b, after: a)
        #expect(paths == ["data.password"])
        #expect(!paths.joined().contains("bmV3"))
    }
}
