/// One request the server sent to its client: the suspended caller and the timer that gives up on it.
///
/// Loop thread only; lives in the session's `clientRequests` table until settled.
@LoopActor
struct ClientRequestWaiter {
    let continuation: CheckedContinuation<ClientAnswer, Never>
    let timer: UVTimer

    /// Resumes the caller (exactly once: the waiter has been removed from the table) and stops the timer.
    func settle(_ answer: ClientAnswer) {
        timer.close()
        continuation.resume(returning: answer)
    }
}

extension MCPSession {
    /// Sends a JSON-RPC request to the client on `reply`'s channel (the POST's event stream, the legacy SSE
    /// stream, stdout) and waits for the response the client sends back as a message of its own, for
    /// `timeoutMilliseconds`, or until the calling task is cancelled or the session ends. A request given up
    /// on is withdrawn with `notifications/cancelled`.
    func askClient(method: String, params: JSONValue, via reply: MCPReply, timeoutMilliseconds: UInt64) async
        -> ClientAnswer
    {
        guard reply.canSendRequests, reply.isOpen, !Task.isCancelled, !clientRequests.isFull else { return .notSent }
        let id = clientRequests.nextID()
        let answer = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ClientAnswer, Never>) in
                let timer = UVTimer()
                guard clientRequests.insert(ClientRequestWaiter(continuation: continuation, timer: timer), for: id)
                else {
                    timer.close()
                    continuation.resume(returning: .notSent)
                    return
                }
                timer.start(timeoutMs: timeoutMilliseconds) { [weak self] in
                    self?.settleClientRequest(id, with: .timedOut)
                }
                var request = JSONObject([("jsonrpc", "2.0"), ("id", id.json), ("method", .string(method))])
                request["params"] = params
                reply.sendRequest(JSONWriter.encode(.object(request)))
            }
        } onCancel: {
            Task { @LoopActor [weak self] in self?.settleClientRequest(id, with: .cancelled) }
        }
        if answer == .timedOut || answer == .cancelled, reply.isOpen {
            reply.sendNotification(JSONRPCEncoder.notification(
                method: "notifications/cancelled",
                params: ["requestId": id.json, "reason": "the server stopped waiting for the answer"]))
        }
        return answer
    }

    /// Hands a response (or a timeout, or a cancellation) to the request it belongs to; ignores ids this
    /// session never issued or already settled.
    func settleClientRequest(_ id: JSONRPCID, with answer: ClientAnswer) {
        clientRequests.remove(id)?.settle(answer)
    }
}
