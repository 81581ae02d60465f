/// Seals and opens the `requestState` of a 2026-07-28 confirmation round trip (MRTR). The client echoes the
/// state on its retry and must not be able to forge or alter it, so it is HMAC-SHA256-signed with a random
/// per-process key and bound to the caller (the digest of its bearer token), the tool name, a SHA-256
/// fingerprint of the arguments, an expiry and a nonce (for single use, see `SpentRequestStates`). A restarted server cannot open older states.
///
/// Token: `v1.<base64url payload>.<base64url HMAC>`; the payload is compact JSON (readable by the client,
/// which is harmless: it holds only the tool name, a digest, a time and a nonce).
///
/// Immutable value, any thread. Time is passed in (loop-clock milliseconds).
public struct RequestStateCodec: Sendable {
    /// How long a confirmation state stays valid.
    public static let lifetimeMilliseconds: UInt64 = 300_000

    /// Why a state was not accepted.
    public enum Failure: Error, Sendable, Equatable {
        /// Not a token this server produces.
        case malformed
        /// The signature does not match (altered, or minted by another process).
        case forged
        case expired
        /// Signed for another tool.
        case otherTool
        /// Signed for other arguments.
        case otherArguments
        /// Issued to another caller (another bearer token).
        case otherPrincipal
    }

    /// What a valid state says.
    public struct Claims: Sendable, Equatable {
        public var tool: String
        public var argumentsDigest: String
        public var expiresAt: UInt64
        public var nonce: String
    }

    private static let prefix = "v1."
    private let key: [UInt8]

    public init(key: [UInt8]) {
        self.key = key
    }

    /// A state for one call of `tool` with `arguments`, valid for `lifetimeMilliseconds` after `now`.
    public func seal(tool: String, arguments: JSONObject, now: UInt64, nonce: [UInt8], principal: String = "")
        -> String
    {
        let payload = JSONWriter.encode([
            "p": .string(principal), "t": .string(tool), "a": .string(Self.fingerprint(arguments)),
            "e": .int(Int(clamping: now + Self.lifetimeMilliseconds)), "n": .string(nonce.hexString),
        ])
        let encoded = Self.prefix + Base64URL.encode(payload)
        return encoded + "." + Base64URL.encode(mac(encoded))
    }

    /// The claims of `token` when it is authentic, unexpired and bound to this very call.
    public func open(_ token: String, tool: String, arguments: JSONObject, now: UInt64, principal: String = "")
        throws(Failure) -> Claims
    {
        guard token.hasPrefix(Self.prefix), token.utf8.count < 4096 else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(String(parts[1])),
            let signature = Base64URL.decode(String(parts[2]))
        else { throw .malformed }
        let signed = Self.prefix + parts[1]
        guard HMACSHA256.constantTimeEquals(mac(String(signed)), signature) else { throw .forged }
        guard let object = try? JSONParser.parse(payload), let claimedTool = object["t"]?.stringValue,
            let digest = object["a"]?.stringValue, let expiry = object["e"]?.intValue, expiry >= 0,
            let nonce = object["n"]?.stringValue
        else { throw .malformed }
        let claims = Claims(tool: claimedTool, argumentsDigest: digest, expiresAt: UInt64(expiry), nonce: nonce)
        guard (object["p"]?.stringValue ?? "") == principal else { throw .otherPrincipal }
        guard now <= claims.expiresAt else { throw .expired }
        guard claims.tool == tool else { throw .otherTool }
        guard claims.argumentsDigest == Self.fingerprint(arguments) else { throw .otherArguments }
        return claims
    }

    private func mac(_ text: String) -> [UInt8] {
        HMACSHA256.authenticate(Array(text.utf8), key: key)
    }

    /// SHA-256 (hex) of the arguments in a canonical form: object members sorted by key at every level, so
    /// that a client that re-encodes its arguments in another order still matches.
    public static func fingerprint(_ arguments: JSONObject) -> String {
        SHA256.hash(JSONWriter.encode(canonical(.object(arguments)))).hexString
    }

    private static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let o):
            return .object(JSONObject(o.members.sorted { $0.key < $1.key }.map { ($0.key, canonical($0.value)) }))
        case .array(let a):
            return .array(a.map(canonical))
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15:
            return .int(Int(d))
        default:
            return value
        }
    }
}
