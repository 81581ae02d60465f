import CUV

/// A failed libuv call: the function's name and its negative error code.
///
/// Plain value, any thread.
public struct UVError: Error, Sendable, CustomStringConvertible {
    /// The libuv return code (negative errno-style value, e.g. `UV_EADDRINUSE`).
    public let code: Int32
    /// The libuv function that returned it.
    public let function: String

    public init(_ code: Int32, _ function: String) {
        self.code = code
        self.function = function
    }

    /// libuv's short name for the code, e.g. `EADDRINUSE`.
    public var name: String { String(cString: uv_err_name(code)) }

    public var description: String { "\(function) failed: \(name) (\(String(cString: uv_strerror(code))))" }

    /// Throws a `UVError` when `code` is negative; returns it otherwise (some calls return counts).
    @discardableResult
    public static func check(_ code: Int32, _ function: String) throws(UVError) -> Int32 {
        if code < 0 { throw UVError(code, function) }
        return code
    }
}
