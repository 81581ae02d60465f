import Synchronization

/// The async face of the libcurl layer: callable from any task; the transfer itself runs on the loop.
///
/// Stateless; any thread. Cancelling the calling task cancels the transfer.
public enum HTTPClient {
    /// Performs a request and collects the whole response.
    public static func perform(_ request: HTTPClientRequest) async throws(CurlError) -> HTTPClientResponse {
        let handle = TransferHandle()
        let result: Result<HTTPClientResponse, CurlError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Task { @LoopActor in
                    do throws(CurlError) {
                        let transfer = try CurlTransfer(request, sink: .collect { continuation.resume(returning: $0) })
                        guard handle.attach(transfer) else {
                            transfer.cancelBeforeStart()
                            continuation.resume(returning: .failure(.cancelled))
                            return
                        }
                        try CurlMulti.shared.add(transfer)
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        } onCancel: {
            handle.cancel()
        }
        return try result.get()
    }

    /// Events of a streaming response.
    public enum StreamEvent: Sendable {
        case head(HTTPClientResponseHead)
        case data([UInt8])
    }

    /// Starts a request whose body is consumed as it arrives (watch, followed logs). The stream finishes
    /// when the response ends and throws `CurlError` on failure; ending the iteration cancels the transfer.
    public static func stream(_ request: HTTPClientRequest) -> AsyncThrowingStream<StreamEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream<StreamEvent, Error>.makeStream()
        let handle = TransferHandle()
        continuation.onTermination = { _ in handle.cancel() }
        Task { @LoopActor in
            do {
                let transfer = try CurlTransfer(request, sink: .stream(
                    head: { continuation.yield(.head($0)) },
                    chunk: { continuation.yield(.data($0)) },
                    end: { error in
                        if let error { continuation.finish(throwing: error) } else { continuation.finish() }
                    }))
                guard handle.attach(transfer) else {
                    transfer.cancelBeforeStart()
                    continuation.finish(throwing: CurlError.cancelled)
                    return
                }
                try CurlMulti.shared.add(transfer)
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return stream
    }
}

/// Connects a task's cancellation (any thread) with the transfer that lives on the loop.
final class TransferHandle: Sendable {
    private enum State {
        case pending
        case running(CurlTransfer)
        case cancelled
    }

    private let state = Mutex<State>(.pending)

    /// Records the transfer; false when the caller cancelled first (the transfer must not start).
    func attach(_ transfer: CurlTransfer) -> Bool {
        state.withLock { state in
            if case .cancelled = state { return false }
            state = .running(transfer)
            return true
        }
    }

    func cancel() {
        let transfer: CurlTransfer? = state.withLock { state in
            defer { state = .cancelled }
            if case .running(let t) = state { return t }
            return nil
        }
        if let transfer {
            Task { @LoopActor in transfer.cancel() }
        }
    }
}
