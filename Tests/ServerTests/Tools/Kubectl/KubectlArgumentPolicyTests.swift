import Testing
@testable import Server

/// `KubectlArgumentPolicy`: which argv the kubectl tool runs, how it is rewritten, and what is refused (with
/// the token and the rule in the message). Pure; no process is started.
@Suite struct KubectlArgumentPolicyTests {
    private let writable = KubectlArgumentPolicy(readOnly: false, showSecrets: false)
    private let readOnly = KubectlArgumentPolicy(readOnly: true, showSecrets: false)
    private let showing = KubectlArgumentPolicy(readOnly: false, showSecrets: true)

    private func refusal(_ args: [String], policy: KubectlArgumentPolicy? = nil) -> KubectlRefusal? {
        do {
            _ = try (policy ?? writable).check(args)
            return nil
        } catch {
            return error
        }
    }

    // MARK: Allowed

    static let allowedCommands: [[String]] = [
        ["get", "pods", "-n", "default"],
        ["get", "pods", "-A"],
        ["get", "pods", "--all-namespaces", "-l", "app=web,tier!=cache"],
        ["get", "pods", "-lapp=web"],
        ["get", "pods", "--field-selector=status.phase=Running"],
        ["get", "deploy", "web", "-o", "wide"],
        ["get", "pods", "-o", "name"],
        ["get", "--raw", "/api/v1/namespaces/default/pods"],
        ["get", "--raw=/healthz"],
        ["get", "pods", "-n", "token"],
        ["describe", "pod", "web-1", "-n", "shop"],
        ["logs", "web-1", "-c", "app", "--tail=50"],
        ["logs", "web-1", "-p"],
        ["logs", "web-1", "--tail", "-1"],
        ["logs", "-l", "app=web", "--since=10m"],
        ["top", "pod", "-A"],
        ["top", "nodes"],
        ["explain", "deployment.spec.replicas"],
        ["explain", "pods", "--output=plaintext-openapiv2"],
        ["api-resources"],
        ["api-resources", "-o", "wide"],
        ["api-versions"],
        ["version"],
        ["cluster-info"],
        ["events", "-n", "shop"],
        ["auth", "can-i", "list", "pods"],
        ["auth", "whoami"],
        ["wait", "--for=condition=Ready", "pod/web-1", "--timeout=20s"],
        ["rollout", "status", "deploy/web", "-w"],
        ["rollout", "history", "deployment/web"],
        ["apply", "-f", "-"],
        ["apply", "-f=-"],
        ["apply", "-f-"],
        ["apply", "--filename=-", "--server-side", "--dry-run=server"],
        ["apply", "--filename", "-"],
        ["create", "-f", "-"],
        ["create", "deployment", "web", "--image=nginx", "--replicas=2"],
        ["create", "secret", "generic", "token", "--from-literal=key=value"],
        ["create", "configmap", "settings", "--from-literal=a=b"],
        ["delete", "pod", "web-1", "--grace-period=0"],
        ["delete", "-f", "-"],
        ["scale", "deploy/web", "--replicas=3"],
        ["rollout", "restart", "deploy/web"],
        ["rollout", "undo", "deploy/web", "--to-revision=2"],
        ["label", "pod", "web-1", "tier=front"],
        ["annotate", "pod", "web-1", "note=hello"],
        ["patch", "deploy", "web", "-p", "{\"spec\":{\"replicas\":2}}"],
        ["patch", "deploy", "web", "--type=json", "-p", "[{\"op\":\"remove\",\"path\":\"/spec/x\"}]"],
        ["set", "image", "deploy/web", "app=nginx:1.27"],
        ["set", "env", "deploy/web", "-e", "MODE=fast"],
        ["cordon", "node-1"],
        ["uncordon", "node-1"],
        ["drain", "node-1", "--ignore-daemonsets"],
        ["taint", "nodes", "node-1", "key=value:NoSchedule"],
        ["expose", "deploy", "web", "--port=80"],
        ["run", "tmp", "--image=busybox", "--restart=Never", "--", "echo", "hello"],
        ["autoscale", "deploy", "web", "--min=1", "--max=3"],
        ["replace", "-f", "-"],
    ]

