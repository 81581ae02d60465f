import Foundation
import Logging

/// Wires the server together and runs its life: configuration → kubeconfig → tools → MCP engine →
/// HTTP listener or stdio, then signals and an orderly shutdown.
///
/// Loop thread only. Owns every long-lived component.
@LoopActor
final class App {
    private let config: Config
    private let environment: [String: String]
    private let logger: Logger
    private var mcp: MCPServer!
    private var http: HTTPServer?
    private var router: Router?
    private var sessions: SessionStore?
    private var stdio: StdioTransport?
    private var signals: [UVSignal] = []
    private var shuttingDown = false
    private var graceTimer: UVTimer?

    /// Sessions allowed at once (both HTTP transports together).
    static let maxSessions = 200_000
    /// Streamable HTTP sessions with no stream and no traffic for this long are ended.
    static let sessionIdleTimeoutMs: UInt64 = 3_600_000
    /// Items per page of `tools/list`, `resources/list` and the others.
    static let pageSize = 100

    init(config: Config, environment: [String: String], logger: Logger) {
        self.config = config
        self.environment = environment
        self.logger = logger
    }

    /// Builds the tool set, the resource providers and the prompts from the kubeconfig as it is on disk now.
    private func makeTools() -> (ToolRegistry, [any ResourceProvider], [any Prompt]) {
        let kubeConfig = KubeConfigLoader.load(config: config, environment: environment)
        switch kubeConfig {
        case .success(let loaded):
            logger.info("kubeconfig.loaded", metadata: ["kubeconfig.source": "\(loaded.source)"])
        case .failure(let error):
            logger.warning("kubeconfig.unavailable", metadata: ["kubeconfig.error": "\(error)"])
        }
        let environment = self.environment
        let clients = KubeClients(kubeConfig: kubeConfig, contextOverride: config.context,
                                  namespaceOverride: config.namespace, options: config.kube, logger: logger,
                                  makeCredentials: { context throws(KubeError) in
                                      try CredentialFactory.make(for: context, environment: environment)
                                  })
        let registry = ToolRegistry(tools: ToolCatalog.makeTools(kubeConfig: kubeConfig, config: config, clients: clients),
                                    restrictions: config.toolRestrictions)
        let kube = KubeToolEnvironment(clients: clients, output: config.output)
        let names = KubeNames(clients: clients, kubeConfig: kubeConfig, contextOverride: config.context)
        let resources = KubeResourceProvider(environment: kube, kubeConfig: kubeConfig, contextOverride: config.context,
                                             names: names)
        return (registry, [resources], KubePrompts.make(names: names))
    }

    func start() throws {
        let (registry, resources, prompts) = makeTools()
        mcp = MCPServer(tools: registry, resourceProviders: resources, prompts: prompts, pageSize: Self.pageSize,
                        logger: logger, workExecutor: WorkerPool.shared,
                        toolCallGate: ToolCallGate(policy: config.toolCalls, logger: logger),
                        validateArguments: { arguments, schema in
                            ArgumentValidator.firstViolation(in: arguments, against: schema)
                        })
        for signum in [SIGINT, SIGTERM] {
            signals.append(try UVSignal(signal: signum) { [unowned self] signal in self.shutdown(signal: signal) })
        }
        signals.append(try UVSignal(signal: SIGHUP) { [unowned self] _ in self.reload() })

        if config.stdio {
            stdio = try StdioTransport(mcp: mcp, maxLineBytes: config.limits.maxBodyBytes) { [unowned self] in
                self.shutdown(signal: 0)
            }
            logger.info("server.started", metadata: ["mcp.transport": "stdio", "mcp.tools": "\(registry.enabled.count)"])
            return
        }

        let descriptorLimit = SystemResources.raiseDescriptorLimit()
        let maxConnections = config.limits.effectiveMaxConnections(descriptorLimit: descriptorLimit)
        let http = HTTPServer(limits: config.limits, maxConnections: maxConnections, logger: logger)
        let sessions = SessionStore(maxSessions: Self.maxSessions, idleTimeoutMs: Self.sessionIdleTimeoutMs)
        let policy = SecurityPolicy(loopback: config.isLoopback, extraHosts: config.allowedHosts,
                                    extraOrigins: config.allowedOrigins, tokens: config.authTokens)
        let router = Router(
            policy: policy,
            streamable: StreamableHTTPTransport(mcp: mcp, sessions: sessions, stateless: config.stateless),
            legacy: LegacySSETransport(mcp: mcp, sessions: sessions, logger: http.log),
            rest: RESTEndpoints(mcp: mcp, sessions: sessions, stateless: config.stateless))
        http.handler = router
        sessions.startSweeping { [unowned self] session in
            self.mcp.broadcastTargets[ObjectIdentifier(session)] = nil
        }
        let port = try http.start(host: config.bindAddress, port: config.port)
        self.http = http
        self.router = router
        self.sessions = sessions
        logger.info("server.listening", metadata: [
            "http.host": "\(config.bindAddress)", "http.port": "\(port)",
            "http.max_connections": "\(maxConnections)", "mcp.tools": "\(registry.enabled.count)",
            "mcp.stateless": "\(config.stateless)", "auth.required": "\(policy.requiresAuthentication)",
        ])
    }

    /// SIGHUP: re-reads the kubeconfig and tells clients that the tool list may have changed.
    private func reload() {
        logger.info("server.reload")
        let (registry, resources, prompts) = makeTools()
        mcp.replaceTools(registry)
        mcp.replaceResourcesAndPrompts(resources, prompts)
    }

    /// SIGINT/SIGTERM (or end of stdin): stop accepting, end every stream, let running calls finish for at
    /// most the grace period, then stop the loop.
    private func shutdown(signal: Int32) {
        guard !shuttingDown else { return }
        shuttingDown = true
        logger.info("server.shutdown.begin", metadata: ["signal": "\(signal)"])
        router?.rest.ready = false
        mcp.closeListenStreams()
        let grace = UVTimer()
        graceTimer = grace
        grace.start(timeoutMs: config.limits.shutdownGraceMilliseconds) { [unowned self] in
            self.logger.warning("server.shutdown.grace_expired")
            self.http?.forceClose()
            self.finish()
        }
        if let stdio {
            waitForStdio(stdio)
            return
        }
        sessions?.removeAll()
        http?.beginShutdown { [unowned self] in self.finish() }
    }

    /// Waits (polling each 20 ms) until stdio calls are answered and written.
    private func waitForStdio(_ stdio: StdioTransport) {
        if !stdio.hasInFlight && stdio.pendingOutput == 0 {
            finish()
            return
        }
        let poll = UVTimer()
        poll.start(timeoutMs: 20) { [unowned self] in
            poll.close()
            self.waitForStdio(stdio)
        }
    }

    private var finished = false

    private func finish() {
        guard !finished else { return }
        finished = true
        graceTimer?.close()
        http?.stopTimers()
        stdio?.close()
        for s in signals { s.close() }
        logger.info("server.shutdown.done")
        EventLoop.shared.stop()
    }
}

