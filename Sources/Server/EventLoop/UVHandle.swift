import CUV

/// The one way our handle wrappers give a libuv handle back: `uv_close`, then, in the close callback, drop
/// the retain the handle held on its owner (`handle.data`) and free the handle's memory.
///
/// Loop thread only.
enum UVHandle {
    /// Closes `handle`, whose `data` holds a retained owner and whose memory came from `allocate`.
    static func closeReleasingOwner<Handle>(_ handle: UnsafeMutablePointer<Handle>) {
        handle.withMemoryRebound(to: uv_handle_t.self, capacity: 1) {
            uv_close($0) { h in
                guard let h else { return }
                if let data = h.pointee.data {
                    Unmanaged<AnyObject>.fromOpaque(data).release()
                    h.pointee.data = nil
                }
                UnsafeMutableRawPointer(h).deallocate()
            }
        }
    }
}
