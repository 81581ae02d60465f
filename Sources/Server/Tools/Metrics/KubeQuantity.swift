import Foundation

/// A Kubernetes `resource.Quantity` (`250m`, `1.5Gi`, `123456789n`, `2e3`, `128974848`) read exactly, as a
/// decimal number of base units (cores for CPU, bytes for memory).
///
/// Plain value, any thread. The grammar is apimachinery's: an optionally signed decimal number (`1`, `1.5`,
/// `.5`, `5.`) followed by nothing, a decimal SI suffix (`n u m k M G T P E`), a binary SI suffix
/// (`Ki Mi Gi Ti Pi Ei`) or a decimal exponent (`e3`, `E-2`; a bare `E` is exa). Anything else is rejected.
/// Values are held as `Decimal`, so `100m` is exactly 0.1 and rounding up to milli-units gives 100, not 101.
struct KubeQuantity: Sendable, Equatable, CustomStringConvertible {
    /// The value in base units.
    let value: Decimal

    /// The longest text accepted (real quantities are a dozen characters).
    static let maxLength = 64

    init(_ value: Decimal) {
        self.value = value
    }

    /// Parses a quantity; nil when `text` is not one.
    init?(_ text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty, s.utf8.count <= Self.maxLength else { return nil }
        let chars = Array(s.unicodeScalars)
        var i = 0
        var negative = false
        if chars[i] == "+" || chars[i] == "-" {
            negative = chars[i] == "-"
            i += 1
        }
        let numberStart = i
        var digits = 0
        var sawPoint = false
        while i < chars.count, chars[i] == "." || ("0"..."9").contains(chars[i]) {
            if chars[i] == "." {
                if sawPoint { return nil }
                sawPoint = true
            } else {
                digits += 1
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        var numberText = String(String.UnicodeScalarView(chars[numberStart..<i]))
        if numberText.hasPrefix(".") { numberText = "0" + numberText }
        if numberText.hasSuffix(".") { numberText.removeLast() }
        guard let number = Decimal(string: numberText, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        let suffix = String(String.UnicodeScalarView(chars[i...]))
        guard let multiplier = Self.multiplier(suffix) else { return nil }
        let magnitude = number * multiplier
        value = negative ? -magnitude : magnitude
    }

    /// What a suffix multiplies by; nil for an unknown suffix.
    static func multiplier(_ suffix: String) -> Decimal? {
        switch suffix {
        case "": return 1
        case "n": return Decimal(sign: .plus, exponent: -9, significand: 1)
        case "u": return Decimal(sign: .plus, exponent: -6, significand: 1)
        case "m": return Decimal(sign: .plus, exponent: -3, significand: 1)
        case "k": return Decimal(sign: .plus, exponent: 3, significand: 1)
        case "M": return Decimal(sign: .plus, exponent: 6, significand: 1)
        case "G": return Decimal(sign: .plus, exponent: 9, significand: 1)
        case "T": return Decimal(sign: .plus, exponent: 12, significand: 1)
        case "P": return Decimal(sign: .plus, exponent: 15, significand: 1)
        case "E": return Decimal(sign: .plus, exponent: 18, significand: 1)
        case "Ki": return power(1024, 1)
        case "Mi": return power(1024, 2)
        case "Gi": return power(1024, 3)
        case "Ti": return power(1024, 4)
        case "Pi": return power(1024, 5)
        case "Ei": return power(1024, 6)
        default:
            // A decimal exponent: e3, E3, e-3, E+12.
            guard let first = suffix.first, first == "e" || first == "E" else { return nil }
            var rest = Substring(suffix.dropFirst())
            var sign = 1
            if let s = rest.first, s == "+" || s == "-" {
                sign = s == "-" ? -1 : 1
                rest = rest.dropFirst()
            }
            guard !rest.isEmpty, rest.count <= 3, rest.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let exponent = Int(rest), exponent <= 100 else { return nil }
            return Decimal(sign: .plus, exponent: sign * exponent, significand: 1)
        }
    }

    private static func power(_ base: Int, _ n: Int) -> Decimal {
        var out = Decimal(1)
        for _ in 0..<n { out *= Decimal(base) }
        return out
    }

    /// The value times `scale`, rounded up to an integer (as apimachinery's `MilliValue`/`Value` do); clamped
    /// to the range of `Int`.
    func scaledCeiling(_ scale: Decimal) -> Int {
        var product = value * scale
        var truncated = Decimal()
        NSDecimalRound(&truncated, &product, 0, product < 0 ? .up : .down)
        // Which way `.up`/`.down` go for negative values differs between Foundations: fix up to the ceiling.
        while truncated > product { truncated -= 1 }
        while truncated < product { truncated += 1 }
        if truncated >= Decimal(Int.max) { return Int.max }
        if truncated <= Decimal(Int.min) { return Int.min }
        return Int("\(truncated)") ?? 0
    }

    /// The value in thousandths, rounded up (`MilliValue`): `250m` → 250, `1` → 1000, `1n` → 1.
    var milliValue: Int { scaledCeiling(1000) }

    /// The value in base units, rounded up (`Value`): `1Ki` → 1024, `1500m` → 2.
    var integerValue: Int { scaledCeiling(1) }

    var description: String { "\(value)" }
}

extension KubeQuantity {
    /// kubectl top's CPU text: millicores, `250m`.
    static func cpuText(millicores: Int) -> String { "\(millicores)m" }

    /// kubectl top's memory text: whole mebibytes, `64Mi`.
    static func memoryText(bytes: Int) -> String { "\(bytes / (1024 * 1024))Mi" }
}
