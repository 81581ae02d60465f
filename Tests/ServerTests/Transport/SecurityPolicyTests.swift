import Testing
@testable import Server

@Suite struct SecurityPolicyTests {
    private static let loopback = SecurityPolicy(loopback: true, extraHosts: [], extraOrigins: [], tokens: [])

    private static func headers(host: String? = "localhost:8080", origin: String? = nil,
                                authorization: String? = nil) -> HTTPRequestHeaders {
        var headers = HTTPRequestHeaders()
        headers.host = host
        headers.origin = origin
        headers.authorization = authorization
        return headers
    }

    // MARK: Host

    @Test(arguments: ["localhost:8080", "localhost", "LOCALHOST:80", "127.0.0.1", "127.0.0.1:3000", "[::1]:9", "[::1]"])
    func allowsLoopbackHosts(host: String) {
        #expect(Self.loopback.check(Self.headers(host: host), authExempt: false) == nil)
    }

    @Test(arguments: ["evil.example.com", "evil.example.com:8080", "localhost.evil.com", "127.0.0.1.nip.io:8080",
                      "0.0.0.0:8080", "[::2]:9", "10.0.0.1", ""])
    func refusesOtherHostsOnLoopback(host: String) {
        let refusal = Self.loopback.check(Self.headers(host: host), authExempt: false)
        #expect(refusal == .forbiddenHost)
        #expect(refusal?.status.code == 403)
    }

    @Test func refusesMissingHostOnLoopback() {
        let refusal = Self.loopback.check(Self.headers(host: nil), authExempt: false)
        #expect(refusal == .forbiddenHost)
        #expect(refusal?.status == .forbidden)
        #expect(refusal?.message.contains("--allowed-host") == true)
    }

    @Test func allowsConfiguredExtraHostWithAnyPort() {
        let policy = SecurityPolicy(loopback: true, extraHosts: ["MCP.Example.com"], extraOrigins: [], tokens: [])
        #expect(policy.check(Self.headers(host: "mcp.example.com"), authExempt: false) == nil)
        #expect(policy.check(Self.headers(host: "mcp.example.com:8443"), authExempt: false) == nil)
        #expect(policy.check(Self.headers(host: "other.example.com"), authExempt: false) == .forbiddenHost)
        #expect(policy.check(Self.headers(host: "localhost:1"), authExempt: false) == nil)
    }

    @Test func allowsConfiguredExtraHostWithPortOnlyOnThatPort() {
        let policy = SecurityPolicy(loopback: true, extraHosts: ["mcp.example.com:8443"], extraOrigins: [], tokens: [])
        #expect(policy.check(Self.headers(host: "mcp.example.com:8443"), authExempt: false) == nil)
        #expect(policy.check(Self.headers(host: "mcp.example.com:9000"), authExempt: false) == .forbiddenHost)
    }

    @Test func skipsHostCheckWhenNotOnLoopback() {
        let policy = SecurityPolicy(loopback: false, extraHosts: [], extraOrigins: [], tokens: [])
        #expect(!policy.checkHost)
        #expect(policy.check(Self.headers(host: "evil.example.com"), authExempt: false) == nil)
        #expect(policy.check(Self.headers(host: nil), authExempt: false) == nil)
        #expect(policy.check(Self.headers(host: "x", origin: "https://anything.example"), authExempt: false) == nil)
    }

    // MARK: Origin

    @Test(arguments: ["http://localhost:3000", "https://localhost", "http://127.0.0.1:8080", "http://[::1]:8080",
                      "HTTP://LOCALHOST:3000", "http://localhost:3000/"])
    func allowsLoopbackOrigins(origin: String) {
        #expect(Self.loopback.check(Self.headers(origin: origin), authExempt: false) == nil)
    }

    @Test(arguments: ["https://evil.example.com", "http://localhost.evil.com", "null", "file://", "localhost:3000",
                      "ftp://localhost", "http://127.0.0.2"])
    func refusesOtherOriginsOnLoopback(origin: String) {
        let refusal = Self.loopback.check(Self.headers(origin: origin), authExempt: false)
        #expect(refusal == .forbiddenOrigin)
        #expect(refusal?.status.code == 403)
    }

    @Test func allowsRequestsWithoutOrigin() {
        #expect(Self.loopback.check(Self.headers(origin: nil), authExempt: false) == nil)
    }