    @Test(arguments: allowedCommands)
    func allowsCommand(_ args: [String]) throws {
        let invocation = try writable.check(args)
        #expect(invocation.verb == args[0])
    }

    static let readCommands: [[String]] = [
        ["get", "pods"], ["describe", "pod", "x"], ["logs", "x"], ["top", "pod"], ["explain", "pods"],
        ["api-resources"], ["api-versions"], ["version"], ["cluster-info"], ["events"], ["auth", "can-i", "get", "pods"],
        ["auth", "whoami"], ["wait", "--for=delete", "pod/x"], ["rollout", "status", "deploy/x"],
        ["rollout", "history", "deploy/x"],
    ]

    @Test(arguments: readCommands)
    func readOnlyAllowsReads(_ args: [String]) throws {
        let invocation = try readOnly.check(args)
        #expect(!invocation.writes)
    }

    static let writeCommands: [[String]] = [
        ["apply", "-f", "-"], ["create", "-f", "-"], ["create", "namespace", "x"], ["delete", "pod", "x"],
        ["scale", "deploy/x", "--replicas=1"], ["rollout", "restart", "deploy/x"], ["rollout", "undo", "deploy/x"],
        ["rollout", "pause", "deploy/x"], ["rollout", "resume", "deploy/x"], ["label", "pod", "x", "a=b"],
        ["annotate", "pod", "x", "a=b"], ["patch", "pod", "x", "-p", "{}"], ["set", "image", "deploy/x", "a=b"],
        ["cordon", "n"], ["uncordon", "n"], ["drain", "n"], ["taint", "nodes", "n", "k=v:NoSchedule"],
        ["expose", "deploy", "x", "--port=80"], ["run", "x", "--image=busybox"], ["autoscale", "deploy", "x", "--max=2"],
        ["replace", "-f", "-"], ["diff", "-f", "-"],
    ]

    @Test(arguments: writeCommands)
    func readOnlyRefusesWrites(_ args: [String]) throws {
        #expect(try showing.check(args).writes)
        let refused = try #require(refusal(args, policy: readOnly))
        #expect(refused.message.contains("--read-only"))
        #expect(refused.message.contains(args[0]))
    }

    // MARK: Refused flags, in every spelling and position

    /// Flags refused whatever their value, as `--name`.
    static let refusedLongFlags = [
        "--server", "--kubeconfig", "--token", "--as", "--as-group", "--as-uid", "--insecure-skip-tls-verify",
        "--certificate-authority", "--client-certificate", "--client-key", "--client-anything", "--cluster",
        "--user", "--username", "--password", "--tls-server-name", "--overrides", "--context", "--cache-dir",
        "--profile", "--profile-output", "--v", "--vmodule", "--log-file", "--log-dir", "--log-flush-frequency",
        "--logtostderr", "--alsologtostderr", "--kustomize", "--template", "--from-file", "--from-env-file",
        "--patch-file", "--cert", "--key", "--kuberc", "--output-directory", "--stdin", "--tty", "--attach",
        "--resolve", "--as-user-extra", "--insecure-skip-tls-verify-backend", "--tls-anything",
    ]

    /// Each flag as `--x=v`, `--x v`, in a positional slot, before the resource, with underscores and in
    /// upper case.
    static let refusedLongFlagSpellings: [[String]] = refusedLongFlags.flatMap { flag -> [[String]] in
        let underscored = "--" + flag.dropFirst(2).replacingOccurrences(of: "-", with: "_")
        return [
            ["get", "pods", "\(flag)=value"],
            ["get", "pods", flag, "value"],
            ["get", "\(flag)=value", "pods"],
            ["describe", "pod", "web", flag],
            ["get", "pods", "\(underscored)=value"],
            ["get", "pods", "\(flag.uppercased())=value"],
            ["apply", "-f", "-", "\(flag)=value"],
        ]
    }

    @Test(arguments: refusedLongFlagSpellings)
    func refusesLongFlag(_ args: [String]) throws {
        let refused = try #require(refusal(args))
        let token = try #require(refused.token)
        #expect(args.contains(token), "\(refused.message)")
        #expect(refused.message.hasPrefix("kubectl refused \""))
    }

