/// MCP over standard input and output: one JSON-RPC message per line in each direction, logs on stderr.
///
/// Loop thread only. Owns the two pipe streams and the single session; end of input ends the server.
@LoopActor
final class StdioTransport: UVStreamDelegate {
    private let mcp: MCPServer
    private let input: UVStream
    private let output: UVStream
    private let session = MCPSession(id: nil, transport: .stdio, lenient: true)
    private var pending: [UInt8] = []
    private var discarding = false
    private let maxLineBytes: Int
    private let onEnd: @LoopActor () -> Void

    init(mcp: MCPServer, maxLineBytes: Int, onEnd: @escaping @LoopActor () -> Void) throws(UVError) {
        self.mcp = mcp
        self.maxLineBytes = maxLineBytes
        self.onEnd = onEnd
        input = try UVStream.open(fileDescriptor: 0)
        output = try UVStream.open(fileDescriptor: 1)
        let out = output
        session.outbound = { bytes in
            out.write(bytes + [0x0A])
        }
        mcp.broadcastTargets[ObjectIdentifier(session)] = session
        input.delegate = self
        input.startReading()
    }

    func stream(_ stream: UVStream, didRead bytes: UnsafeRawBufferPointer) {
        var start = 0
        for i in 0..<bytes.count where bytes[i] == 0x0A {
            appendPending(bytes, start..<i)
            if !discarding { handleLine(pending) }
            discarding = false
            pending.removeAll(keepingCapacity: true)
            start = i + 1
        }
        if start < bytes.count { appendPending(bytes, start..<bytes.count) }
    }

    private func appendPending(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard !discarding else { return }
        if pending.count + range.count > maxLineBytes {
            discarding = true
            pending.removeAll()
            session.sendUnsolicited(JSONRPCEncoder.error(id: nil, .invalidRequest(
                "message longer than \(maxLineBytes) bytes")))
            return
        }
        pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    private func handleLine(_ line: [UInt8]) {
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return }
        let reply = OutboundReply(session: session)
        switch MessageIntake.parse(line) {
        case .failure(let error):
            session.sendUnsolicited(JSONRPCEncoder.error(id: nil, error))
        case .success(.single(let message)):
            let modern = Self.isModern(message)
            // Notifications always reach the session, even stamped with the 2026-07-28 `_meta`: a
            // `notifications/cancelled` must find the call (or listen stream) it names in `inFlight`.
            let routed = modern && message.requestID != nil ? nil : session
            mcp.handle(message, session: routed,
                       context: MCPRequestContext(version: modern ? .v2026_07_28 : .v2024_11_05),
                       reply: modern ? StdioModernReply(session: session, id: message.requestID) : reply)
        case .success(.batch(let messages)):
            guard session.state.version?.allowsBatches == true else {
                session.sendUnsolicited(JSONRPCEncoder.error(id: nil, .invalidRequest(
                    "JSON-RPC batches are only allowed in protocol version 2025-03-26")))
                return
            }
            let count = messages.filter { $0.requestID != nil }.count
            let s = session
            let batch = BatchReply(expected: count, open: { true }, notify: { s.sendUnsolicited($0) },
                                   complete: { s.sendUnsolicited($0) })
            for m in messages {
                mcp.handle(m, session: session, context: MCPRequestContext(version: .v2025_03_26), reply: batch)
            }
        }
    }

    /// A 2026-07-28 request names its revision in `_meta` instead of sending `initialize`.
    private static func isModern(_ message: JSONRPCMessage) -> Bool {
        message.method != "initialize"
            && message.params["_meta"]?["io.modelcontextprotocol/protocolVersion"]?.stringValue
                == ProtocolVersion.v2026_07_28.rawValue
    }

    func streamDidEnd(_ stream: UVStream, error: UVError?) {
        stream.close()
        onEnd()
    }

    func streamDidDrain(_ stream: UVStream) {}

    func streamDidClose(_ stream: UVStream) {}

    /// Ends the session and closes both pipes once the output has drained (pending writes are flushed by
    /// libuv before the close callback only if we wait; close after a short grace instead).
    func close() {
        session.end()
        mcp.broadcastTargets[ObjectIdentifier(session)] = nil
        input.close()
        output.close()
    }

    /// Whether calls are still running.
    var hasInFlight: Bool { !session.inFlight.isEmpty }
    /// Bytes not yet written to stdout.
    var pendingOutput: Int { output.pendingWriteBytes }
}
