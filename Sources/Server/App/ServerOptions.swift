import ArgumentParser

/// The command-line options of `kube-mcp`, as parsed; `Config.resolve(options:environment:)` merges them with
/// the environment and defaults and validates the result.
///
/// Plain value, used once on the main thread at startup. Every option is optional here so that
/// "not given" can be told apart from "given as the default" (a flag beats its environment variable).
public struct ServerOptions: ParsableArguments, Sendable {
    /// The environment variables the server reads, for the command's `discussion`.
    public static let discussion = """
        Every option that has an environment variable can be set either way; a command-line flag wins over \
        the environment, which wins over the default.

        Environment variables:
          MCP_HOST              Address to listen on (--host).
          MCP_PORT              Port to listen on (--port).
          MCP_READ_ONLY         true/false/1/0/yes/no: refuse tools that change the cluster (--read-only).
          MCP_DISABLE_DESTRUCTIVE
                                true/false/1/0/yes/no: refuse tools that delete or overwrite (--disable-destructive).
          MCP_ENABLED_TOOLS     Comma-separated tool names: offer only these (--enabled-tools).
          MCP_DISABLED_TOOLS    Comma-separated tool names: never offer these (--disabled-tools).
          MCP_DENIED_RESOURCES  Comma-separated group/version/kind: refuse every API request for them (--denied-resources).
          MCP_ALLOWED_NAMESPACES
                                Comma-separated namespaces: refuse API requests elsewhere (--allowed-namespaces).
          MCP_LOG_LEVEL         trace, debug, info, notice, warning, error or critical (--log-level).
          MCP_DEBUG             1/true/yes: log at debug level when no level is given.
          MCP_AUTH_TOKEN_FILE   File of accepted bearer tokens (--auth-token-file).
          MCP_ALLOWED_HOSTS     Comma-separated Host header values to accept (--allowed-host).
          MCP_ALLOWED_ORIGINS   Comma-separated Origin header values to accept (--allowed-origin).
          MCP_LIST_OUTPUT       table, yaml or json: how list tools answer (--list-output).
          MCP_CONFIRM_DESTRUCTIVE
                                true/false/1/0/yes/no: ask before destructive tools run (--confirm-destructive).
          MCP_CONFIRM_FALLBACK  allow or deny: destructive calls when the client cannot be asked (--confirm-fallback).
          MCP_TOOL_RATE_LIMIT   Tool calls per second per session, 0 for no limit (--tool-rate-limit).
          MCP_TOOL_RATE_BURST   Tool calls allowed at once above the rate (--tool-rate-burst).
          K8S_KUBECONFIG_PATH   Kubeconfig file to use (--kubeconfig).
          K8S_CONTEXT           Kubeconfig context to use (--context).
          K8S_NAMESPACE         Default namespace for namespaced tools (--namespace).
          KUBECONFIG            Colon-separated kubeconfig files, merged as kubectl does, when no path is given.
          HOME                  Where ~/.kube/config is looked for when KUBECONFIG is not set.
          KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT
                                Set inside a pod: use the pod's service account when no kubeconfig is found.
        """

    // MARK: Listening

    @Option(name: .long, help: ArgumentHelp(
        "The address to listen on: localhost, an IPv4 or IPv6 literal, or 0.0.0.0 or :: for all interfaces.",
        valueName: "address"))
    public var host: String?

    @Option(name: .long, help: ArgumentHelp(
        "The TCP port to listen on, from 0 to 65535; 0 picks a free port (default 8080).", valueName: "port"))
    public var port: Int?

    @Flag(name: .long, help: "Serve one MCP session over standard input and output instead of HTTP.")
    public var stdio = false

    @Flag(name: .long, help: ArgumentHelp(
        "Print the table of tools (name, title, hints, description) as Markdown and exit; the README's tool table is this output.",
        visibility: .hidden))
    public var printToolTable = false

    @Flag(name: .long, help: "Answer each HTTP request on its own, without MCP sessions or server-sent streams.")
    public var stateless = false

    // MARK: Kubernetes

