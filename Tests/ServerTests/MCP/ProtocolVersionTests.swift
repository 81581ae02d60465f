import Testing
@testable import Server

@Suite struct ProtocolVersionTests {
    @Test(arguments: ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])
    func echoesEverySupportedHandshakeVersion(requested: String) {
        #expect(ProtocolVersion.negotiate(requested: requested).rawValue == requested)
    }

    @Test(arguments: [nil, "2026-07-28", "2099-01-01", "2025-12-01", "1.0.0", "", "2025-06-18 "] as [String?])
    func answersNewestHandshakeVersionOtherwise(requested: String?) {
        #expect(ProtocolVersion.negotiate(requested: requested) == .v2025_11_25)
    }

    @Test func listsTheHandshakeVersionsOldestFirst() {
        #expect(ProtocolVersion.handshakeVersions.map(\.rawValue)
            == ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])
        #expect(ProtocolVersion.newestHandshake == ProtocolVersion.handshakeVersions.last)
        #expect(!ProtocolVersion.handshakeVersions.contains { $0.isModern })
    }

    @Test func onlyTheStatelessRevisionIsModern() {
        #expect(ProtocolVersion.allCases.filter(\.isModern) == [.v2026_07_28])
    }

    @Test func allowsBatchesOnlyIn20250326() {
        #expect(ProtocolVersion.allCases.filter(\.allowsBatches) == [.v2025_03_26])
    }

    @Test func ordersByDate() {
        #expect(ProtocolVersion.allCases.sorted() == ProtocolVersion.allCases)
        #expect(ProtocolVersion.v2024_11_05 < .v2025_03_26)
        #expect(ProtocolVersion.v2025_11_25 < .v2026_07_28)
    }
}
