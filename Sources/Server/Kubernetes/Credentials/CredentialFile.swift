import Foundation

/// Reads the small files credentials live in (token, CA bundle, client certificate and key) and turns every
/// failure into a `KubeError.credentials` that names the file — never its content.
///
/// Stateless, any thread; blocking file reads, so not on the loop thread.
enum CredentialFile {
    /// Files larger than this are refused (a token or PEM bundle is a few KiB).
    static let sizeLimit = 4 << 20

    /// The bytes of `source`: read from its file, or the inline bytes. `what` names the file in errors
    /// (`"client key"` → `the client key file "/p" cannot be read: ...`).
    static func bytes(of source: ResolvedContext.Source, what: String) throws(KubeError) -> [UInt8] {
        switch source {
        case .inline(let bytes):
            guard !bytes.isEmpty else { throw .credentials("the inline \(what) data is empty") }
            return bytes
        case .file(let path):
            return try contents(of: path, what: what)
        }
    }

    /// The whole content of the file at `path`; an empty file is an error.
    static func contents(of path: String, what: String) throws(KubeError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, what: what, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, what: what, errno: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= sizeLimit else {
                throw .credentials("the \(what) file \"\(path)\" is larger than \(sizeLimit >> 20) MiB")
            }
        }
        guard !bytes.isEmpty else { throw .credentials("the \(what) file \"\(path)\" is empty") }
        return bytes
    }

    private static func failure(_ path: String, what: String, errno code: Int32) -> KubeError {
        .credentials("the \(what) file \"\(path)\" cannot be read: \(String(cString: strerror(code)))")
    }
}
