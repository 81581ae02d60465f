import Foundation
import Testing
@testable import Server

@Suite struct KubeQuantityTests {
    @Test(arguments: [
        ("250m", 250), ("1", 1000), ("0.1", 100), ("100m", 100), ("1.5", 1500), (".5", 500), ("5.", 5000),
        ("123456789n", 124), ("1n", 1), ("500u", 1), ("1500000u", 1500), ("2k", 2_000_000), ("0", 0),
        ("1e3", 1_000_000), ("1E3", 1_000_000), ("15e-3", 15), ("+3", 3000), ("3800m", 3800),
    ])
    func readsCPUInMillicores(text: String, millis: Int) throws {
        let quantity = try #require(KubeQuantity(text))
        #expect(quantity.milliValue == millis)
    }

    @Test(arguments: [
        ("64Mi", 67_108_864), ("1Ki", 1024), ("1Gi", 1_073_741_824), ("15860792Ki", 16_241_451_008),
        ("128974848", 128_974_848), ("129M", 129_000_000), ("1G", 1_000_000_000), ("1.5Gi", 1_610_612_736),
        ("1Ti", 1_099_511_627_776), ("1Pi", 1_125_899_906_842_624), ("1Ei", 1_152_921_504_606_846_976),
        ("1E", 1_000_000_000_000_000_000), ("12e6", 12_000_000), ("1500m", 2), ("1T", 1_000_000_000_000),
        ("2P", 2_000_000_000_000_000),
    ])
    func readsMemoryInBytes(text: String, bytes: Int) throws {
        let quantity = try #require(KubeQuantity(text))
        #expect(quantity.integerValue == bytes)
    }

    @Test(arguments: ["", "m", "Mi", "1.2.3", "1 Mi", "1mi", "1KiB", "abc", "1e", "1e+", "--1", "1ee3", "1e1000",
                      "0x10", String(repeating: "9", count: 100)])
    func rejectsWhatIsNotAQuantity(text: String) {
        #expect(KubeQuantity(text) == nil)
    }

    @Test func negativeValuesRoundTowardsZero() throws {
        #expect(try #require(KubeQuantity("-1.5")).integerValue == -1)
        #expect(try #require(KubeQuantity("-100m")).milliValue == -100)
    }

    @Test func formatsLikeKubectlTop() {
        #expect(KubeQuantity.cpuText(millicores: 250) == "250m")
        #expect(KubeQuantity.memoryText(bytes: 67_108_864) == "64Mi")
        #expect(KubeQuantity.memoryText(bytes: 67_108_863) == "63Mi")
    }
}
