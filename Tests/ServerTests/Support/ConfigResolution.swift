@testable import Server

/// Resolving a `Config` from flags and environment in tests, and reading why it fails.
enum ConfigResolution {
    static func resolve(_ arguments: [String] = [], _ environment: [String: String] = [:]) throws -> Config {
        try Config.resolve(options: ServerOptions.parse(arguments), environment: environment)
    }

    /// The `ConfigError` text when resolving fails; nil when it succeeds.
    static func failure(_ arguments: [String] = [], _ environment: [String: String] = [:]) -> String? {
        do {
            _ = try resolve(arguments, environment)
            return nil
        } catch let error as ConfigError {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }
}
