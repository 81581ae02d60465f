/// The MCP revisions this server speaks.
public enum ProtocolVersion: String, Sendable, CaseIterable, Comparable {
    case v2024_11_05 = "2024-11-05"
    case v2025_03_26 = "2025-03-26"
    case v2025_06_18 = "2025-06-18"
    case v2025_11_25 = "2025-11-25"
    /// The stateless revision: no `initialize`, per-request `_meta`, `server/discover`.
    case v2026_07_28 = "2026-07-28"

    /// Revisions negotiated through `initialize` (legacy era).
    public static let handshakeVersions: [ProtocolVersion] = [.v2024_11_05, .v2025_03_26, .v2025_06_18, .v2025_11_25]
    /// The newest handshake revision, answered when a client asks for one we do not know.
    public static let newestHandshake = ProtocolVersion.v2025_11_25

    /// True for the stateless 2026-07-28 revision.
    public var isModern: Bool { self == .v2026_07_28 }

    /// JSON-RPC batches are part of exactly one revision.
    public var allowsBatches: Bool { self == .v2025_03_26 }

    /// The version an `initialize` answers: the client's when we support it, else our newest.
    public static func negotiate(requested: String?) -> ProtocolVersion {
        if let requested, let version = ProtocolVersion(rawValue: requested), !version.isModern { return version }
        return newestHandshake
    }

    public static func < (lhs: ProtocolVersion, rhs: ProtocolVersion) -> Bool { lhs.rawValue < rhs.rawValue }
}
