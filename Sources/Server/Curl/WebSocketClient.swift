import Synchronization

/// The async face of `CurlWebSocket`: callable from any task; the session itself runs on the loop, and so
/// does `handler`, which sees every event as it arrives (no buffering between the socket and the handler).
///
/// Stateless; any thread. Cancelling the calling task closes the connection at once.
public enum WebSocketClient {
    /// Opens a session and runs it to its end. Throws when it never opened (connection, refusal such as
    /// 403 or 404 with the server's body, invalid handshake, deadline, cancellation); returns how an open
    /// session ended.
    public static func run(_ request: WebSocketRequest,
                           handler: @escaping @LoopActor @Sendable (WebSocketEvent) -> [WebSocketCommand])
        async throws(WebSocketError) -> WebSocketEnd
    {
        let handle = WebSocketHandle()
        let result: Result<WebSocketEnd, WebSocketError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Task { @LoopActor in
                    do throws(CurlError) {
                        let socket = try CurlWebSocket(request, handler: handler) { continuation.resume(returning: $0) }
                        guard handle.attach(socket) else {
                            socket.cancel()
                            return
                        }
                        socket.start()
                    } catch {
                        continuation.resume(returning: .failure(.connection(error)))
                    }
                }
            }
        } onCancel: {
            handle.cancel()
        }
        return try result.get()
    }
}

/// Connects a task's cancellation (any thread) with the session that lives on the loop.
final class WebSocketHandle: Sendable {
    private enum State {
        case pending
        case running(CurlWebSocket)
        case cancelled
    }

    private let state = Mutex<State>(.pending)

    /// Records the session; false when the caller cancelled first (the session must not start).
    func attach(_ socket: CurlWebSocket) -> Bool {
        state.withLock { state in
            if case .cancelled = state { return false }
            state = .running(socket)
            return true
        }
    }

    func cancel() {
        let socket: CurlWebSocket? = state.withLock { state in
            defer { state = .cancelled }
            if case .running(let s) = state { return s }
            return nil
        }
        if let socket {
            Task { @LoopActor in socket.cancel() }
        }
    }
}
