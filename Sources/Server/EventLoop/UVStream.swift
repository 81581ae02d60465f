import CUV

/// Receives the events of one `UVStream`, on the loop thread.
@LoopActor
public protocol UVStreamDelegate: AnyObject {
    /// Bytes arrived. The buffer is only valid during the call (it is the loop's shared read buffer).
    func stream(_ stream: UVStream, didRead bytes: UnsafeRawBufferPointer)
    /// The peer closed its side or the connection failed; the stream should be closed.
    func streamDidEnd(_ stream: UVStream, error: UVError?)
    /// Every queued write has been handed to the kernel.
    func streamDidDrain(_ stream: UVStream)
    /// The handle is closed and its memory released; the stream is dead.
    func streamDidClose(_ stream: UVStream)
}

/// A connected libuv stream (TCP socket, pipe or TTY) with non-blocking writes and a byte count of what is
/// still queued.
///
/// Loop thread only. Owns its `uv_stream_t`: the handle keeps the object alive (retained through
/// `handle.data`) until `uv_close` calls back, where the memory is freed. Reads land in one buffer
/// shared by every stream of the loop, so an idle stream costs no buffer memory. Writes go out with
/// `uv_try_write` first; only what the kernel did not take is copied into a heap `uv_write_t` request.
@LoopActor
public final class UVStream {
    /// Which kind of handle backs the stream.
    public enum Kind: Sendable { case tcp, pipe, tty }

    private let handle: UnsafeMutableRawPointer
    public let kind: Kind
    /// The receiver of read/drain/close events; released when the handle closes.
    public var delegate: UVStreamDelegate?
    /// Bytes handed to `write` that the kernel has not accepted yet.
    public private(set) var pendingWriteBytes = 0
    public private(set) var isReading = false
    public private(set) var isClosing = false

    private var streamPointer: UnsafeMutablePointer<uv_stream_t> {
        handle.assumingMemoryBound(to: uv_stream_t.self)
    }

    private var handlePointer: UnsafeMutablePointer<uv_handle_t> {
        handle.assumingMemoryBound(to: uv_handle_t.self)
    }

    private init(handle: UnsafeMutableRawPointer, kind: Kind) {
        self.handle = handle
        self.kind = kind
        handle.assumingMemoryBound(to: uv_handle_t.self).pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    /// Accepts a pending connection from a listening TCP handle.
    static func accept(from server: UnsafeMutablePointer<uv_stream_t>, loop: UnsafeMutablePointer<uv_loop_t>)
        throws(UVError) -> UVStream
    {
        let tcp = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<uv_tcp_t>.size,
                                                   alignment: MemoryLayout<uv_tcp_t>.alignment)
        let rc = uv_tcp_init(loop, tcp.assumingMemoryBound(to: uv_tcp_t.self))
        if rc < 0 {
            tcp.deallocate()
            throw UVError(rc, "uv_tcp_init")
        }
        let stream = UVStream(handle: tcp, kind: .tcp)
        let arc = uv_accept(server, tcp.assumingMemoryBound(to: uv_stream_t.self))
        if arc < 0 {
            stream.close()
            throw UVError(arc, "uv_accept")
        }
        uv_tcp_nodelay(tcp.assumingMemoryBound(to: uv_tcp_t.self), 1)
        return stream
    }

