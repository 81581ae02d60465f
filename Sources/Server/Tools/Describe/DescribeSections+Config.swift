extension DescribeSections {
    /// The most ConfigMap keys printed with their values.
    static let maxConfigMapKeys = 50
    /// The most characters of one ConfigMap value printed.
    static let maxConfigMapValueCharacters = 2_000

    /// Namespace: its phase.
    func namespace(_ w: inout DescribeWriter, _ namespace: JSONValue) {
        w.line(0, "Status:", namespace["status"]?["phase"]?.stringValue ?? "Active")
    }

    /// ConfigMap: each key and its value (capped), then binary keys with their sizes.
    func configMap(_ w: inout DescribeWriter, _ configMap: JSONValue) {
        w.blank()
        w.line(0, "Data")
        w.line(0, "====")
        let data = configMap["data"]?.objectValue?.members ?? []
        for member in data.prefix(Self.maxConfigMapKeys) {
            w.line(0, "\(member.key):")
            w.line(0, "----")
            let value = DescribeFormat.capped(DescribeFormat.scalar(member.value), limit: Self.maxConfigMapValueCharacters)
            for line in value.split(separator: "\n", omittingEmptySubsequences: false) { w.line(0, String(line)) }
            w.blank()
        }
        if data.count > Self.maxConfigMapKeys {
            w.line(0, "(\(data.count - Self.maxConfigMapKeys) more keys not shown: "
                   + "\(data.dropFirst(Self.maxConfigMapKeys).map(\.key).joined(separator: ", ")))")
            w.blank()
        }
        w.line(0, "BinaryData")
        w.line(0, "====")
        for member in configMap["binaryData"]?.objectValue?.members ?? [] {
            w.line(0, "\(member.key):", "\(Self.decodedSize(member.value.stringValue ?? "")) bytes")
        }
        w.blank()
    }

    /// Secret: its type and each key with the size of its value. Values are never printed, whatever the
    /// server's `--show-secrets` setting (resources_get shows them when that is on).
    func secret(_ w: inout DescribeWriter, _ secret: JSONValue) {
        w.blank()
        w.line(0, "Type:", secret["type"]?.stringValue ?? "Opaque")
        w.blank()
        w.line(0, "Data")
        w.line(0, "====")
        for member in (secret["data"]?.objectValue?.members ?? []).sorted(by: { $0.key < $1.key }) {
            w.line(0, "\(member.key):", "\(Self.decodedSize(member.value.stringValue ?? "")) bytes")
        }
        for member in (secret["stringData"]?.objectValue?.members ?? []).sorted(by: { $0.key < $1.key }) {
            w.line(0, "\(member.key):", "\((member.value.stringValue ?? "").utf8.count) bytes")
        }
        w.blank()
    }

    /// The length of base64 data once decoded, from its length and padding alone (the data is not decoded).
    static func decodedSize(_ base64: String) -> Int {
        let characters = base64.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        let padding = characters.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        return max(characters.count * 3 / 4 - padding, 0)
    }
}