    @Test func allowsConfiguredExtraOrigins() {
        let policy = SecurityPolicy(loopback: true, extraHosts: [], extraOrigins: ["https://App.Example.com/"],
                                    tokens: [])
        #expect(policy.check(Self.headers(origin: "https://app.example.com"), authExempt: false) == nil)
        #expect(policy.check(Self.headers(origin: "https://app.example.com/"), authExempt: false) == nil)
        #expect(policy.check(Self.headers(origin: "http://app.example.com"), authExempt: false) == .forbiddenOrigin)
        #expect(policy.check(Self.headers(origin: "https://app.example.com:8443"), authExempt: false)
            == .forbiddenOrigin)
    }

    @Test func checksOriginOffLoopbackOnlyWhenOriginsAreConfigured() {
        let policy = SecurityPolicy(loopback: false, extraHosts: [], extraOrigins: ["https://app.example.com"],
                                    tokens: [])
        #expect(policy.check(Self.headers(origin: "https://app.example.com"), authExempt: false) == nil)
        #expect(policy.check(Self.headers(origin: "https://evil.example.com"), authExempt: false) == .forbiddenOrigin)
        #expect(policy.check(Self.headers(origin: "http://localhost:3000"), authExempt: false) == .forbiddenOrigin)
        #expect(policy.check(Self.headers(origin: nil), authExempt: false) == nil)
    }

    @Test func checksHostBeforeOrigin() {
        let refusal = Self.loopback.check(Self.headers(host: "evil.example.com", origin: "https://evil.example.com"),
                                          authExempt: false)
        #expect(refusal == .forbiddenHost)
    }

    // MARK: Bearer tokens

    private static let secured = SecurityPolicy(loopback: true, extraHosts: [], extraOrigins: [],
                                                tokens: [Array("s3cret-token".utf8)])

    @Test func requiresAuthenticationOnlyWithTokens() {
        #expect(Self.secured.requiresAuthentication)
        #expect(!Self.loopback.requiresAuthentication)
    }

    @Test(arguments: ["Bearer s3cret-token", "bearer s3cret-token", "BEARER s3cret-token"])
    func acceptsTheRightToken(authorization: String) {
        #expect(Self.secured.check(Self.headers(authorization: authorization), authExempt: false) == nil)
    }

    @Test(arguments: [nil, "", "Bearer", "Bearer ", "Bearer wrong", "Bearer s3cret-toke", "Bearer s3cret-token2",
                      "Bearer S3CRET-TOKEN", "Basic s3cret-token", "s3cret-token", "Token s3cret-token"] as [String?])
    func refusesWrongMissingOrOtherSchemeTokens(authorization: String?) {
        let refusal = Self.secured.check(Self.headers(authorization: authorization), authExempt: false)
        #expect(refusal == .unauthorized)
        #expect(refusal?.status.code == 401)
    }

    /// RFC 6750 §2.1: `credentials = "Bearer" 1*SP b64token`.
    @Test func acceptsTokenAfterSeveralSpaces() {
        let refusal = Self.secured.check(Self.headers(authorization: "Bearer   s3cret-token"), authExempt: false)
        #expect(refusal == nil)
    }

    @Test func acceptsAnyOfSeveralTokens() {
        let policy = SecurityPolicy(loopback: false, extraHosts: [], extraOrigins: [],
                                    tokens: [Array("first".utf8), Array("second-longer".utf8)])
        #expect(policy.check(Self.headers(authorization: "Bearer first"), authExempt: false) == nil)
        #expect(policy.check(Self.headers(authorization: "Bearer second-longer"), authExempt: false) == nil)
        #expect(policy.check(Self.headers(authorization: "Bearer third"), authExempt: false) == .unauthorized)
        #expect(policy.check(Self.headers(authorization: "Bearer firstsecond-longer"), authExempt: false)
            == .unauthorized)
    }

    @Test func exemptPathsSkipTheTokenButNotTheHostCheck() {
        #expect(Self.secured.check(Self.headers(authorization: nil), authExempt: true) == nil)
        #expect(Self.secured.check(Self.headers(host: "evil.example.com"), authExempt: true) == .forbiddenHost)
    }

    @Test func refusesForeignHostBeforeAskingForAToken() {
        #expect(Self.secured.check(Self.headers(host: "evil.example.com"), authExempt: false) == .forbiddenHost)
    }

    @Test func explainsHowToAuthenticate() {
        #expect(SecurityPolicy.Refusal.unauthorized.message.contains("Authorization: Bearer"))
        #expect(SecurityPolicy.Refusal.forbiddenOrigin.message.contains("--allowed-origin"))
    }
}

@Suite struct SecurityPolicyHostSyntaxTests {
    static let policy = SecurityPolicy(loopback: true, extraHosts: [], extraOrigins: [], tokens: [])

    @Test func rejectsLoopbackNamesWithJunkAfterThem() {
        for host in ["[::1]evil", "localhost:evil", "127.0.0.1:80x", "localhost:", "localhost.evil.com"] {
            var headers = HTTPRequestHeaders()
            headers.host = host
            #expect(Self.policy.check(headers, authExempt: false) == .forbiddenHost, "\(host)")
        }
    }
}
