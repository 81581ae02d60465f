import ArgumentParser
import Foundation
import Logging

/// `kube-mcp`: parses the command line, resolves the configuration, and runs the server on the event loop
/// (the main thread becomes the loop thread).
@main
struct Entrypoint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-mcp",
        abstract: "A Kubernetes MCP server: AI assistants inspect and operate clusters through it over "
            + "Streamable HTTP, legacy HTTP+SSE or stdio.",
        discussion: ServerOptions.discussion,
        version: ServerInfo.version)

    @OptionGroup var options: ServerOptions

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let config: Config
        do {
            config = try Config.resolve(options: options, environment: environment)
            try config.checkToolNames(known: ToolCatalog.definitions(config: config).map(\.name))
        } catch {
            SystemResources.writeToStandardError("kube-mcp: \(error)\n")
            throw ExitCode(2)
        }
        if options.printToolTable {
            print(ToolCatalog.markdownTable(ToolCatalog.definitions(config: config)), terminator: "")
            return
        }
        let level = config.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "kube-mcp")
        var failure: Error?
        EventLoop.shared.run {
            let app = App(config: config, environment: environment, logger: logger)
            do {
                try app.start()
                Entrypoint.app = app
            } catch {
                failure = error
                EventLoop.shared.stop()
            }
        }
        if let failure {
            logger.critical("server.start.failed", metadata: ["error": "\(failure)"])
            throw ExitCode(1)
        }
    }

    /// Keeps the application alive while the loop runs.
    @LoopActor static var app: App?
}