    static let refusedShortFlags: [[String]] = [
        ["get", "pods", "-s", "https://evil.example"],
        ["get", "pods", "-s=https://evil.example"],
        ["get", "pods", "-shttps://evil.example"],
        ["get", "pods", "-As", "https://evil.example"],
        ["get", "pods", "-v", "9"], ["get", "pods", "-v=9"], ["get", "pods", "-v9"], ["get", "pods", "-Av9"],
        ["get", "pods", "-k", "dir"], ["apply", "-k", "."], ["apply", "-kdir"],
        ["run", "x", "--image=busybox", "-i"], ["run", "x", "--image=busybox", "-it"],
        ["run", "x", "--image=busybox", "-t"],
        ["get", "pods", "-w"], ["get", "pods", "-Aw"], ["events", "-w"],
        ["logs", "web-1", "-f"], ["logs", "web-1", "-pf"],
        ["get", "pods", "-x"], ["get", "pods", "-Z"],
    ]

    @Test(arguments: refusedShortFlags)
    func refusesShortFlag(_ args: [String]) throws {
        let refused = try #require(refusal(args))
        #expect(refused.token.map { args.contains($0) } == true, "\(refused.message)")
    }

    @Test func refusesServerFlagHiddenAsTheFirstToken() throws {
        let refused = try #require(refusal(["--token=x", "get", "pods"]))
        #expect(refused.token == "--token=x")
        #expect(refused.message.contains("first argument must be the command"))
    }

    @Test func refusesImpersonationInAPositionalSlot() throws {
        let refused = try #require(refusal(["get", "pods", "--as=admin"]))
        #expect(refused.token == "--as=admin")
        #expect(refused.message.contains("whom it acts as"))
        #expect(refused.message.contains("context argument"))
    }

    @Test func refusesContextFlagPointingToTheArgument() throws {
        let refused = try #require(refusal(["get", "pods", "--context=other"]))
        #expect(refused.message.contains("tool's context argument"))
    }

    static let refusedFiles: [[String]] = [
        ["apply", "-f", "/etc/passwd"], ["apply", "-f=/etc/passwd"], ["apply", "-f/etc/passwd"],
        ["apply", "--filename=https://evil.example/x.yaml"], ["apply", "--filename", "manifest.yaml"],
        ["create", "-Rf", "dir"], ["delete", "-f", "--server=x"], ["apply", "-f"],
    ]

    @Test(arguments: refusedFiles)
    func refusesFilesOtherThanStandardInput(_ args: [String]) throws {
        let refused = try #require(refusal(args))
        #expect(refused.message.contains("-f") || refused.message.contains("--server"), "\(refused.message)")
    }

    @Test func standardInputIsDetected() throws {
        #expect(try writable.check(["apply", "-f", "-"]).readsStandardInput)
        #expect(try writable.check(["apply", "--filename=-"]).readsStandardInput)
        #expect(try !writable.check(["get", "pods"]).readsStandardInput)
        // After `--`, `-f -` belongs to the container command.
        #expect(try !writable.check(["run", "x", "--image=busybox", "--", "tail", "-f", "-"]).readsStandardInput)
    }

    static let refusedRaw: [[String]] = [
        ["get", "--raw", "https://evil.example/api"], ["get", "--raw=//evil.example/api"],
        ["get", "--raw", "api/v1/pods"], ["get", "--raw", "/api/v1/pods?watch=true"],
        ["get", "--raw", "/api/v1/watch/pods"], ["delete", "--raw", "/api/v1/namespaces/x"],
        ["get", "--raw", "/api/v1/pods", "-o", "yaml"],
    ]

    @Test(arguments: refusedRaw)
    func refusesRawOutsideTheAPIServer(_ args: [String]) throws {
        #expect(refusal(args) != nil)
    }

    // MARK: Metacharacters

    static let injections: [String] = [
        "pods; rm -rf /", "pods|cat", "pods && id", "pods & id", "`id`", "$(id)", "${HOME}", "pods > /tmp/x",
        "pods < /etc/passwd", "pods\nget secrets", "pods\r", "pods\u{0}", "pods\u{1B}[31m", "pods\u{202E}",
        "pods\u{2028}", "tab\there",
    ]

