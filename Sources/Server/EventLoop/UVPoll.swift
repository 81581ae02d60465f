import CUV

/// Watches one socket descriptor that someone else owns (libcurl's connections) for readability and
/// writability and reports the events to a closure on the loop thread.
///
/// Loop thread only. Owns its `uv_poll_t` (not the descriptor), freed in the close callback.
@LoopActor
public final class UVPoll {
    /// Readiness flags, as libuv reports them.
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: Int32(UV_READABLE.rawValue))
        public static let writable = Events(rawValue: Int32(UV_WRITABLE.rawValue))
    }

    private let handle: UnsafeMutablePointer<uv_poll_t>
    private var action: (@LoopActor (_ status: Int32, _ events: Events) -> Void)?
    private var closed = false
    public let fileDescriptor: Int32

    public init(socket fd: Int32) throws(UVError) {
        fileDescriptor = fd
        handle = UnsafeMutablePointer<uv_poll_t>.allocate(capacity: 1)
        let rc = uv_poll_init_socket(EventLoop.shared.uvLoop, handle, fd)
        if rc < 0 {
            handle.deallocate()
            throw UVError(rc, "uv_poll_init_socket")
        }
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    /// Starts (or changes) watching; `action` gets libuv's status (negative on error) and the ready events.
    public func start(_ events: Events, _ action: @escaping @LoopActor (Int32, Events) -> Void) throws(UVError) {
        guard !closed else { return }
        self.action = action
        let rc = uv_poll_start(handle, events.rawValue) { h, status, events in
            guard let h, let data = h.pointee.data else { return }
            let poll = Unmanaged<UVPoll>.fromOpaque(data).takeUnretainedValue()
            LoopActor.assumeIsolated { poll.action?(status, Events(rawValue: events)) }
        }
        try UVError.check(rc, "uv_poll_start")
    }

    public func stop() {
        guard !closed else { return }
        uv_poll_stop(handle)
    }

    /// Stops watching and frees the handle (the descriptor stays open: its owner closes it).
    public func close() {
        guard !closed else { return }
        closed = true
        action = nil
        UVHandle.closeReleasingOwner(handle)
    }
}