    /// Opens an inherited file descriptor (stdin/stdout) as a pipe or TTY stream.
    public static func open(fileDescriptor fd: Int32) throws(UVError) -> UVStream {
        let loop = EventLoop.shared.uvLoop
        switch uv_guess_handle(fd) {
        case UV_TTY:
            let tty = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<uv_tty_t>.size,
                                                       alignment: MemoryLayout<uv_tty_t>.alignment)
            let rc = uv_tty_init(loop, tty.assumingMemoryBound(to: uv_tty_t.self), fd, 0)
            if rc < 0 { tty.deallocate(); throw UVError(rc, "uv_tty_init") }
            return UVStream(handle: tty, kind: .tty)
        case UV_NAMED_PIPE, UV_TCP, UV_UNKNOWN_HANDLE, UV_FILE:
            let pipe = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<uv_pipe_t>.size,
                                                        alignment: MemoryLayout<uv_pipe_t>.alignment)
            let rc = uv_pipe_init(loop, pipe.assumingMemoryBound(to: uv_pipe_t.self), 0)
            if rc < 0 { pipe.deallocate(); throw UVError(rc, "uv_pipe_init") }
            let stream = UVStream(handle: pipe, kind: .pipe)
            let orc = uv_pipe_open(pipe.assumingMemoryBound(to: uv_pipe_t.self), fd)
            if orc < 0 {
                stream.close()
                throw UVError(orc, "uv_pipe_open")
            }
            return stream
        default:
            throw UVError(UV_EINVAL.rawValue, "uv_guess_handle")
        }
    }

    // MARK: Reading

    /// Starts delivering reads to the delegate.
    public func startReading() {
        guard !isReading, !isClosing else { return }
        let rc = uv_read_start(streamPointer, UVStream.allocate, UVStream.onRead)
        isReading = rc == 0
        if rc < 0 { delegate?.streamDidEnd(self, error: UVError(rc, "uv_read_start")) }
    }

    /// Stops reading (back-pressure, or while a request is being answered).
    public func stopReading() {
        guard isReading, !isClosing else { return }
        uv_read_stop(streamPointer)
        isReading = false
    }

    /// The single read buffer of the loop thread.
    private static let sharedBufferSize = 64 * 1024
    nonisolated(unsafe) private static let sharedBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 64 * 1024)

    private static let allocate: uv_alloc_cb = { _, _, buf in
        buf?.pointee = uv_buf_init(UVStream.sharedBuffer, UInt32(UVStream.sharedBufferSize))
    }

    private static let onRead: uv_read_cb = { streamHandle, nread, buf in
        guard let streamHandle, let data = streamHandle.pointee.data else { return }
        let stream = Unmanaged<UVStream>.fromOpaque(data).takeUnretainedValue()
        nonisolated(unsafe) let base = buf?.pointee.base
        LoopActor.assumeIsolated {
            if nread > 0, let base {
                stream.delegate?.stream(stream, didRead: UnsafeRawBufferPointer(start: base, count: nread))
            } else if nread < 0 {
                let code = Int32(truncatingIfNeeded: nread)
                stream.isReading = false
                stream.delegate?.streamDidEnd(stream, error: code == UV_EOF.rawValue ? nil : UVError(code, "uv_read"))
            }
        }
    }

    // MARK: Writing

    /// Writes bytes without blocking: what the kernel takes now is sent, the rest is queued.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard !isClosing, bytes.count > 0 else { return }
        var offset = 0
        if pendingWriteBytes == 0 {
            var buf = uv_buf_init(UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: CChar.self)),
                                  UInt32(bytes.count))
            let n = uv_try_write(streamPointer, &buf, 1)
            if n > 0 { offset = Int(n) }
            if offset == bytes.count { return }
            if n < 0 && n != UV_EAGAIN.rawValue {
                // The connection is broken; the read side reports the end.
                return
            }
        }
        let remaining = bytes.count - offset
        let header = MemoryLayout<uv_write_t>.stride
        let request = UnsafeMutableRawPointer.allocate(byteCount: header + remaining, alignment: 16)
        let payload = request + header
        payload.copyMemory(from: bytes.baseAddress! + offset, byteCount: remaining)
        let writeRequest = request.assumingMemoryBound(to: uv_write_t.self)
        writeRequest.pointee.data = UnsafeMutableRawPointer(bitPattern: remaining)
        var buf = uv_buf_init(payload.assumingMemoryBound(to: CChar.self), UInt32(remaining))
        let rc = uv_write(writeRequest, streamPointer, &buf, 1, UVStream.onWrite)
        if rc < 0 {
            request.deallocate()
            return
        }
        pendingWriteBytes += remaining
    }

    /// Writes a byte array (see `write(_:)`).
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    private static let onWrite: uv_write_cb = { request, _ in
        guard let request else { return }
        let size = Int(bitPattern: request.pointee.data)
        let streamHandle = request.pointee.handle
        UnsafeMutableRawPointer(request).deallocate()
        guard let streamHandle, let data = streamHandle.pointee.data else { return }
        let stream = Unmanaged<UVStream>.fromOpaque(data).takeUnretainedValue()
        LoopActor.assumeIsolated {
            stream.pendingWriteBytes -= size
            if stream.pendingWriteBytes == 0, !stream.isClosing {
                stream.delegate?.streamDidDrain(stream)
            }
        }
    }

    // MARK: Closing

    /// Closes the handle; queued writes are cancelled. The delegate hears `streamDidClose` afterwards.
    public func close() {
        guard !isClosing else { return }
        isClosing = true
        isReading = false
        uv_close(handlePointer, UVStream.onClose)
    }

    private static let onClose: uv_close_cb = { h in
        guard let h, let data = h.pointee.data else { return }
        let stream = Unmanaged<UVStream>.fromOpaque(data).takeRetainedValue()
        h.pointee.data = nil
        LoopActor.assumeIsolated {
            let delegate = stream.delegate
            stream.delegate = nil
            delegate?.streamDidClose(stream)
        }
        UnsafeMutableRawPointer(h).deallocate()
    }
}
