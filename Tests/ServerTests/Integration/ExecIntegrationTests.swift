import Foundation
import Testing
@testable import Server

/// `Connection.exec` against the fake cluster's WebSocket exec over real TLS: client certificate and token
/// contexts, v5 and the v4 fallback, refusals before the upgrade, timeout and cancellation.
@Suite(.serialized) final class ExecIntegrationTests {
    let cluster: FakeClusterProcess

    init() throws {
        RunningLoop.ensure()
        cluster = try FakeClusterProcess()
    }

    deinit { cluster.stop() }

    func frontendPod(_ connection: KubeClients.Connection) async throws -> String {
        let pods = try await connection.list(.pods, namespace: "shop", options: .init(labelSelector: "app=frontend"))
        return try #require(pods["items"]?.arrayValue?.first?["metadata"]?["name"]?.stringValue)
    }

    @Test func runsCommandsWithCertificateAndTokenOverV5ThenV4() async throws {
        let clients = try cluster.clients()
        for context in ["fake", "fake-token"] {
            let connection = try await clients.connection(context: context)
            let pod = try await frontendPod(connection)
            let echo = try await connection.exec(pod: pod, namespace: "shop", container: nil, command: ["echo", "a b", "c"])
            #expect(echo.ending == .finished(.exited(0)), "\(context)")
            #expect(String(decoding: echo.stdout, as: UTF8.self) == "a b c\n")
            #expect(echo.subprotocol == ExecChannel.v5)

            let failing = try await connection.exec(pod: pod, namespace: "shop", container: nil, command: ["ls", "/missing"])
            #expect(failing.exitCode == 2)
            #expect(String(decoding: failing.stderr, as: UTF8.self).contains("No such file or directory"))
            #expect(failing.stdout.isEmpty)
        }
        // Concurrent sessions, each on its own connection.
        let connection = try await clients.connection(context: "fake")
        let pod = try await frontendPod(connection)
        try await withThrowingTaskGroup(of: ExecResult.self) { group in
            for i in 0..<6 {
                group.addTask { try await connection.exec(pod: pod, namespace: "shop", container: nil, command: ["exit", "\(i)"]) }
            }
            var codes: [Int] = []
            for try await result in group { codes.append(result.exitCode ?? -1) }
            #expect(codes.sorted() == Array(0..<6))
        }
        // The server offers only v4: the same call works over v4.
        _ = try await connection.fake("POST", "/_fake/config", ["execProtocols": ["v4.channel.k8s.io"]])
        let v4 = try await connection.exec(pod: pod, namespace: "shop", container: nil, command: ["sh", "-c", "echo v4; exit 7"])
        #expect(v4.subprotocol == ExecChannel.v4 && v4.exitCode == 7)
        #expect(String(decoding: v4.stdout, as: UTF8.self) == "v4\n")
        _ = try await connection.fake("POST", "/_fake/config", ["execProtocols": []])
    }

    @Test func refusalsCarryTheServersStatus() async throws {
        let connection = try await cluster.clients().connection(context: "fake")
        do {
            _ = try await connection.exec(pod: "no-such-pod", namespace: "shop", container: nil, command: ["true"])
            Issue.record("an unknown pod was accepted")
        } catch {
            #expect(error.statusCode == 404)
            #expect(error.description.contains("no-such-pod"))
        }
        let pod = try await frontendPod(connection)
        do {
            _ = try await connection.exec(pod: pod, namespace: "shop", container: "sidecar", command: ["true"])
            Issue.record("an unknown container was accepted")
        } catch {
            #expect(error.statusCode == 400)
            #expect(error.description.contains("sidecar"))
        }
    }

    @Test func stopsAtTheTimeoutAndOnCancellation() async throws {
        let connection = try await cluster.clients().connection(context: "fake")
        let pod = try await frontendPod(connection)
        let clock = ContinuousClock()
        var start = clock.now
        let slow = try await connection.exec(pod: pod, namespace: "shop", container: nil,
                                             command: ["sh", "-c", "echo started; sleep 30"], timeoutSeconds: 1)
        #expect(slow.ending == .timedOut(seconds: 1))
        #expect(String(decoding: slow.stdout, as: UTF8.self) == "started\n")
        #expect(clock.now - start < .seconds(3))

        start = clock.now
        let task = Task { try await connection.exec(pod: pod, namespace: "shop", container: nil, command: ["sleep", "30"]) }
        try await Task.sleep(for: .milliseconds(500))
        task.cancel()
        await #expect(throws: KubeError.cancelled) { try await task.value }
        #expect(clock.now - start < .seconds(2))

        // Output beyond the limit is counted, not kept, and the exit code still arrives.
        let big = try await connection.exec(pod: pod, namespace: "shop", container: nil, command: ["seq", "200000"],
                                            outputLimit: 1000)
        #expect(big.exitCode == 0 && big.stdout.count == 1000 && big.stdoutTruncated)
        let total = (1...200_000).reduce(0) { $0 + String($1).count + 1 }
        #expect(big.stdout.count + big.stdoutDropped == total)
    }
}
