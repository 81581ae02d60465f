import Testing
@testable import Server

@Suite struct HTTPLimitsTests {
    @Test func hasTheDocumentedDefaults() {
        let d = HTTPLimits.defaults
        #expect(d.maxRequestLineBytes == 8192)
        #expect(d.maxHeaderCount == 100)
        #expect(d.maxHeaderBytes == 32768)
        #expect(d.maxBodyBytes == 4 * 1024 * 1024)
        #expect(d.headerTimeout == 10)
        #expect(d.idleTimeout == 60)
        #expect(d.maxConnections == 50_000)
        #expect(d.streamQueueBytes == 1024 * 1024)
        #expect(d.heartbeatInterval == 15)
        #expect(d.shutdownGrace == 10)
        #expect(d.heartbeatIntervalMilliseconds == 15_000)
    }

    @Test func capsConnectionsByTheDescriptorLimitMinusAReserve() {
        let limits = HTTPLimits.defaults
        #expect(limits.effectiveMaxConnections(descriptorLimit: 1024) == 960)
        #expect(limits.effectiveMaxConnections(descriptorLimit: 1_048_576) == 50_000)
        #expect(limits.effectiveMaxConnections(descriptorLimit: 10) == 1)
    }
}
