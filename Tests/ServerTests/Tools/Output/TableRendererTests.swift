import Foundation
import Testing
@testable import Server

@Suite struct TableRendererTests {
    static let now = K8sFixture.podCreated.addingTimeInterval(13)

    static func pod(_ json: String) throws -> JSONValue { try JSONParser.parse(json) }

    /// A second pod row, in another namespace, for the Table of the fixture.
    static func tableWithTwoNamespaces() throws -> JSONValue {
        let table = try K8sFixture.load("table-pods.json")
        var rows = try #require(table["rows"]?.arrayValue)
        var object = try #require(rows[0]["object"])
        object = K8sFixture.setting(object, ["metadata", "namespace"], to: "kube-system")
        object = K8sFixture.setting(object, ["metadata", "name"], to: "coredns-7db6d8ff4d-7kb9x")
        rows.append([
            "cells": ["coredns-7db6d8ff4d-7kb9x", "1/1", "Running", "2 (131m ago)", "4d21h", "10.1.0.20", "kube-worker-2",
                      "<none>", "<none>"],
            "object": object,
        ])
        return K8sFixture.setting(table, ["rows"], to: .array(rows))
    }

    // MARK: - Server-side Tables

    @Test func rendersThePodTableLikeKubectl() throws {
        let output = try #require(TableRenderer(now: Self.now).render(table: try K8sFixture.load("table-pods.json")))
        #expect(output.text == """
            NAME                                READY   STATUS    RESTARTS   AGE
            nginx-deployment-67d4bdd6f5-w6kd7   1/1     Running   0          13s

            """)
        #expect(output.rows.count == 1)
    }

    @Test func showsPriorityColumnsOnlyWhenWide() throws {
        let output = try #require(TableRenderer(wide: true, now: Self.now)
            .render(table: try K8sFixture.load("table-pods.json")))
        #expect(output.text == """
            NAME                                READY   STATUS    RESTARTS   AGE   IP          NODE            NOMINATED NODE   READINESS GATES
            nginx-deployment-67d4bdd6f5-w6kd7   1/1     Running   0          13s   10.88.0.3   kube-worker-1   <none>           <none>

            """)
    }

    @Test func addsANamespaceColumnWhenRowsSpanNamespaces() throws {
        let output = try #require(TableRenderer(now: Self.now).render(table: try Self.tableWithTwoNamespaces()))
        #expect(output.text == """
            NAMESPACE     NAME                                READY   STATUS    RESTARTS       AGE
            default       nginx-deployment-67d4bdd6f5-w6kd7   1/1     Running   0              13s
            kube-system   coredns-7db6d8ff4d-7kb9x            1/1     Running   2 (131m ago)   4d21h

            """)
        let never = try #require(TableRenderer(namespaceColumn: .never, now: Self.now)
            .render(table: try Self.tableWithTwoNamespaces()))
        #expect(never.header.hasPrefix("NAME "))
        let always = try #require(TableRenderer(namespaceColumn: .always, now: Self.now)
            .render(table: try K8sFixture.load("table-pods.json")))
        #expect(always.header.hasPrefix("NAMESPACE   NAME "))
        #expect(always.rows == ["default     nginx-deployment-67d4bdd6f5-w6kd7   1/1     Running   0          13s"])
    }

    @Test func formatsCellsByType() throws {
        let table: JSONValue = [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "columnDefinitions": [
                ["name": "Name", "type": "string", "priority": 0],
                ["name": "Created", "type": "date", "priority": 0],
                ["name": "Replicas", "type": "integer", "priority": 0],
                ["name": "Ready", "type": "boolean", "priority": 0],
                ["name": "Note", "type": "string", "priority": 0],
                ["name": "Hidden", "type": "string", "priority": 1],
            ],
            "rows": [
                ["cells": ["a", "2022-02-12T21:51:01Z", 3, true, nil, "x"]],
                ["cells": ["b", "not a date", 0, false, "multi\nline\tcell", "y"]],
            ],
        ]
        let output = try #require(TableRenderer(now: K8sFixture.podCreated).render(table: table))
        #expect(output.text == """
            NAME   CREATED      REPLICAS   READY   NOTE
            a      5d           3          true    <none>
            b      not a date   0          false   multi line cell

            """)
    }

    @Test func writesNoTrailingSpacesAndKeepsShortRowsAligned() throws {
        let table: JSONValue = [
            "columnDefinitions": [["name": "Name", "type": "string"], ["name": "A", "type": "string"],
                                  ["name": "B", "type": "string"]],
            "rows": [["cells": ["x", "", ""]], ["cells": ["y", 1.5, ["k": "v"]]], ["cells": ["z"]]],
        ]
        let output = try #require(TableRenderer(now: Self.now).render(table: table))
        #expect(output.text == """
            NAME   A     B
            x
            y      1.5   {"k":"v"}
            z

            """)
    }

    @Test func rendersAnEmptyTableAsAHeader() throws {
        let table = K8sFixture.setting(try K8sFixture.load("table-pods.json"), ["rows"], to: [])
        let output = try #require(TableRenderer(now: Self.now).render(table: table))
        #expect(output.rows.isEmpty)
        #expect(output.header == "NAME   READY   STATUS   RESTARTS   AGE")
        #expect(TableRenderer(now: Self.now).render(table: try K8sFixture.load("pod.json")) == nil)
    }

    // MARK: - Plain lists

    @Test func rendersAPodListLikeTheServerTable() throws {
        let output = TableRenderer(now: Self.now).render(list: try K8sFixture.load("list-pods-paginated.json"))
        let server = try #require(TableRenderer(now: Self.now).render(table: try K8sFixture.load("table-pods.json")))
        #expect(output == server)
        let wide = TableRenderer(wide: true, now: Self.now).render(list: try K8sFixture.load("list-pods-paginated.json"))
        let serverWide = try #require(TableRenderer(wide: true, now: Self.now)
            .render(table: try K8sFixture.load("table-pods.json")))
        #expect(wide == serverWide)
    }

    @Test func rendersOtherKindsAsNameAndAge() throws {
        let output = TableRenderer(now: K8sFixture.podCreated.addingTimeInterval(5 * 86_400))
            .render(list: try K8sFixture.load("deployment.json"))
        #expect(output.text == "NAME               AGE\nnginx-deployment   5d\n")
    }

    @Test func addsANamespaceColumnToPlainListsSpanningNamespaces() throws {
        let pod = try K8sFixture.load("pod.json")
        let other = K8sFixture.setting(K8sFixture.setting(pod, ["metadata", "namespace"], to: "kube-system"),
                                       ["metadata", "name"], to: "coredns")
        let list: JSONValue = ["kind": "PodList", "apiVersion": "v1", "items": [pod, other]]
        let output = TableRenderer(now: Self.now).render(list: list)
        #expect(output.text == """
            NAMESPACE     NAME                                READY   STATUS    RESTARTS   AGE
            default       nginx-deployment-67d4bdd6f5-w6kd7   1/1     Running   0          13s
            kube-system   coredns                             1/1     Running   0          13s

            """)
    }

    @Test func printsUnknownAgesForMissingTimestamps() {
        let list: JSONValue = ["kind": "ConfigMapList", "items": [["metadata": ["name": "cm"]]]]
        #expect(TableRenderer(now: Self.now).render(list: list).rows == ["cm     <unknown>"])
    }

    // MARK: - Pod status

    static func summary(_ json: String) throws -> (ready: String, status: String, restarts: String) {
        TableRenderer.podSummary(try pod(json), now: K8sFixture.podCreated)
    }

    @Test func reportsCrashLoopsWithTheLastRestartAge() throws {
        let s = try Self.summary("""
            {"spec":{"containers":[{"name":"app"}]},"status":{"phase":"Running","containerStatuses":[
              {"name":"app","ready":false,"restartCount":5,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
               "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"2022-02-17T21:48:31Z"}}}]}}
            """)
        #expect(s.ready == "0/1")
        #expect(s.status == "CrashLoopBackOff")
        #expect(s.restarts == "5 (2m30s ago)")
    }

    @Test func reportsInitContainerProgressAndFailures() throws {
        let running = try Self.summary("""
            {"spec":{"initContainers":[{"name":"init"}],"containers":[{"name":"app"}]},"status":{"phase":"Pending",
             "initContainerStatuses":[{"name":"init","ready":false,"restartCount":0,"state":{"running":{}}}],
             "containerStatuses":[{"name":"app","ready":false,"restartCount":0,
               "state":{"waiting":{"reason":"PodInitializing"}}}]}}
            """)
        #expect(running == ("0/1", "Init:0/1", "0"))
        let failed = try Self.summary("""
            {"spec":{"initContainers":[{"name":"init"}],"containers":[{"name":"app"}]},"status":{"phase":"Pending",
             "initContainerStatuses":[{"name":"init","restartCount":3,"state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}}
            """)
        #expect(failed == ("0/1", "Init:Error", "3"))
        let signal = try Self.summary("""
            {"spec":{"initContainers":[{"name":"init"}],"containers":[{"name":"app"}]},"status":{"phase":"Pending",
             "initContainerStatuses":[{"name":"init","restartCount":0,"state":{"terminated":{"exitCode":137,"signal":9}}}]}}
            """)
        #expect(signal.status == "Init:Signal:9")
        let exitCode = try Self.summary("""
            {"spec":{"initContainers":[{"name":"init"}],"containers":[{"name":"app"}]},"status":{"phase":"Pending",
             "initContainerStatuses":[{"name":"init","restartCount":0,"state":{"terminated":{"exitCode":2}}}]}}
            """)
        #expect(exitCode.status == "Init:ExitCode:2")
        let pulling = try Self.summary("""
            {"spec":{"initContainers":[{"name":"a"},{"name":"b"}],"containers":[{"name":"app"}]},"status":{"phase":"Pending",
             "initContainerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
               {"name":"b","state":{"waiting":{"reason":"ImagePullBackOff"}}}]}}
            """)
        #expect(pulling.status == "Init:ImagePullBackOff")
    }

    @Test func countsRestartableInitContainersAsSidecars() throws {
        let s = try Self.summary("""
            {"spec":{"initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"app"}]},
             "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
             "initContainerStatuses":[{"name":"proxy","started":true,"ready":true,"restartCount":1,"state":{"running":{}}}],
             "containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{}}}]}}
            """)
        #expect(s == ("2/2", "Running", "1"))
    }

    @Test func reportsCompletedContainersNextToRunningOnes() throws {
        let json = """
            {"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running","conditions":CONDITIONS,
             "containerStatuses":[{"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
               {"name":"b","ready":true,"state":{"running":{}}}]}}
            """
        let notReady = try Self.summary(json.replacingOccurrences(of: "CONDITIONS", with: "[]"))
        #expect(notReady == ("1/2", "NotReady", "0"))
        let ready = try Self.summary(json.replacingOccurrences(
            of: "CONDITIONS", with: #"[{"type":"Ready","status":"True"}]"#))
        #expect(ready.status == "Running")
    }

    @Test func reportsTerminatedContainersWithoutAReason() throws {
        let exit = try Self.summary("""
            {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed",
             "containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":137}}}]}}
            """)
        #expect(exit.status == "ExitCode:137")
        let signal = try Self.summary("""
            {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed",
             "containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"signal":15}}}]}}
            """)
        #expect(signal.status == "Signal:15")
    }

    @Test func reportsTerminatingAndUnknownPods() throws {
        let pod = try K8sFixture.load("pod.json")
        let deleting = K8sFixture.setting(pod, ["metadata", "deletionTimestamp"], to: "2022-02-17T21:52:00Z")
        #expect(TableRenderer.podSummary(deleting, now: Self.now).status == "Terminating")
        let lost = K8sFixture.setting(deleting, ["status", "reason"], to: "NodeLost")
        #expect(TableRenderer.podSummary(lost, now: Self.now).status == "Unknown")
        let done = try Self.summary("""
            {"metadata":{"deletionTimestamp":"2022-02-17T21:52:00Z"},"spec":{"containers":[{"name":"a"}]},
             "status":{"phase":"Succeeded","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}
            """)
        #expect(done.status == "Completed")
    }

    @Test func reportsGatedAndPendingPods() throws {
        let gated = try Self.summary("""
            {"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending",
             "conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}}
            """)
        #expect(gated == ("0/1", "SchedulingGated", "0"))
        let pending = try Self.summary(#"{"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Pending"}}"#)
        #expect(pending == ("0/2", "Pending", "0"))
        let evicted = try Self.summary(#"{"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed","reason":"Evicted"}}"#)
        #expect(evicted.status == "Evicted")
    }

    // MARK: - Ages

    @Test(arguments: [
        (-5.0, "<invalid>"), (-2.0, "<invalid>"), (-1.0, "0s"), (-0.5, "0s"), (0, "0s"), (45, "45s"), (119.9, "119s"),
        (120, "2m"), (330, "5m30s"), (599, "9m59s"), (600, "10m"), (2_700, "45m"), (10_799, "179m"), (10_800, "3h"),
        (12_000, "3h20m"), (28_799, "7h59m"), (36_000, "10h"), (172_799, "47h"), (172_800, "2d"), (446_400, "5d4h"),
        (691_200, "8d"), (1_036_800, "12d"), (63_072_000, "2y"), (65_664_000, "2y30d"), (283_824_000, "9y"),
    ] as [(Double, String)])
    func formatsAgesLikeKubectl(_ seconds: Double, _ expected: String) {
        #expect(TableRenderer.humanDuration(seconds: seconds) == expected)
    }

    @Test func parsesAPITimestamps() {
        #expect(TableRenderer.epochSeconds(rfc3339: "2022-02-17T21:51:01Z") == 1_645_134_661)
        #expect(TableRenderer.epochSeconds(rfc3339: "2022-02-17T21:51:01.250000Z") == 1_645_134_661.25)
        #expect(TableRenderer.epochSeconds(rfc3339: "2022-02-17T22:51:01+01:00") == 1_645_134_661)
        #expect(TableRenderer.epochSeconds(rfc3339: "2022-02-17T20:51:01-01:00") == 1_645_134_661)
        #expect(TableRenderer.epochSeconds(rfc3339: "2000-02-29T12:00:00Z") == 951_825_600)
        #expect(TableRenderer.epochSeconds(rfc3339: "1969-12-31T23:00:00Z") == -3_600)
        for bad in ["", "2022-02-17", "2022-02-17T21:51:01", "2022-13-17T21:51:01Z", "2022-02-17T21:51:01Zx",
                    "not a date", "2022-02-17T21:51:01.Z"] {
            #expect(TableRenderer.epochSeconds(rfc3339: bad) == nil, "\(bad)")
        }
        #expect(TableRenderer.age(of: "2022-02-17T21:51:01Z", now: Self.now) == "13s")
        #expect(TableRenderer.age(of: nil, now: Self.now) == "<unknown>")
        #expect(TableRenderer.age(of: "garbage", now: Self.now) == "<unknown>")
    }
}