    @Option(name: .long, help: ArgumentHelp(
        "The kubeconfig file to use; without it KUBECONFIG, ~/.kube/config and the in-cluster service account "
            + "are tried in that order.",
        valueName: "path"))
    public var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp(
        "The kubeconfig context to use instead of the file's current-context.", valueName: "name"))
    public var context: String?

    @Option(name: .long, help: ArgumentHelp(
        "The namespace tools use when none is given, instead of the context's namespace.", valueName: "name"))
    public var namespace: String?

    // MARK: Guard rails

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Offer and allow only tools that do not change the cluster, and send only GET requests to the API server "
            + "(no exec, attach, port-forward or proxy either)."))
    public var readOnly: Bool?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Hide and refuse tools that can delete or overwrite (annotated destructive); other writes stay allowed."))
    public var disableDestructive: Bool?

    @Option(name: .customLong("enabled-tools"), help: ArgumentHelp(
        "Offer only these tools (an allow-list); repeat the option or separate names with commas.",
        valueName: "names"))
    public var enabledTools: [String] = []

    @Option(name: .customLong("disabled-tools"), help: ArgumentHelp(
        "Never offer these tools; repeat the option or separate names with commas.", valueName: "names"))
    public var disabledTools: [String] = []

    @Option(name: .customLong("denied-resources"), help: ArgumentHelp(
        "Refuse every API request for these kinds, in every version of their group: group/version/kind, e.g. "
            + "v1/Secret (core group; also /v1/Secret), rbac.authorization.k8s.io/v1/ClusterRole, apps/*/Deployment; "
            + "repeat the option or separate with commas.",
        valueName: "group/version/kind"))
    public var deniedResources: [String] = []

    @Option(name: .customLong("allowed-namespaces"), help: ArgumentHelp(
        "Allow API requests only in these namespaces: lists across namespaces are narrowed to them, other "
            + "namespaces and cluster-scoped writes are refused (cluster-scoped reads stay allowed); repeat the "
            + "option or separate with commas.",
        valueName: "names"))
    public var allowedNamespaces: [String] = []

    // MARK: Tool output and the Kubernetes client

    @Option(name: .long, help: ArgumentHelp(
        "How list tools show their results: table (compact, the default), yaml or json (env MCP_LIST_OUTPUT).",
        valueName: "format"))
    public var listOutput: String?

    @Option(name: .long, help: ArgumentHelp(
        "The most bytes one tool result may hold; longer results are cut with a note on how to get the rest "
            + "(default 65536).", valueName: "bytes"))
    public var outputLimitBytes: Int?

    @Flag(name: .long, help: "Show the values of Secrets in tool results instead of REDACTED (off by default).")
    public var showSecrets = false

    @Option(name: .customLong("kube-qps"), help: ArgumentHelp(
        "Requests per second allowed to each API server (default 50).", valueName: "n"))
    public var kubeQPS: Double?

    @Option(name: .long, help: ArgumentHelp(
        "Requests that may be sent at once above the per-second rate, per API server (default 100).",
        valueName: "n"))
    public var kubeBurst: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Seconds an API request (other than watches and followed logs) may take, retries included (default 30).",
        valueName: "seconds"))
    public var kubeTimeout: Double?

    // MARK: Security

    @Option(name: .long, help: ArgumentHelp(
        "A file of accepted bearer tokens, one per line; blank lines and lines starting with # are ignored.",
        valueName: "path"))
    public var authTokenFile: String?

    @Flag(name: .long, help: "Allow listening on a non-loopback address without bearer tokens.")
    public var allowUnauthenticated = false

    @Option(name: .customLong("allowed-host"), help: ArgumentHelp(
        "A Host header value to accept (DNS-rebinding protection); repeat the option or separate with commas.",
        valueName: "host"))
    public var allowedHosts: [String] = []

    @Option(name: .customLong("allowed-origin"), help: ArgumentHelp(
        "An Origin header value to accept from browsers; repeat the option or separate with commas.",
        valueName: "origin"))
    public var allowedOrigins: [String] = []

    // MARK: Tool-call guards

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Ask the user (MCP elicitation) before a destructive tool runs; off by default (env MCP_CONFIRM_DESTRUCTIVE)."))
    public var confirmDestructive: Bool?

    @Option(name: .long, help: ArgumentHelp(
        "What a destructive call does under --confirm-destructive when the client cannot be asked (no elicitation "
            + "support, --stateless): allow (run it, the default) or deny (refuse it; recommended for shared "
            + "servers) (env MCP_CONFIRM_FALLBACK).",
        valueName: "allow|deny"))
    public var confirmFallback: String?

    @Option(name: .long, help: ArgumentHelp(
        "Tool calls allowed per second and session, a token bucket (e.g. 0.5 or 5); sessionless requests share "
            + "one server-wide bucket; no limit by default (env MCP_TOOL_RATE_LIMIT).",
        valueName: "calls/s"))
    public var toolRateLimit: Double?

    @Option(name: .long, help: ArgumentHelp(
        "Tool calls allowed at once above --tool-rate-limit (default twice the rate, rounded up, at least 1; "
            + "env MCP_TOOL_RATE_BURST).",
        valueName: "n"))
    public var toolRateBurst: Int?

    // MARK: Logging

    @Option(name: .long, help: ArgumentHelp(
        "The least severe messages to log: trace, debug, info, notice, warning, error or critical (default info).",
        valueName: "level"))
    public var logLevel: String?

    // MARK: HTTP limits

    @Option(name: .long, help: ArgumentHelp(
        "The longest request line accepted, in bytes (default 8192).", valueName: "bytes"))
    public var maxRequestLineBytes: Int?

    @Option(name: .long, help: ArgumentHelp(
        "The most header fields accepted in one request (default 100).", valueName: "count"))
    public var maxHeaderCount: Int?

    @Option(name: .long, help: ArgumentHelp(
        "The largest header section accepted, in bytes (default 32768).", valueName: "bytes"))
    public var maxHeaderBytes: Int?

    @Option(name: .long, help: ArgumentHelp(
        "The largest request body accepted, in bytes (default 4194304, 4 MiB).", valueName: "bytes"))
    public var maxBodyBytes: Int?

    @Option(name: .long, help: ArgumentHelp(
        "The seconds a client has to send a complete request head (default 10).", valueName: "seconds"))
    public var headerTimeout: Double?

    @Option(name: .long, help: ArgumentHelp(
        "The seconds an idle keep-alive connection stays open (default 60).", valueName: "seconds"))
    public var idleTimeout: Double?

    @Option(name: .long, help: ArgumentHelp(
        "The most simultaneous connections, lowered to fit the open-file limit (default 50000).",
        valueName: "count"))
    public var maxConnections: Int?

    @Option(name: .long, help: ArgumentHelp(
        "The most bytes queued for one slow event stream before it is dropped (default 1048576, 1 MiB).",
        valueName: "bytes"))
    public var streamQueueBytes: Int?

    @Option(name: .long, help: ArgumentHelp(
        "The seconds between keep-alive comments on idle event streams (default 15).", valueName: "seconds"))
    public var heartbeatInterval: Double?

    @Option(name: .long, help: ArgumentHelp(
        "The seconds in-flight requests get to finish on shutdown (default 10).", valueName: "seconds"))
    public var shutdownGrace: Double?

    public init() {}
}
