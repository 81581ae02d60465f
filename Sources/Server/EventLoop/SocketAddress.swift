import CUV

/// Conversions between textual addresses and `sockaddr` structures.
///
/// Stateless helpers, any thread.
enum SocketAddress {
    /// Resolves a numeric IPv4/IPv6 literal and a port into a socket address.
    static func make(host: String, port: Int) throws(UVError) -> sockaddr_storage {
        var storage = sockaddr_storage()
        if host.contains(":") {
            let rc = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { uv_ip6_addr(host, Int32(port), $0) }
            }
            try UVError.check(rc, "uv_ip6_addr")
        } else {
            let rc = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { uv_ip4_addr(host, Int32(port), $0) }
            }
            try UVError.check(rc, "uv_ip4_addr")
        }
        return storage
    }

    private static func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `ip:port` (or `[ip]:port`) for a socket address.
    static func describe(_ storage: inout sockaddr_storage) -> String {
        var name = [CChar](repeating: 0, count: 64)
        if Int32(storage.ss_family) == AF_INET6 {
            let port = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p -> UInt16 in
                    uv_ip6_name(p, &name, name.count)
                    return UInt16(bigEndian: p.pointee.sin6_port)
                }
            }
            return "[\(text(name))]:\(port)"
        }
        let port = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p -> UInt16 in
                uv_ip4_name(p, &name, name.count)
                return UInt16(bigEndian: p.pointee.sin_port)
            }
        }
        return "\(text(name)):\(port)"
    }
}
