import CUV

/// A listening TCP socket that hands every accepted connection to `onConnection`.
///
/// Loop thread only. Owns its `uv_tcp_t` (kept alive through `handle.data` until its close callback).
@LoopActor
public final class UVTCPListener {
    private let handle: UnsafeMutablePointer<uv_tcp_t>
    private let onConnection: @LoopActor (UVStream) -> Void
    private let onError: @LoopActor (UVError) -> Void
    private var closed = false
    /// The port actually bound (differs from the requested one when that was 0).
    public private(set) var port: Int = 0

    /// Binds `host:port` (numeric address) and starts listening.
    public init(host: String, port: Int, backlog: Int32 = 4096,
                onConnection: @escaping @LoopActor (UVStream) -> Void,
                onError: @escaping @LoopActor (UVError) -> Void) throws(UVError) {
        self.onConnection = onConnection
        self.onError = onError
        handle = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        let loop = EventLoop.shared.uvLoop
        let rc = uv_tcp_init(loop, handle)
        if rc < 0 {
            handle.deallocate()
            throw UVError(rc, "uv_tcp_init")
        }
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
        do throws(UVError) {
            var address = try SocketAddress.make(host: host, port: port)
            let brc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { uv_tcp_bind(handle, $0, 0) }
            }
            try UVError.check(brc, "uv_tcp_bind")
            let lrc = handle.withMemoryRebound(to: uv_stream_t.self, capacity: 1) {
                uv_listen($0, backlog, UVTCPListener.onAccept)
            }
            try UVError.check(lrc, "uv_listen")
            var bound = sockaddr_storage()
            var length = Int32(MemoryLayout<sockaddr_storage>.size)
            let grc = withUnsafeMutablePointer(to: &bound) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { uv_tcp_getsockname(handle, $0, &length) }
            }
            try UVError.check(grc, "uv_tcp_getsockname")
            let described = SocketAddress.describe(&bound)
            self.port = Int(described.split(separator: ":").last.flatMap { Int($0) } ?? port)
        } catch {
            close()
            throw error
        }
    }

    private static let onAccept: uv_connection_cb = { serverHandle, status in
        guard let serverHandle, let data = serverHandle.pointee.data else { return }
        let listener = Unmanaged<UVTCPListener>.fromOpaque(data).takeUnretainedValue()
        nonisolated(unsafe) let server = serverHandle
        LoopActor.assumeIsolated {
            if status < 0 {
                listener.onError(UVError(status, "uv_listen"))
                return
            }
            do throws(UVError) {
                let stream = try UVStream.accept(from: server, loop: EventLoop.shared.uvLoop)
                listener.onConnection(stream)
            } catch {
                listener.onError(error)
            }
        }
    }

    /// Stops accepting and releases the socket.
    public func close() {
        guard !closed else { return }
        closed = true
        UVHandle.closeReleasingOwner(handle)
    }
}
