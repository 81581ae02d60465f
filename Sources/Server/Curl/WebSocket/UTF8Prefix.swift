/// Cutting UTF-8 text to a byte budget without splitting a character.
///
/// Stateless; any thread.
enum UTF8Prefix {
    /// How many of the first `maxCount` bytes of `bytes` to keep so that no multi-byte sequence is cut in half.
    /// Invalid sequences are left as they are (only a final, incomplete sequence is dropped).
    static func length(of bytes: some Collection<UInt8>, atMost maxCount: Int) -> Int {
        guard bytes.count > maxCount else { return bytes.count }
        let head = Array(bytes.prefix(maxCount + 1))
        // head[maxCount] is the first byte left out: if it continues a sequence, back up to that sequence's start.
        var cut = maxCount
        var back = 0
        while cut > 0, back < 3, head[cut] & 0xC0 == 0x80 {
            cut -= 1
            back += 1
        }
        // head[cut] is now a lead byte (or ASCII) when the text is valid; cutting before it keeps whole characters.
        if head[cut] & 0xC0 == 0x80 { return maxCount }
        return cut
    }
}
