import Foundation
import Testing
@testable import Server

@Suite struct ObjectDescriberTests {
    /// One hour after the fixture pod was created.
    static let now = K8sFixture.podCreated.addingTimeInterval(3600)
    static let describer = ObjectDescriber(now: now)

    static func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    /// The value next to `key` on its line (alignment spaces removed).
    static func value(_ text: String, _ key: String) -> String? {
        lines(text).first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key + " ") || $0.hasSuffix(key) }
            .map { String($0.trimmingCharacters(in: .whitespaces).dropFirst(key.count)).trimmingCharacters(in: .whitespaces) }
    }

    static let podEvent: JSONValue = {
        (try? K8sFixture.load("event.json")) ?? .null
    }()

    @Test func describesAPod() throws {
        let text = Self.describer.describe(try K8sFixture.load("pod.json"), events: .found([Self.podEvent]))
        #expect(text.hasPrefix("Name:               nginx-deployment-67d4bdd6f5-w6kd7\nNamespace:          default\n"))
        #expect(Self.value(text, "Labels:") == "app=nginx")
        #expect(text.contains("\n                    pod-template-hash=67d4bdd6f5\n"))
        #expect(Self.value(text, "CreationTimestamp:") == "Thu, 17 Feb 2022 21:51:01 +0000")
        #expect(Self.value(text, "Controlled By:") == "ReplicaSet/nginx-deployment-67d4bdd6f5")
        #expect(Self.value(text, "Node:") == "kube-worker-1/192.168.0.113")
        #expect(Self.value(text, "Status:") == "Running")
        #expect(Self.value(text, "IP:") == "10.88.0.3")
        #expect(text.contains("\nIPs:\n  IP:  10.88.0.3\n  IP:  2001:db8::1\n"))
        #expect(text.contains("\nContainers:\n  nginx:\n    Container ID:   containerd://5403af59"))
        #expect(Self.value(text, "Image:") == "nginx")
        #expect(Self.value(text, "Port:") == "80/TCP")
        #expect(Self.value(text, "State:") == "Running")
        #expect(Self.value(text, "Started:") == "Thu, 17 Feb 2022 21:51:05 +0000")
        #expect(Self.value(text, "Ready:") == "True")
        #expect(Self.value(text, "Restart Count:") == "0")
        #expect(text.contains("    Limits:\n      cpu:     500m\n      memory:  128Mi\n    Requests:\n"))
        #expect(text.contains("/var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-bgsgp (ro)"))
        #expect(text.contains("\nConditions:\n  Type             Status\n  ----             ------\n  Initialized      True\n"))
        #expect(text.contains("Projected (a volume that contains injected data from multiple sources)"))
        #expect(Self.value(text, "QoS Class:") == "Guaranteed")
        #expect(text.contains("node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"))
        #expect(text.contains("\nEvents:\n  Type    Reason  Age   From     Message\n  ----    ------  ----  ----     -------\n"))
        #expect(text.hasSuffix("  Normal  Pulled  59m   kubelet  Successfully pulled image \"nginx\" in 1.146417389s\n"))
    }

    @Test func describesContainerStatesAndSecretReferencesWithoutValues() throws {
        var pod = try K8sFixture.load("pod.json")
        pod = K8sFixture.setting(pod, ["spec", "containers"], to: [[
            "name": "app", "image": "app:1",
            "env": [["name": "PLAIN", "value": "hello"],
                    ["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]],
                    ["name": "MODE", "valueFrom": ["configMapKeyRef": ["name": "cfg", "key": "mode", "optional": true]]],
                    ["name": "POD", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.name"]]]],
            "livenessProbe": ["httpGet": ["path": "/healthz", "port": 8080], "periodSeconds": 5],
        ]])
        pod = K8sFixture.setting(pod, ["status", "containerStatuses"], to: [[
            "name": "app", "ready": false, "restartCount": 7,
            "state": ["waiting": ["reason": "CrashLoopBackOff", "message": "back-off 5m0s"]],
            "lastState": ["terminated": ["exitCode": 1, "reason": "Error", "startedAt": "2022-02-17T21:52:00Z",
                                         "finishedAt": "2022-02-17T21:52:03Z"]],
        ]])
        let text = Self.describer.describe(pod, events: .found([]))
        #expect(text.contains("    State:          Waiting\n      Reason:       CrashLoopBackOff\n"))
        #expect(text.contains("    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n"))
        #expect(Self.value(text, "Restart Count:") == "7")
        #expect(text.contains("PLAIN:     hello"))
        #expect(text.contains("PASSWORD:  <set to the key 'password' in secret 'db'>   Optional: false"))
        #expect(text.contains("MODE:      <set to the key 'mode' of config map 'cfg'>  Optional: true"))
        #expect(text.contains("POD:       (v1:metadata.name)"))
        #expect(Self.value(text, "Liveness:") == "http-get http://:8080/healthz delay=0s timeout=1s period=5s #success=1 #failure=3")
        #expect(Self.value(text, "Events:") == "<none>")
    }

    @Test func describesADeploymentWithItsReplicaSets() throws {
        let deployment = try K8sFixture.load("deployment.json")
        let uid = deployment["metadata"]?["uid"] ?? .null
        func replicaSet(_ name: String, revision: String, replicas: Int) -> JSONValue {
            ["metadata": ["name": .string(name), "uid": .string(name),
                          "annotations": ["deployment.kubernetes.io/revision": .string(revision)],
                          "ownerReferences": [["uid": uid, "kind": "Deployment", "controller": true]]],
             "spec": ["replicas": .int(replicas)], "status": ["replicas": .int(replicas)]]
        }
        let stranger: JSONValue = ["metadata": ["name": "other", "uid": "x", "ownerReferences": [["uid": "someone"]]],
                                   "spec": ["replicas": 1]]
        let text = Self.describer.describe(deployment, events: .found([]),
                                           related: [replicaSet("nginx-deployment-67d4bdd6f5", revision: "1", replicas: 2),
                                                     replicaSet("nginx-deployment-old", revision: "0", replicas: 1), stranger])
        #expect(Self.value(text, "Selector:") == "app=nginx")
        #expect(Self.value(text, "Replicas:")?.hasPrefix("2 desired | ") == true)
        #expect(Self.value(text, "Replicas:")?.hasSuffix(" unavailable") == true)
        #expect(Self.value(text, "StrategyType:") == "RollingUpdate")
        #expect(text.contains("\nPod Template:\n  Labels:  app=nginx\n  Containers:\n    nginx:\n"))
        #expect(text.contains("\nConditions:\n  Type "))
        #expect(Self.value(text, "NewReplicaSet:") == "nginx-deployment-67d4bdd6f5 (2/2 replicas created)")
        #expect(Self.value(text, "OldReplicaSets:") == "nginx-deployment-old (1/1 replicas created)")
        #expect(!text.contains("other"))
    }

    @Test func describesAService() {
        let service: JSONValue = [
            "kind": "Service", "apiVersion": "v1",
            "metadata": ["name": "web", "namespace": "shop", "creationTimestamp": "2022-02-17T21:51:01Z"],
            "spec": ["type": "NodePort", "selector": ["app": "web", "tier": "front"], "clusterIP": "10.96.1.2",
                     "clusterIPs": ["10.96.1.2"], "sessionAffinity": "ClientIP", "externalTrafficPolicy": "Local",
                     "ports": [["name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080, "protocol": "TCP"]]],
        ]
        let text = Self.describer.describe(service, events: .found([]))
        #expect(Self.value(text, "Selector:") == "app=web,tier=front")
        #expect(Self.value(text, "Type:") == "NodePort")
        #expect(Self.value(text, "IP:") == "10.96.1.2")
        #expect(Self.value(text, "Port:") == "http  80/TCP")
        #expect(Self.value(text, "TargetPort:") == "8080/TCP")
        #expect(Self.value(text, "NodePort:") == "http  30080/TCP")
        #expect(Self.value(text, "Session Affinity:") == "ClientIP")
        #expect(Self.value(text, "External Traffic Policy:") == "Local")
    }

    @Test func describesANodeWithItsPods() throws {
        var node = try K8sFixture.load("node.k8s-testdata.json")
        node = K8sFixture.setting(node, ["status", "allocatable"], to: ["cpu": "2", "memory": "4Gi"])
        let pod: JSONValue = ["metadata": ["name": "p", "namespace": "ns", "creationTimestamp": "2022-02-17T21:51:01Z"],
                              "spec": ["containers": [["resources": ["requests": ["cpu": "500m", "memory": "1Gi"],
                                                                     "limits": ["cpu": "1"]]]]]]
        let text = Self.describer.describe(node, events: .unavailable("Forbidden (403): no"), related: [pod])
        #expect(text.contains("\nConditions:\n  Type "))
        #expect(text.contains("\nAddresses:\n"))
        #expect(text.contains("\nCapacity:\n"))
        #expect(text.contains("\nAllocatable:\n  cpu:"))
        #expect(text.contains("\nSystem Info:\n  Machine ID:"))
        #expect(Self.value(text, "Non-terminated Pods:") == "(1 in total)")
        #expect(text.contains("  ns  "))
        let cpu = Self.lines(text).first { $0.hasPrefix("  cpu ") && $0.contains("%") }
        #expect(cpu?.split(separator: " ", omittingEmptySubsequences: true) == ["cpu", "500m", "(25%)", "1000m", "(50%)"])
        let memory = Self.lines(text).first { $0.hasPrefix("  memory ") && $0.contains("%") }
        #expect(memory?.split(separator: " ", omittingEmptySubsequences: true) == ["memory", "1Gi", "(25%)", "0", "(0%)"])
        #expect(text.hasSuffix("Events:  <unavailable: Forbidden (403): no>\n")
                || Self.value(text, "Events:") == "<unavailable: Forbidden (403): no>")
    }

    @Test func describesASecretWithSizesOnly() throws {
        let secret = try K8sFixture.load("secret.json")
        for text in [Self.describer.describe(secret, events: .found([])),
                     ObjectDescriber(now: Self.now).describe(secret, events: .found([Self.podEvent]))] {
            #expect(Self.value(text, "Type:") == "Opaque")
            #expect(text.contains("\nData\n====\npassword:  12 bytes\nusername:  5 bytes\n"))
            #expect(!text.contains(KubeRedaction.lastAppliedAnnotation))
            #expect(!text.contains("REDACTED"))
            KubeRedactionTests.expectNoSecretValues(in: text)
            #expect(!text.contains("admin"))
        }
    }

    @Test func describesAConfigMapWithItsData() {
        let configMap: JSONValue = [
            "kind": "ConfigMap", "apiVersion": "v1", "metadata": ["name": "cfg", "namespace": "ns"],
            "data": ["mode": "fast", "app.conf": "a=1\nb=2", "big": .string(String(repeating: "x", count: 5000))],
            "binaryData": ["blob": "AAECAw=="],
        ]
        let text = Self.describer.describe(configMap, events: .found([]))
        #expect(text.contains("\nData\n====\nmode:\n----\nfast\n\napp.conf:\n----\na=1\nb=2\n\n"))
        #expect(text.contains("… (5000 bytes in all)"))
        #expect(text.contains("\nBinaryData\n====\nblob:  4 bytes\n"))
    }

    @Test func describesAnyOtherKindAsATree() {
        let gadget: JSONValue = [
            "kind": "Gadget", "apiVersion": "example.com/v1",
            "metadata": ["name": "g1", "namespace": "shop", "labels": ["app": "g"],
                         "annotations": [.init(stringLiteral: KubeRedaction.lastAppliedAnnotation): "{\"secret\":1}",
                                         "note": "hi"]],
            "spec": ["size": 3, "ports": [["name": "http", "port": 80]], "tags": ["a", "b"], "empty": [:]],
            "status": ["phase": "Ready"],
        ]
        let text = Self.describer.describe(gadget, events: .found([]))
        #expect(Self.value(text, "Annotations:") == "note: hi")
        #expect(!text.contains("secret"))
        #expect(text.contains("\nSpec:\n  size:  3\n  ports:\n    - name:  http\n      port:  80\n  tags:   a, b\n  empty:  {}\nStatus:\n  phase:  Ready\n")
                || text.contains("\nSpec:\n"))
        #expect(Self.value(text, "phase:") == "Ready")
        #expect(Self.value(text, "tags:") == "a, b")
        #expect(text.contains("- name:"))
    }

    @Test func genericTreeIsCapped() {
        var spec = JSONObject()
        for i in 0..<1000 { spec["key\(i)"] = .int(i) }
        let object: JSONValue = ["kind": "Big", "apiVersion": "example.com/v1", "metadata": ["name": "b"], "spec": .object(spec)]
        let text = Self.describer.describe(object, events: .found([]))
        #expect(Self.lines(text).count < GenericTree.maxLines + 20)
        #expect(text.contains("the rest of the object is not shown"))
    }

    @Test func showsOnlyTheMostRecentEventsNewestLast() {
        let events: [JSONValue] = (0..<30).map { i in
            ["type": "Normal", "reason": .string("R\(i)"), "message": .string("m\(i)"), "count": 3,
             "firstTimestamp": "2022-02-17T21:00:00Z",
             "lastTimestamp": .string("2022-02-17T21:\(String(format: "%02d", i)):00Z"), "source": ["component": "c"]]
        }
        let text = Self.describer.describe(["kind": "Thing", "apiVersion": "v1", "metadata": ["name": "t"]],
                                           events: .found(events.shuffled()))
        #expect(text.contains("Events (the 20 most recent of 30):"))
        let reasons = Self.lines(text).filter { $0.hasPrefix("  Normal") }.map { $0.split(separator: " ")[1] }
        #expect(reasons == (10..<30).map { "R\($0)"[...] })
        #expect(text.contains("(x3 over 111m)"))
    }

    @Test func writerAlignsLikeGoTabwriter() {
        var w = DescribeWriter()
        w.line(0, "Name:", "x")
        w.line(0, "Longer Key:", "y")
        w.line(0, "Section:")
        w.line(1, "a:", "1")
        w.line(1, "bbbb:", "2", "tail")
        #expect(w.text == "Name:        x\nLonger Key:  y\nSection:\n  a:     1\n  bbbb:  2  tail\n")
    }

    @Test func formatsTimesLikeKubectl() {
        #expect(DescribeFormat.time("2022-02-17T21:51:01Z") == "Thu, 17 Feb 2022 21:51:01 +0000")
        #expect(DescribeFormat.time("2000-02-29T00:00:00Z") == "Tue, 29 Feb 2000 00:00:00 +0000")
        #expect(DescribeFormat.time("1969-12-31T23:59:59Z") == "Wed, 31 Dec 1969 23:59:59 +0000")
        #expect(DescribeFormat.time("not a time") == "not a time")
        #expect(DescribeFormat.time(nil) == nil)
        #expect(DescribeSections.decodedSize("YWRtaW4=") == 5)
        #expect(DescribeSections.decodedSize("UyFCXCpkJHpEc2I9") == 12)
        #expect(DescribeSections.decodedSize("") == 0)
    }
}
