import Foundation
import Testing
@testable import Server

@Suite struct ExecStatusTests {
    func parse(_ json: String) -> ExecStatus { ExecStatus.parse(Array(json.utf8)) }

    @Test func successIsExitCodeZero() {
        #expect(parse(#"{"metadata":{},"status":"Success"}"#) == .exited(0))
    }

    @Test func nonZeroExitCodeComesFromTheCauses() {
        let json = #"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit 42","#
            + #""reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"42"}]}}"#
        #expect(parse(json) == .exited(42))
    }

    @Test func otherFailuresKeepTheServersWords() {
        let json = #"{"status":"Failure","reason":"InternalError","message":"exec: \"nope\": executable file not found in $PATH"}"#
        #expect(parse(json) == .failed(reason: "InternalError", message: "exec: \"nope\": executable file not found in $PATH"))
        // NonZeroExitCode without a readable code is a failure, not a made-up exit code.
        #expect(parse(#"{"status":"Failure","reason":"NonZeroExitCode","message":"m","details":{"causes":[]}}"#)
                == .failed(reason: "NonZeroExitCode", message: "m"))
        guard case .failed(_, let message) = parse("not json") else {
            Issue.record("garbage must be a failure")
            return
        }
        #expect(message.contains("not json"))
    }
}

@Suite struct ExecChannelDemuxTests {
    @Test func splitsChannelsAcrossPiecesAndAsksToCloseAfterTheStatus() {
        var demux = ExecChannelDemux(outputLimit: 100)
        #expect(demux.handle(.opened(subprotocol: "v5.channel.k8s.io")).isEmpty)
        let events: [WebSocketEvent] = [
            .messageStart(.binary), .data([1]), .data(Array("hel".utf8)), .data(Array("lo".utf8)), .messageEnd,
            .messageStart(.binary), .data([2] + Array("oops".utf8)), .messageEnd,
            .messageStart(.binary), .data([4, 0, 0]), .messageEnd,  // resize: ignored
            .messageStart(.binary), .messageEnd,                  // empty: ignored
            .messageStart(.binary), .data([1] + Array("!".utf8)), .messageEnd,
        ]
        for event in events { #expect(demux.handle(event).isEmpty) }
        let status = Array(#"{"status":"Success"}"#.utf8)
        #expect(demux.handle(.messageStart(.binary)).isEmpty)
        #expect(demux.handle(.data([3] + status.prefix(5))).isEmpty)
        #expect(demux.handle(.data(Array(status.dropFirst(5)))).isEmpty)
        #expect(demux.handle(.messageEnd) == [.close(code: 1000)])
        #expect(String(decoding: demux.stdout, as: UTF8.self) == "hello!")
        #expect(String(decoding: demux.stderr, as: UTF8.self) == "oops")
        #expect(demux.status == .exited(0))
        #expect(demux.subprotocol == "v5.channel.k8s.io")
    }

    @Test func capsEachStreamAndCountsWhatWasDropped() {
        var demux = ExecChannelDemux(outputLimit: 4)
        for event: WebSocketEvent in [.messageStart(.binary), .data([1, 65, 66, 67]), .data([68, 69, 70]), .messageEnd,
                                      .messageStart(.binary), .data([2, 1, 2]), .messageEnd] {
            _ = demux.handle(event)
        }
        #expect(demux.stdout == Array("ABCD".utf8) && demux.stdoutDropped == 2)
        #expect(demux.stderr == [1, 2] && demux.stderrDropped == 0)
    }

    @Test func closesStdinInVersionFiveOnlyWhenItWasOpen() {
        var withStdin = ExecChannelDemux(outputLimit: 1, stdinOpen: true)
        #expect(withStdin.handle(.opened(subprotocol: "v5.channel.k8s.io")) == [.sendBinary([255, 0])])
        var v4 = ExecChannelDemux(outputLimit: 1, stdinOpen: true)
        #expect(v4.handle(.opened(subprotocol: "v4.channel.k8s.io")).isEmpty)
        var without = ExecChannelDemux(outputLimit: 1)
        #expect(without.handle(.opened(subprotocol: "v5.channel.k8s.io")).isEmpty)
    }

    @Test func buildsTheExecRequest() {
        let request = KubeClients.Connection.execRequest(pod: "web-1", namespace: "shop", container: "app",
                                                         command: ["sh", "-c", "echo a b"])
        #expect(request.method == "POST")
        #expect(request.pathAndQuery == "/api/v1/namespaces/shop/pods/web-1/exec?command=sh&command=-c&"
                + "command=echo%20a%20b&container=app&stdin=false&stdout=true&stderr=true&tty=false")
    }
}

@Suite struct PodsExecToolTests {
    @Test func takesTheCommandAsItIs() throws {
        #expect(try PodsExecTool.command(["echo", "a b", ""]) == ["echo", "a b", ""])
        #expect(try PodsExecTool.command(["ls -l /"]) == ["ls -l /"])
        for bad: JSONValue in [[], [""], "ls -l", [1], .array(Array(repeating: "x", count: 1025)),
                               [.string(String(repeating: "x", count: 70_000))]] {
            #expect(throws: KubeError.self) { try PodsExecTool.command(bad) }
        }
    }

    @Test func rendersExitCodeOutputAndCuts() {
        let result = ExecResult(stdout: Array("out\n".utf8), stderr: [], stdoutDropped: 10, ending: .finished(.exited(3)))
        let rendered = PodsExecTool.render(result, pod: "p", namespace: "n", limit: 4)
        #expect(!rendered.isError)
        guard case .text(let text)? = rendered.content.first else { return }
        #expect(text.hasPrefix("exit code: 3\n--- stdout ---\nout\n"))
        #expect(text.contains("--- stderr ---\n(empty)"))
        #expect(text.contains("[stdout cut at 4 bytes: 10 more bytes were dropped"))
        #expect(rendered.structuredContent?["exitCode"] == .int(3))
        #expect(rendered.structuredContent?["stdoutTruncated"] == .bool(true))
        #expect(rendered.structuredContent?["stderrTruncated"] == .bool(false))
    }

    @Test func failuresAndTimeoutsAreErrorsWithTheOutputSoFar() {
        let failed = PodsExecTool.render(ExecResult(stdout: [], stderr: [], ending: .finished(.failed(reason: "InternalError", message: "no such file"))),
                                         pod: "p", namespace: "n", limit: 10)
        #expect(failed.isError && failed.structuredContent == nil)
        let timedOut = PodsExecTool.render(ExecResult(stdout: Array("partial".utf8), stderr: [], ending: .timedOut(seconds: 2)),
                                           pod: "p", namespace: "n", limit: 10)
        guard case .text(let text)? = timedOut.content.first else { return }
        #expect(timedOut.isError && text.contains("within 2 s") && text.contains("partial"))
    }

    @Test func isDestructiveAndNotIdempotent() {
        let a = PodsExecTool.toolDefinition.annotations
        #expect(!a.readOnlyHint && a.destructiveHint && !a.idempotentHint)
        #expect(PodsExecTool.toolDefinition.outputSchema != nil)
    }
}