    @Test(arguments: injections)
    func refusesMetacharactersAnywhere(_ token: String) throws {
        for args in [["get", token], ["get", "pods", "-l", token], ["run", "x", "--image=busybox", "--", "sh", token],
                     [token, "get"]] {
            let refused = try #require(refusal(args), "\(args)")
            #expect(refused.token == token)
            #expect(!refused.message.contains("\n"), "the message escapes control characters")
        }
    }

    // MARK: Verbs

    static let refusedVerbs = [
        "exec", "attach", "cp", "port-forward", "proxy", "edit", "debug", "config", "plugin", "completion", "alpha",
        "kustomize", "certificate", "help", "options", "foo", "krew", "ctx", "GET", "",
    ]

    @Test(arguments: refusedVerbs)
    func refusesVerb(_ verb: String) throws {
        let refused = try #require(refusal([verb, "x"]))
        #expect(refused.token == verb)
    }

    @Test func unknownVerbIsRefusedAsAPlugin() throws {
        let refused = try #require(refusal(["krew", "install", "x"]))
        #expect(refused.message.contains("plugin"))
        #expect(refused.message.contains("kubectl-krew"))
    }

    static let refusedSubcommands: [[String]] = [
        ["cluster-info", "dump"], ["cluster-info", "--request-timeout=5s", "dump"],
        ["auth", "reconcile", "-f", "-"], ["auth"], ["auth", "-n", "x", "reconcile"],
        ["apply", "view-last-applied", "secret/x"], ["apply", "-n", "x", "edit-last-applied", "deploy/x"],
        ["apply", "set-last-applied", "-f", "-"],
        ["create", "token", "default"], ["create", "-n", "x", "token", "default"], ["create", "myplugin"],
        ["rollout", "frobnicate"], ["rollout", "-n", "x", "restart", "deploy/x"], ["top", "everything"],
        ["set", "something"],
    ]

    @Test(arguments: refusedSubcommands)
    func refusesSubcommand(_ args: [String]) throws {
        #expect(refusal(args) != nil)
    }

    @Test func readOnlyRefusesWriteSubcommandOfRollout() throws {
        let refused = try #require(refusal(["rollout", "restart", "deploy/x"], policy: readOnly))
        #expect(refused.token == "rollout restart")
        #expect(refused.message.contains("--read-only"))
    }

    @Test func refusesWatchAndFollow() throws {
        for args in [["get", "pods", "--watch"], ["get", "pods", "--watch-only"], ["logs", "x", "--follow"],
                     ["logs", "x", "-f"], ["events", "--watch=true"]] {
            #expect(refusal(args) != nil, "\(args)")
        }
        #expect(refusal(["get", "pods", "--watch=false"]) == nil)
        #expect(refusal(["rollout", "status", "deploy/x", "--watch=true"]) == nil)
    }

    @Test func diffNeedsShowSecrets() throws {
        let refused = try #require(refusal(["diff", "-f", "-"]))
        #expect(refused.message.contains("--show-secrets"))
        #expect(refusal(["diff", "-f", "-"], policy: showing) == nil)
    }

    @Test func annotateListNeedsShowSecrets() throws {
        #expect(refusal(["annotate", "secret", "x", "--list"]) != nil)
        #expect(refusal(["annotate", "secret", "x", "--list"], policy: showing) == nil)
        #expect(refusal(["set", "env", "deploy/x", "--list", "--resolve"]) != nil)
        #expect(refusal(["set", "env", "deploy/x", "--list", "--resolve"], policy: showing) == nil)
    }

    @Test func refusesTooManyArguments() throws {
        #expect(refusal([]) != nil)
        #expect(refusal(["get"] + Array(repeating: "pods", count: 300)) != nil)
        #expect(refusal(["get", String(repeating: "a", count: 70_000)]) != nil)
    }

    // MARK: Output

