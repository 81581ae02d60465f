/// One kubectl command the tool allows, with what it does to the cluster and how its subcommands are checked.
///
/// Plain value, any thread. `KubectlVerb.allowed` is the allow-list; `KubectlVerb.refusedReasons` says why the
/// well-known commands outside it are refused. Anything else is refused as a possible plugin: kubectl runs
/// `kubectl-<verb>` from `PATH` for a verb it does not know.
struct KubectlVerb: Sendable, Equatable {
    /// The command as typed (`get`, `rollout`).
    var name: String
    /// True when the command changes the cluster (refused in read-only mode).
    var writes: Bool
    /// When set, the token after the verb must be one of these subcommands (name → whether it writes, which
    /// overrides `writes`).
    var subcommands: [String: Bool]?
    /// When true, a flag may stand where the subcommand goes (`create -f -`); `bannedPositionals` then applies.
    var subcommandOptional: Bool
    /// Tokens refused anywhere in the arguments when no subcommand was named first (token → why): kubectl
    /// finds a subcommand after flags too (`cluster-info --request-timeout=5s dump`).
    var bannedPositionals: [String: String]

    init(_ name: String, writes: Bool, subcommands: [String: Bool]? = nil, subcommandOptional: Bool = false,
         bannedPositionals: [String: String] = [:]) {
        self.name = name
        self.writes = writes
        self.subcommands = subcommands
        self.subcommandOptional = subcommandOptional
        self.bannedPositionals = bannedPositionals
    }

    /// Every allowed command, keyed by name.
    static let allowed: [String: KubectlVerb] = {
        let reads: [KubectlVerb] = [
            KubectlVerb("get", writes: false),
            KubectlVerb("describe", writes: false),
            KubectlVerb("logs", writes: false),
            KubectlVerb("top", writes: false, subcommands: Dictionary(uniqueKeysWithValues:
                ["node", "nodes", "no", "pod", "pods", "po"].map { ($0, false) })),
            KubectlVerb("explain", writes: false),
            KubectlVerb("api-resources", writes: false),
            KubectlVerb("api-versions", writes: false),
            KubectlVerb("version", writes: false),
            KubectlVerb("cluster-info", writes: false, bannedPositionals: [
                "dump": "cluster-info dump copies every object and log of the cluster and can write files on the "
                    + "server; use get and logs for what you need",
            ]),
            KubectlVerb("events", writes: false),
            KubectlVerb("auth", writes: false, subcommands: ["can-i": false, "whoami": false]),
            KubectlVerb("wait", writes: false),
        ]
        let writes: [KubectlVerb] = [
            KubectlVerb("apply", writes: true, bannedPositionals: [
                "view-last-applied": "it prints the last-applied annotation, which can hold Secret values; "
                    + "use get -o yaml",
                "edit-last-applied": "it opens an editor, and this tool has no terminal; use apply -f - or patch",
                "set-last-applied": "it rewrites the last-applied annotation; use apply -f -",
            ]),
            KubectlVerb("create", writes: true, subcommands: createSubcommands, subcommandOptional: true,
                        bannedPositionals: [
                            "token": "create token mints a credential for another identity",
                        ]),
            KubectlVerb("delete", writes: true),
            KubectlVerb("scale", writes: true),
            KubectlVerb("rollout", writes: true, subcommands: [
                "status": false, "history": false, "restart": true, "undo": true, "pause": true, "resume": true,
            ]),
            KubectlVerb("label", writes: true),
            KubectlVerb("annotate", writes: true),
            KubectlVerb("patch", writes: true),
            KubectlVerb("set", writes: true, subcommands: Dictionary(uniqueKeysWithValues:
                ["env", "image", "resources", "selector", "serviceaccount", "sa", "subject"].map { ($0, true) })),
            KubectlVerb("cordon", writes: true),
            KubectlVerb("uncordon", writes: true),
            KubectlVerb("drain", writes: true),
            KubectlVerb("taint", writes: true),
            KubectlVerb("expose", writes: true),
            KubectlVerb("run", writes: true),
            KubectlVerb("autoscale", writes: true),
            KubectlVerb("replace", writes: true),
            // diff sends server-side dry-run PATCH requests: not a read, so not offered in read-only mode. It prints
            // objects as text, Secret values included: allowed only with --show-secrets (see the policy).
            KubectlVerb("diff", writes: true),
        ]
        return Dictionary(uniqueKeysWithValues: (reads + writes).map { ($0.name, $0) })
    }()

    /// `kubectl create` subcommands and their aliases (`token` is left out on purpose).
    static let createSubcommands: [String: Bool] = Dictionary(uniqueKeysWithValues: [
        "clusterrole", "clusterrolebinding", "configmap", "cm", "cronjob", "cj", "deployment", "deploy",
        "ingress", "ing", "job", "namespace", "ns", "poddisruptionbudget", "pdb", "priorityclass", "pc", "quota",
        "resourcequota", "role", "rolebinding", "secret", "service", "svc", "serviceaccount", "sa",
    ].map { ($0, true) })

    /// Why well-known commands are refused, and what to use instead.
    static let refusedReasons: [String: (rule: String, instead: String)] = [
        "exec": ("running commands in containers is not offered through kubectl",
                 "Use the pods_exec tool (argv array, time limit, output cap)."),
        "attach": ("attaching to a container needs a terminal", "Read its output with logs."),
        "cp": ("cp reads and writes files on the server's machine", "Use pods_exec to read a file in the pod."),
        "port-forward": ("port-forward opens a listening socket on the server's machine", ""),
        "proxy": ("proxy opens a listening socket on the server's machine",
                  "Use get --raw /path for API paths."),
        "edit": ("edit opens an editor, and this tool has no terminal",
                 "Use patch, or get -o yaml and apply -f - with the changed manifest as stdin."),
        "debug": ("debug creates privileged debugging pods and attaches to them", ""),
        "config": ("config reads and writes the server's kubeconfig",
                   "Use configuration_view and configuration_contexts_list, and this tool's context argument."),
        "plugin": ("kubectl plugins are programs on the server's machine", ""),
        "completion": ("shell completion scripts are of no use here", ""),
        "alpha": ("alpha commands are not on the allow-list", ""),
        "kustomize": ("kustomize reads directories on the server's machine",
                      "Render the manifest yourself and send it as stdin with apply -f -."),
        "certificate": ("approving or denying certificate requests grants credentials", ""),
        "options": ("options only prints help", ""),
        "help": ("help only prints help", ""),
    ]
}
