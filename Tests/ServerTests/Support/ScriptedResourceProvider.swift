import Synchronization
@testable import Server

/// A resource provider whose watches the test drives: `test://` URIs are its own, `.../missing` does not exist;
/// `change` and `end` act on a watch, `running` counts open watches.
///
/// Thread-safe (a `Mutex`); a test double, not a product part.
final class ScriptedResourceProvider: ResourceProvider, Sendable {
    private struct State {
        var continuations: [String: AsyncStream<ResourceChange>.Continuation] = [:]
        var running = 0
    }

    private let state = Mutex(State())

    var templates: [ResourceTemplateDefinition] { [] }
    func list() async -> [ResourceDefinition] { [] }
    func read(uri: String) async throws -> [ResourceContents]? { nil }
    func complete(template: String, argument: String, prefix: String, context: [String: String]) async -> [String] { [] }

    func watch(uri: String) async throws(JSONRPCError) -> ResourceWatch? {
        guard uri.hasPrefix("test://") else { return nil }
        if uri.hasSuffix("/missing") {
            throw JSONRPCError(code: JSONRPCError.resourceNotFoundCode, message: "Resource not found")
        }
        let (stream, continuation) = AsyncStream<ResourceChange>.makeStream()
        state.withLock {
            $0.continuations[uri] = continuation
            $0.running += 1
        }
        let stopped = Mutex(false)
        return ResourceWatch(changes: stream, stop: { [self] in
            let first = stopped.withLock { done in
                defer { done = true }
                return !done
            }
            guard first else { return }
            continuation.finish()
            state.withLock { $0.running -= 1 }
        })
    }

    func change(_ uri: String) { _ = state.withLock { $0.continuations[uri]?.yield(.updated) } }
    func end(_ uri: String) { state.withLock { $0.continuations[uri]?.finish() } }
    var running: Int { state.withLock { $0.running } }
}
