import CUV

/// Runs a closure once per loop iteration, before the loop polls for I/O, while started; a started idle
/// handle also makes that poll return at once. Used to spread work over iterations so that sockets are
/// served between the pieces.
///
/// Loop thread only. Owns its `uv_idle_t`, freed in the close callback.
@LoopActor
public final class UVIdle {
    private let handle: UnsafeMutablePointer<uv_idle_t>
    private var action: (@LoopActor () -> Void)?
    private var closed = false
    public private(set) var isActive = false

    public init() {
        handle = UnsafeMutablePointer<uv_idle_t>.allocate(capacity: 1)
        let rc = uv_idle_init(EventLoop.shared.uvLoop, handle)
        precondition(rc == 0, "uv_idle_init failed: \(rc)")
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    public func start(_ action: @escaping @LoopActor () -> Void) {
        guard !closed, !isActive else { return }
        self.action = action
        isActive = true
        uv_idle_start(handle) { h in
            guard let h, let data = h.pointee.data else { return }
            let idle = Unmanaged<UVIdle>.fromOpaque(data).takeUnretainedValue()
            LoopActor.assumeIsolated { idle.action?() }
        }
    }

    public func stop() {
        guard !closed, isActive else { return }
        isActive = false
        uv_idle_stop(handle)
    }

    public func close() {
        guard !closed else { return }
        closed = true
        action = nil
        UVHandle.closeReleasingOwner(handle)
    }
}
