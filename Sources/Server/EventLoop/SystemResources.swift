import CUV

/// Facts about the process that only the C library knows: descriptor limits, random bytes, the clock.
///
/// Stateless, any thread.
public enum SystemResources {
    /// The soft limit on open file descriptors (RLIMIT_NOFILE), raised to the hard limit when allowed.
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// Makes writes to a closed socket or pipe fail with EPIPE instead of killing the process.
    public static func ignoreBrokenPipes() {
        cuv_ignore_sigpipe()
    }

    /// Fills `count` bytes from the operating system's CSPRNG (`uv_random` → getrandom(2)).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let rc = bytes.withUnsafeMutableBytes { uv_random(nil, nil, $0.baseAddress, count, 0, nil) }
        precondition(rc == 0, "uv_random failed: \(rc)")
        return bytes
    }

    /// Monotonic milliseconds (uv_hrtime).
    public static func monotonicMilliseconds() -> UInt64 { uv_hrtime() / 1_000_000 }

    /// Writes a line to stderr without buffering surprises (logs must never go to stdout).
    public static func writeToStandardError(_ text: String) {
        var line = text
        line.withUTF8 { buffer in
            _ = fwrite(buffer.baseAddress, 1, buffer.count, cuv_stderr())
        }
        fflush(cuv_stderr())
    }
}
