import CUV

/// Delivers a POSIX signal (SIGINT, SIGTERM, SIGHUP) to a closure on the loop thread.
///
/// Loop thread only. Owns its `uv_signal_t`, freed in the close callback.
@LoopActor
public final class UVSignal {
    private let handle: UnsafeMutablePointer<uv_signal_t>
    private let action: @LoopActor (Int32) -> Void
    private var closed = false

    public init(signal: Int32, _ action: @escaping @LoopActor (Int32) -> Void) throws(UVError) {
        self.action = action
        handle = UnsafeMutablePointer<uv_signal_t>.allocate(capacity: 1)
        let rc = uv_signal_init(EventLoop.shared.uvLoop, handle)
        if rc < 0 { handle.deallocate(); throw UVError(rc, "uv_signal_init") }
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
        let src = uv_signal_start(handle, { h, signum in
            guard let h, let data = h.pointee.data else { return }
            let me = Unmanaged<UVSignal>.fromOpaque(data).takeUnretainedValue()
            LoopActor.assumeIsolated { me.action(signum) }
        }, signal)
        if src < 0 { close(); throw UVError(src, "uv_signal_start") }
        handle.withMemoryRebound(to: uv_handle_t.self, capacity: 1) { uv_unref($0) }
    }

    public func close() {
        guard !closed else { return }
        closed = true
        UVHandle.closeReleasingOwner(handle)
    }
}
