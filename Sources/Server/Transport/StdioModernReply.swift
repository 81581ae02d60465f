/// Answers one 2026-07-28 request over stdio and keeps its call cancellable: the request runs without a
/// session, but the client's `notifications/cancelled` (which carries no revision `_meta`) arrives through the
/// stdio session, so the call is registered there while it runs.
///
/// Loop thread only.
@LoopActor
final class StdioModernReply: MCPReply {
    private let session: MCPSession
    private let id: JSONRPCID?

    init(session: MCPSession, id: JSONRPCID?) {
        self.session = session
        self.id = id
    }

    var isOpen: Bool { session.outbound != nil }

    func track(_ task: Task<Void, Never>) {
        if let id { session.inFlight[id] = task }
    }

    func sendNotification(_ bytes: [UInt8]) { session.sendUnsolicited(bytes) }

    func sendResponse(_ bytes: [UInt8], errorCode: Int?) {
        if let id { session.inFlight[id] = nil }
        session.sendUnsolicited(bytes)
    }
}
