/// Splits a byte stream into newline-terminated lines (watch events are one JSON document per line),
/// keeping the incomplete tail for the next chunk.
///
/// Plain value; owned by one stream reader.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    /// The longest line accepted; a longer one is an error (a hostile or broken stream).
    public let maxLineBytes: Int

    public init(maxLineBytes: Int = 64 * 1024 * 1024) {
        self.maxLineBytes = maxLineBytes
    }

    /// Appends a chunk and returns the complete lines it finished (without the newline).
    public mutating func feed(_ chunk: [UInt8]) throws(KubeError) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = 0
        for i in 0..<chunk.count where chunk[i] == 0x0A {
            if pending.isEmpty {
                if i > start { lines.append(Array(chunk[start..<i])) }
            } else {
                pending += chunk[start..<i]
                lines.append(pending)
                pending = []
            }
            start = i + 1
        }
        if start < chunk.count {
            pending += chunk[start...]
            if pending.count > maxLineBytes {
                throw .decoding("a watch event is larger than \(maxLineBytes) bytes")
            }
        }
        return lines
    }

    /// What is left when the stream ends (a last line without newline).
    public mutating func finish() -> [UInt8]? {
        defer { pending = [] }
        return pending.isEmpty ? nil : pending
    }
}
