/// The open `subscriptions/listen` streams of one server: list changes are broadcast to them, and shutdown
/// ends them all gracefully.
///
/// Loop thread only. Owned by the `MCPServer`.
@LoopActor
public final class ListenRegistry {
    /// Listen streams allowed at once (over HTTP each also holds a connection, within `--max-connections`; over
    /// stdio this bounds what one client can open).
    public static let maxStreams = 10_000

    private var streams: [ObjectIdentifier: ListenStream] = [:]
    /// True once the server began to shut down: new listens are refused.
    public private(set) var isClosing = false
    public let limit: Int

    public init(limit: Int = ListenRegistry.maxStreams) {
        self.limit = limit
    }

    /// Open streams.
    public var count: Int { streams.count }
    /// Every open stream (for tests and metrics).
    public var all: [ListenStream] { Array(streams.values) }

    /// Why a new listen cannot be served now, if it cannot.
    func refusal() -> JSONRPCError? {
        if isClosing { return .internalError("the server is shutting down; listen again after it restarts") }
        if streams.count >= limit {
            return .internalError("the server already serves \(limit) listen streams (its limit); try again later")
        }
        return nil
    }

    func add(_ stream: ListenStream) {
        streams[ObjectIdentifier(stream)] = stream
        stream.onFinished = { [weak self] s in self?.streams[ObjectIdentifier(s)] = nil }
    }

    /// Tells every stream that asked for it that `change` happened.
    func broadcast(_ change: ListChange) {
        for stream in Array(streams.values) { stream.listChanged(change) }
    }

    /// Ends every stream with its final result and refuses new ones.
    func closeAll() {
        isClosing = true
        for stream in Array(streams.values) { stream.shutdown() }
    }
}
