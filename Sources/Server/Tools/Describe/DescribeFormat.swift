import Foundation

/// Small formatting rules shared by the describers: times as kubectl prints them (RFC 1123 with a numeric
/// zone), ages, label selectors, scalars, and `<none>` for what is missing.
///
/// Stateless; any thread.
enum DescribeFormat {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Thu, 17 Feb 2022 21:51:01 +0000` for an RFC 3339 time; the text itself when it cannot be read; nil
    /// for nil.
    static func time(_ rfc3339: String?) -> String? {
        guard let rfc3339, !rfc3339.isEmpty else { return nil }
        guard let seconds = TableRenderer.epochSeconds(rfc3339: rfc3339) else { return rfc3339 }
        let whole = Int(seconds.rounded(.down))
        let days = Int((Double(whole) / 86_400).rounded(.down))
        let secondsOfDay = whole - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let weekday = ((days % 7) + 7 + 4) % 7  // 1970-01-01 was a Thursday
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekdays[weekday]), \(two(day)) \(months[month - 1]) \(year) "
            + "\(two(secondsOfDay / 3600)):\(two(secondsOfDay % 3600 / 60)):\(two(secondsOfDay % 60)) +0000"
    }

    /// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// A JSON scalar as text: strings as they are, numbers without a needless fraction, compact JSON for
    /// structures.
    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .string(let s): return s
        case .array, .object: return JSONWriter.string(value)
        }
    }

    /// The text, or `<none>` when nil or empty.
    static func orNone(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "<none>" }
        return text
    }

    /// A `LabelSelector` (`matchLabels` and `matchExpressions`) as kubectl prints it: `app=web,tier in (a,b)`.
    static func selector(_ selector: JSONValue?) -> String {
        guard let selector, selector.objectValue != nil else { return "<none>" }
        var parts = (selector["matchLabels"]?.objectValue?.members ?? []).sorted { $0.key < $1.key }
            .map { "\($0.key)=\(scalar($0.value))" }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = (expression["values"]?.arrayValue ?? []).map(scalar).joined(separator: ",")
            switch expression["operator"]?.stringValue ?? "" {
            case "In": parts.append("\(key) in (\(values))")
            case "NotIn": parts.append("\(key) notin (\(values))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            case let op: parts.append("\(key) \(op) (\(values))")
            }
        }
        return parts.isEmpty ? "<none>" : parts.joined(separator: ",")
    }

    /// A plain `key: value` map selector (a Service's): `app=web,tier=db`.
    static func mapSelector(_ map: JSONValue?) -> String {
        let entries = (map?.objectValue?.members ?? []).sorted { $0.key < $1.key }
        guard !entries.isEmpty else { return "<none>" }
        return entries.map { "\($0.key)=\(scalar($0.value))" }.joined(separator: ",")
    }

    /// A value cut to `limit` characters with a note of the full size.
    static func capped(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(text.utf8.count) bytes in all)"
    }

    /// An integer or percentage value (`IntOrString`), e.g. a rolling update's `25%`.
    static func intOrString(_ value: JSONValue?, default fallback: String = "<unset>") -> String {
        guard let value, !value.isNull else { return fallback }
        return scalar(value)
    }
}
