import CUV

/// A libuv timer that calls a closure on the loop thread, once or repeatedly.
///
/// Loop thread only. Owns its `uv_timer_t`, freed in the close callback after `close()`.
@LoopActor
public final class UVTimer {
    private let handle: UnsafeMutablePointer<uv_timer_t>
    private var action: (@LoopActor () -> Void)?
    private var closed = false

    public init() {
        handle = UnsafeMutablePointer<uv_timer_t>.allocate(capacity: 1)
        let rc = uv_timer_init(EventLoop.shared.uvLoop, handle)
        precondition(rc == 0, "uv_timer_init failed: \(rc)")
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    /// Fires `action` after `timeoutMs`, then every `repeatMs` when that is non-zero.
    public func start(timeoutMs: UInt64, repeatMs: UInt64 = 0, _ action: @escaping @LoopActor () -> Void) {
        guard !closed else { return }
        self.action = action
        uv_timer_start(handle, { h in
            guard let h, let data = h.pointee.data else { return }
            let timer = Unmanaged<UVTimer>.fromOpaque(data).takeUnretainedValue()
            LoopActor.assumeIsolated { timer.action?() }
        }, timeoutMs, repeatMs)
    }

    /// Does not keep the loop alive on its own (for periodic housekeeping).
    public func unref() { handle.withMemoryRebound(to: uv_handle_t.self, capacity: 1) { uv_unref($0) } }

    public func stop() {
        guard !closed else { return }
        uv_timer_stop(handle)
    }

    public func close() {
        guard !closed else { return }
        closed = true
        action = nil
        UVHandle.closeReleasingOwner(handle)
    }
}