    static let outputSpellings: [([String], ListFormat)] = [
        (["get", "deploy", "-o", "yaml"], .yaml), (["get", "deploy", "-oyaml"], .yaml),
        (["get", "deploy", "-o=yaml"], .yaml), (["get", "deploy", "--output=yaml"], .yaml),
        (["get", "deploy", "--output", "yaml"], .yaml), (["get", "deploy", "-Ao", "yaml"], .yaml),
        (["get", "deploy", "-Aoyaml"], .yaml), (["get", "deploy", "-o", "json"], .json),
        (["get", "deploy", "-ojson"], .json), (["get", "deploy", "-o", "wide", "-o", "json"], .json),
    ]

    @Test(arguments: outputSpellings)
    func rewritesStructuredOutputToJSON(_ args: [String], _ format: ListFormat) throws {
        let invocation = try writable.check(args)
        #expect(invocation.output == .structured(format))
        #expect(invocation.arguments.filter { $0.contains("yaml") || $0.hasPrefix("-o") || $0.hasPrefix("--output") }
                == ["--output=json"], "\(invocation.arguments)")
        #expect(invocation.arguments.contains("deploy"))
        if args.contains(where: { $0.hasPrefix("-A") }) { #expect(invocation.arguments.contains("-A")) }
    }

    @Test func keepsTextOutputFormats() throws {
        let wide = try writable.check(["get", "pods", "-o", "wide"])
        #expect(wide.output == .text)
        #expect(wide.arguments == ["get", "pods", "--output=wide"])
        let plain = try writable.check(["get", "pods"])
        #expect(plain.output == .text)
        #expect(plain.arguments == ["get", "pods"])
    }

    @Test func structuredOutputFlagStaysBeforeDoubleDash() throws {
        let invocation = try writable.check(["run", "x", "--image=busybox", "-o", "yaml", "--dry-run=client", "--",
                                             "echo", "-o", "hi"])
        #expect(invocation.arguments == ["run", "x", "--image=busybox", "--output=json", "--dry-run=client", "--",
                                         "echo", "-o", "hi"])
    }

    static let templateOutputs = [
        "jsonpath={.data}", "jsonpath-as-json={.data}", "go-template={{.data}}", "custom-columns=D:.data",
        "template={{.data}}",
    ]

    @Test(arguments: templateOutputs)
    func templatesNeedShowSecrets(_ format: String) throws {
        let refused = try #require(refusal(["get", "secret", "x", "-o", format]))
        #expect(refused.message.contains("--show-secrets"))
        #expect(try showing.check(["get", "secret", "x", "-o", format]).output == .text)
    }

    @Test func templateFilesAreRefusedEvenWithShowSecrets() throws {
        for format in ["jsonpath-file=/etc/passwd", "go-template-file=/etc/passwd", "custom-columns-file=/x",
                       "templatefile=/x"] {
            #expect(refusal(["get", "pods", "-o", format], policy: showing) != nil, "\(format)")
        }
    }

    @Test func unknownOutputFormatIsRefused() throws {
        #expect(refusal(["get", "pods", "-o", "kyaml"]) != nil)
        #expect(refusal(["get", "pods", "-o", "--server=x"]) != nil)
    }

    @Test func rawModeIsRecognised() throws {
        #expect(try writable.check(["get", "--raw", "/api/v1/pods"]).output == .raw)
    }

    // MARK: Messages

    @Test func refusalQuotesTheTokenEscapedAndShort() {
        #expect(KubectlRefusal.quoted("a\nb\"c\\") == "\"a\\nb\\\"c\\\\\"")
        #expect(KubectlRefusal.quoted("\u{1B}") == "\"\\u{1B}\"")
        #expect(KubectlRefusal.quoted(String(repeating: "x", count: 200)).count == 83)
    }

    @Test func descriptionListsCommands() {
        let readOnlyText = KubectlTool.definition(readOnly: true).description
        #expect(readOnlyText.contains("get"))
        #expect(!readOnlyText.contains("autoscale"))
        #expect(KubectlTool.definition(readOnly: false).description.contains("autoscale"))
        #expect(KubectlTool.definition(readOnly: true).annotations.readOnlyHint)
        let writing = KubectlTool.definition(readOnly: false).annotations
        #expect(!writing.readOnlyHint && writing.destructiveHint && !writing.idempotentHint && !writing.openWorldHint)
    }
}
