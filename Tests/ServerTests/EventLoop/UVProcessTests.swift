import Foundation
import Testing
@testable import Server

/// Child processes started with `uv_spawn`, on the test's background event loop, with real programs.
@Suite struct UVProcessTests {
    init() { RunningLoop.ensure() }

    private let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]

    private func sh(_ script: String, timeout: Int = 5_000, outputLimit: Int = UVProcess.defaultOutputLimit)
        async throws -> ProcessResult
    {
        try await UVProcess.run(executable: "/bin/sh", arguments: ["-c", script], environment: environment,
                                timeoutMilliseconds: timeout, outputLimit: outputLimit)
    }

    @Test func capturesStdoutOfEcho() async throws {
        let result = try await UVProcess.run(executable: "/bin/echo", arguments: ["hello", "world"],
                                             environment: [:], timeoutMilliseconds: 5_000)
        #expect(result.stdout == Array("hello world\n".utf8))
        #expect(result.stderr.isEmpty)
        #expect(result.exitStatus == 0)
        #expect(result.termSignal == 0)
        #expect(!result.timedOut && !result.truncated)
        #expect(result.succeeded)
    }

    @Test func keepsStdoutAndStderrApart() async throws {
        let result = try await sh("echo out; echo err >&2; echo out2")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "out\nout2\n")
        #expect(String(decoding: result.stderr, as: UTF8.self) == "err\n")
    }

    @Test func reportsExitStatus() async throws {
        let result = try await sh("exit 3")
        #expect(result.exitStatus == 3)
        #expect(result.termSignal == 0)
        #expect(!result.succeeded)
    }

    @Test func reportsTerminatingSignal() async throws {
        let result = try await sh("kill -9 $$")
        #expect(result.termSignal == SIGKILL)
        #expect(!result.timedOut)
        #expect(!result.succeeded)
    }

    @Test func passesExactlyTheGivenEnvironmentAndArguments() async throws {
        let result = try await UVProcess.run(
            executable: "/bin/sh", arguments: ["-c", "echo \"$GREETING|$HOME|$1\"", "argv0", "a b"],
            environment: ["GREETING": "hi there"], timeoutMilliseconds: 5_000)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "hi there||a b\n")
    }

    @Test func stdinIsNotInherited() async throws {
        let result = try await sh("cat; echo done")
        #expect(String(decoding: result.stdout, as: UTF8.self) == "done\n")
    }

    @Test func feedsStandardInputThenEndOfFile() async throws {
        let input = Array("line one\nline two\n".utf8)
        let result = try await UVProcess.run(executable: "/bin/sh", arguments: ["-c", "cat; echo done"],
                                             environment: environment, timeoutMilliseconds: 5_000,
                                             standardInput: input)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "line one\nline two\ndone\n")
        #expect(result.succeeded)
    }

    @Test func feedsStandardInputLargerThanAPipeBuffer() async throws {
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        let result = try await UVProcess.run(executable: "/bin/sh", arguments: ["-c", "wc -c"],
                                             environment: environment, timeoutMilliseconds: 10_000,
                                             standardInput: input)
        #expect(String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                == "1048576")
    }

    @Test func childThatIgnoresStandardInputStillFinishes() async throws {
        let input = [UInt8](repeating: UInt8(ascii: "y"), count: 1 << 20)
        let result = try await UVProcess.run(executable: "/bin/sh", arguments: ["-c", "echo early"],
                                             environment: environment, timeoutMilliseconds: 10_000,
                                             standardInput: input)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "early\n")
        #expect(result.succeeded && !result.timedOut)
    }

    @Test func emptyStandardInputIsEndOfFile() async throws {
        let result = try await UVProcess.run(executable: "/bin/sh", arguments: ["-c", "cat; echo done"],
                                             environment: environment, timeoutMilliseconds: 5_000,
                                             standardInput: [])
        #expect(String(decoding: result.stdout, as: UTF8.self) == "done\n")
    }

    @Test func killsTheProcessGroupWhenTheTimeLimitIsReached() async throws {
        let start = ContinuousClock.now
        // A shell that waits on a child: both must go, or the child would keep the pipes open.
        let result = try await sh("echo started; sleep 10; echo never", timeout: 1000)
        // Well before the child's own 10 s (a generous bound: the machine may be busy).
        #expect(ContinuousClock.now - start < .seconds(8))
        #expect(result.timedOut)
        #expect(result.termSignal == SIGTERM)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "started\n")
    }

    @Test func sendsSIGKILLWhenSIGTERMIsIgnored() async throws {
        let start = ContinuousClock.now
        // An ignored signal stays ignored across exec: neither the shell nor sleep reacts to SIGTERM. The 1 s
        // limit leaves a loaded machine time to start the shell and set the trap before SIGTERM comes.
        let result = try await sh("trap '' TERM; echo ready; sleep 10", timeout: 1000)
        let elapsed = ContinuousClock.now - start
        #expect(result.timedOut)
        #expect(result.termSignal == SIGKILL)
        #expect(elapsed >= .seconds(2) && elapsed < .seconds(9))
    }

    @Test func commandNotFoundIsENOENT() async throws {
        let error = await #expect(throws: UVError.self) {
            _ = try await UVProcess.run(executable: "kube-mcp-no-such-tool", arguments: [],
                                        environment: environment, timeoutMilliseconds: 1_000)
        }
        #expect(error?.name == "ENOENT")
        let missingPath = await #expect(throws: UVError.self) {
            _ = try await UVProcess.run(executable: "/nonexistent/tool", arguments: [], environment: [:],
                                        timeoutMilliseconds: 1_000)
        }
        #expect(missingPath?.name == "ENOENT")
    }

    @Test func nonExecutableFileIsEACCES() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let path = try dir.write("plain", "echo hi\n", executable: false)
        let error = await #expect(throws: UVError.self) {
            _ = try await UVProcess.run(executable: path, arguments: [], environment: [:], timeoutMilliseconds: 1_000)
        }
        #expect(error?.name == "EACCES")
    }

    @Test func looksUpBareNamesInTheGivenPATH() throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        _ = try dir.write("tool", "#!/bin/sh\necho found\n", executable: true)
        _ = try dir.write("data", "x", executable: false)
        try FileManager.default.createDirectory(atPath: dir.path + "/sub/tooldir", withIntermediateDirectories: true)
        let env = ["PATH": "/nonexistent:\(dir.path)/sub:\(dir.path)"]
        #expect(UVProcess.locate("tool", baseDirectory: nil, environment: env) == dir.path + "/tool")
        // Not executable, or a directory: skipped.
        #expect(UVProcess.locate("data", baseDirectory: nil, environment: env) == nil)
        #expect(UVProcess.locate("tooldir", baseDirectory: nil, environment: env) == nil)
        #expect(UVProcess.locate("tool", baseDirectory: nil, environment: ["PATH": ""]) == nil)
        // With a slash: taken as is, relative to the base directory.
        #expect(UVProcess.locate("./bin/x", baseDirectory: "/base", environment: env) == "/base/./bin/x")
        #expect(UVProcess.locate("/abs/x", baseDirectory: "/base", environment: env) == "/abs/x")
        #expect(UVProcess.locate("sh", baseDirectory: nil, environment: [:]) != nil)
    }

    @Test func runsACommandFoundInPATHAndRelativeToTheBaseDirectory() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        _ = try dir.write("tool", "#!/bin/sh\necho \"found in $(pwd)\"\n", executable: true)
        let viaPath = try await UVProcess.run(executable: "tool", arguments: [],
                                              environment: ["PATH": "/usr/bin:/bin:\(dir.path)"],
                                              timeoutMilliseconds: 5_000)
        let workingDirectory = FileManager.default.currentDirectoryPath
        #expect(String(decoding: viaPath.stdout, as: UTF8.self) == "found in \(workingDirectory)\n")
        let relative = try await UVProcess.run(executable: "./tool", arguments: [], environment: environment,
                                               currentDirectory: dir.path, timeoutMilliseconds: 5_000)
        #expect(String(decoding: relative.stdout, as: UTF8.self) == "found in \(dir.path)\n")
    }

    @Test func capsOutputAndKeepsDraining() async throws {
        // 200 KB on each stream with a 1000-byte cap: the child is never blocked by a full pipe.
        let result = try await sh("head -c 200000 /dev/zero; head -c 200000 /dev/zero >&2; echo end >&2",
                                  outputLimit: 1_000)
        #expect(result.stdout.count == 1_000)
        #expect(result.stderr.count == 1_000)
        #expect(result.truncated)
        #expect(result.exitStatus == 0)
    }

    @Test func cancellationReturnsAtOnceAndKillsTheChild() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let pidFile = dir.path + "/pid"
        let start = ContinuousClock.now
        let task = Task {
            try await UVProcess.run(executable: "/bin/sh", arguments: ["-c", "echo $$ > \(pidFile); exec sleep 10"],
                                    environment: environment, timeoutMilliseconds: 20_000)
        }
        var pid: Int32 = 0
        for _ in 0..<200 where pid == 0 {
            try await Task.sleep(for: .milliseconds(10))
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), text.hasSuffix("\n") {
                pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            }
        }
        #expect(pid > 0)
        task.cancel()
        let outcome = await task.result
        #expect(ContinuousClock.now - start < .seconds(8))
        #expect(throws: UVError.self) { try outcome.get() }
        if case .failure(let error as UVError) = outcome { #expect(error.name == "ECANCELED") }
        // The loop reaps the child shortly after SIGTERM; until then it may linger as a zombie.
        var alive = true
        for _ in 0..<100 where alive {
            try await Task.sleep(for: .milliseconds(10))
            alive = kill(pid, 0) == 0
        }
        #expect(!alive)
    }

    @Test func alreadyCancelledTaskStartsNothing() async throws {
        let dir = try KubeTestDirectory()
        defer { dir.remove() }
        let marker = dir.path + "/ran"
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await UVProcess.run(executable: "/bin/sh", arguments: ["-c", "touch \(marker)"],
                                           environment: environment, timeoutMilliseconds: 5_000)
        }
        let outcome = await task.result
        #expect(throws: UVError.self) { try outcome.get() }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test @LoopActor func releasesItsHandlesAndItselfWhenFinished() async throws {
        weak var weakProcess: UVProcess?
        let spec = UVProcess.Spec(path: "/bin/echo", arguments: ["echo", "bye"], environment: [],
                                  currentDirectory: nil, timeoutMilliseconds: 5_000, outputLimit: 100)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<UVProcess.Outcome, Never>) in
            do throws(UVError) {
                weakProcess = try UVProcess.spawn(spec) { continuation.resume(returning: $0) }
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        #expect(try result.get().stdout == Array("bye\n".utf8))
        // The close callbacks run on the next loop iterations and drop the handles' retains.
        for _ in 0..<100 where weakProcess != nil {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(weakProcess == nil)
    }

    @Test func manyConcurrentRuns() async throws {
        try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<20 {
                group.addTask {
                    let result = try await UVProcess.run(executable: "/bin/echo", arguments: ["\(i)"],
                                                         environment: [:], timeoutMilliseconds: 5_000)
                    return String(decoding: result.stdout, as: UTF8.self)
                }
            }
            var seen = Set<String>()
            for try await text in group { seen.insert(text) }
            #expect(seen.count == 20)
        }
    }
}

extension KubeTestDirectory {
    /// Writes `contents` to `name` with mode 755 or 644 and returns its path.
    ///
    /// Scripts that tests run are written through a close-on-exec descriptor and renamed into place: Foundation
    /// opens files without `O_CLOEXEC`, so a child forked meanwhile by another test would keep the file open for
    /// writing and exec would fail with ETXTBSY.
    @discardableResult
    func write(_ name: String, _ contents: String, executable: Bool) throws -> String {
        let file = path + "/" + name
        let temporary = file + ".tmp-" + UUID().uuidString
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, executable ? 0o755 : 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count, rename(temporary, file) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return file
    }
}
