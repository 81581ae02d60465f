import Foundation
import Testing
@testable import Server

/// `KubectlTool` with a stand-in `kubectl` shell script on a private PATH: the argv and environment it gets,
/// stdin, exit codes, redaction of its JSON, and refusals that start no process.
@Suite(.serialized) struct KubectlToolTests {
    init() { RunningLoop.ensure() }

    /// A directory holding a fake `kubectl` that records each run in `runs.log`, prints its arguments and
    /// environment, echoes stdin for `-f -`, prints a Secret as JSON for `--output=json`, and fails for `fail`.
    final class FakeKubectl {
        let directory: String
        var log: String { directory + "/runs.log" }

        init() throws {
            directory = NSTemporaryDirectory() + "kubectl-tool-tests-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let script = """
                #!/bin/sh
                echo run >> "\(directory)/runs.log"
                case " $* " in
                  *" fail "*) echo "error: it failed" >&2; exit 3 ;;
                  *" slow "*) exec sleep 30 ;;
                  *" --output=json "*) printf '%s\\n' '\(KubectlOutputRendererTests.secretJSON)'; exit 0 ;;
                esac
                printf 'ARGS:'; for a in "$@"; do printf ' [%s]' "$a"; done; printf '\\n'
                env | sort | sed 's/^/ENV:/'
                case " $* " in *" -f - "*) cat ;; esac
                echo "a warning" >&2
                """
            try Self.writeExecutable(directory + "/kubectl", script)
        }

        /// Writes with `O_CLOEXEC`, so that a process another test spawns at that moment does not keep the file
        /// open for writing (which would make exec fail with ETXTBSY).
        static func writeExecutable(_ path: String, _ text: String) throws {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EIO) }
        }

        var runs: Int {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    private static let kubeConfig: LoadedKubeConfig = {
        let config = KubeConfig(contexts: [
            KubeConfig.NamedContext(name: "one", context: KubeConfig.Context(cluster: "c", user: "u"),
                                    origin: KubeConfig.Origin(file: "/kube/a", index: 0)),
            KubeConfig.NamedContext(name: "two", context: KubeConfig.Context(cluster: "c", user: "u"),
                                    origin: KubeConfig.Origin(file: "/kube/b", index: 0)),
        ], currentContext: "one")
        return LoadedKubeConfig(config: config, source: .kubeconfigVariable(["/kube/a", "/kube/b"]))
    }()

    private func tool(_ fake: FakeKubectl, flags: [String] = []) throws -> KubectlTool {
        let config = try Config.resolve(options: ServerOptions.parse(flags), environment: [:])
        return try #require(KubectlTool.make(kubeConfig: .success(Self.kubeConfig), config: config,
                                             environment: ["PATH": fake.directory + ":/usr/bin:/bin",
                                                           "SECRET_TOKEN": "do-not-pass"]))
    }

    private func call(_ tool: KubectlTool, _ arguments: JSONValue) async throws -> (text: String, isError: Bool) {
        let result = try await tool.call(arguments: try #require(arguments.objectValue), context: ToolContext())
        let text = result.content.map { block -> String in
            if case .text(let t) = block { return t }
            return ""
        }.joined(separator: "\n")
        return (text, result.isError)
    }

    @Test func notOfferedWithoutKubectlOnPath() throws {
        let config = try Config.resolve(options: ServerOptions.parse([]), environment: [:])
        #expect(KubectlTool.make(kubeConfig: .success(Self.kubeConfig), config: config,
                                 environment: ["PATH": "/nonexistent"]) == nil)
    }

    @Test func refusesWhenAllProcessSlotsAreTaken() async throws {
        let fake = try FakeKubectl()
        let kubectl = try tool(fake)
        for _ in 0..<KubectlSlots.defaultLimit { #expect(kubectl.slots.acquire()) }
        let busy = try await call(kubectl, ["args": ["get", "pods"]])
        #expect(busy.isError && busy.text.contains("already running"))
        #expect(fake.runs == 0)
        kubectl.slots.release()
        let ran = try await call(kubectl, ["args": ["get", "pods"]])
        #expect(!ran.isError, "\(ran.text)")
        #expect(fake.runs == 1)
        #expect(kubectl.slots.acquire() && !kubectl.slots.acquire(), "the finished call gave its slot back")
    }

    @Test func onlyCommandsThatWriteAreDestructive() throws {
        let kubectl = try tool(FakeKubectl())
        func destructive(_ args: [String]) -> Bool {
            kubectl.isDestructive(arguments: JSONObject([("args", JSONValue.array(args.map { JSONValue.string($0) }))]))
        }
        #expect(kubectl.definition.annotations.destructiveHint)
        #expect(!destructive(["get", "pods"]))
        #expect(!destructive(["rollout", "status", "deploy/web"]))
        #expect(destructive(["delete", "pod", "web-1"]))
        #expect(destructive(["apply", "-f", "-"]))
        #expect(destructive(["rollout", "restart", "deploy/web"]))
        #expect(!destructive(["get", "pods", "--token=x"]))  // refused: runs nothing
    }

    @Test func runsWithContextNamespaceAndAMinimalEnvironment() async throws {
        let fake = try FakeKubectl()
        let tool = try tool(fake, flags: ["--namespace", "shop"])
        let (text, isError) = try await call(tool, ["args": ["get", "pods"]])
        #expect(!isError, "\(text)")
        #expect(text.contains("ARGS: [--context=one] [--namespace=shop] [get] [pods]"))
        let env = text.split(separator: "\n").filter { $0.hasPrefix("ENV:") }.map { $0.dropFirst(4) }
        let names = Set(env.map { String($0.split(separator: "=", maxSplits: 1)[0]) })
        #expect(names.isSubset(of: ["PATH", "HOME", "KUBECONFIG", "LANG", "KUBECTL_KUBERC",
                                    "KUBECTL_ENABLE_CMD_SHADOW", "PWD", "SHLVL", "_", "OLDPWD"]), "\(names)")
        #expect(env.contains("KUBECONFIG=/kube/a:/kube/b"))
        #expect(env.contains("PATH=\(fake.directory):/usr/bin:/bin"))
        #expect(!text.contains("do-not-pass"))
        let home = try #require(env.first { $0.hasPrefix("HOME=") }).dropFirst(5)
        let attributes = try FileManager.default.attributesOfItem(atPath: String(home))
        #expect((attributes[FileAttributeKey.posixPermissions] as? NSNumber)?.intValue == 0o700)
        #expect(text.contains("kubectl wrote to stderr:\na warning"))
    }

    @Test func contextArgumentIsCheckedAndPassed() async throws {
        let fake = try FakeKubectl()
        let tool = try tool(fake)
        let (text, isError) = try await call(tool, ["args": ["get", "pods"], "context": "two"])
        #expect(!isError)
        #expect(text.contains("ARGS: [--context=two] [get] [pods]"))
        let (unknown, unknownIsError) = try await call(tool, ["args": ["get", "pods"], "context": "three"])
        #expect(unknownIsError)
        #expect(unknown.contains("one, two"))
    }

    @Test func manifestReachesStandardInput() async throws {
        let fake = try FakeKubectl()
        let (text, isError) = try await call(try tool(fake), ["args": ["apply", "-f", "-"],
                                                              "stdin": "kind: ConfigMap\nmetadata:\n  name: x\n"])
        #expect(!isError, "\(text)")
        #expect(text.contains("kind: ConfigMap\nmetadata:\n  name: x"))
    }

    @Test func standardInputMustMatchTheArguments() async throws {
        let fake = try FakeKubectl()
        let tool = try tool(fake)
        let (noStdin, e1) = try await call(tool, ["args": ["apply", "-f", "-"]])
        #expect(e1 && noStdin.contains("stdin is empty"))
        let (noFlag, e2) = try await call(tool, ["args": ["get", "pods"], "stdin": "x"])
        #expect(e2 && noFlag.contains("only read with -f -"))
        let big = String(repeating: "a", count: KubectlTool.maxStandardInputBytes + 1)
        let (tooBig, e3) = try await call(tool, ["args": ["apply", "-f", "-"], "stdin": .string(big)])
        #expect(e3 && tooBig.contains("1 MiB"))
        #expect(fake.runs == 0)
    }

    @Test func structuredOutputIsRedacted() async throws {
        let fake = try FakeKubectl()
        let (text, isError) = try await call(try tool(fake), ["args": ["get", "secret", "db", "-o", "yaml"]])
        #expect(!isError, "\(text)")
        #expect(text.contains("password: REDACTED"))
        #expect(!text.contains("czNjcjN0"))
    }

    @Test func failureReportsExitStatusAndStderr() async throws {
        let fake = try FakeKubectl()
        let (text, isError) = try await call(try tool(fake), ["args": ["get", "fail"]])
        #expect(isError)
        #expect(text.contains("exited with status 3"))
        #expect(text.contains("error: it failed"))
    }

    @Test func refusalsStartNoProcess() async throws {
        let fake = try FakeKubectl()
        let tool = try tool(fake)
        for args: [String] in [["get", "pods", "--server=https://evil"], ["get", "pods;id"], ["exec", "x"],
                               ["--token=x", "get", "pods"], ["get", "pods", "-s", "x"]] {
            let (text, isError) = try await call(tool, ["args": .array(args.map(JSONValue.string))])
            #expect(isError)
            #expect(text.hasPrefix("kubectl refused"), "\(text)")
        }
        #expect(fake.runs == 0)
    }

    @Test func readOnlyServerRefusesWritesAndDeclaresTheToolReadOnly() async throws {
        let fake = try FakeKubectl()
        let tool = try tool(fake, flags: ["--read-only"])
        #expect(tool.definition.annotations.readOnlyHint)
        let (text, isError) = try await call(tool, ["args": ["delete", "pod", "x"]])
        #expect(isError && text.contains("--read-only"))
        #expect(fake.runs == 0)
    }

    @Test func timeoutStopsKubectl() async throws {
        let fake = try FakeKubectl()
        let started = Date()
        let (text, isError) = try await call(try tool(fake), ["args": ["get", "slow"], "timeoutSeconds": 1])
        #expect(isError && text.contains("did not finish within 1 s"))
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
