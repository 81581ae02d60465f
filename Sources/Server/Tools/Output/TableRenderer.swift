import Foundation

/// Renders Kubernetes lists as compact aligned text tables, the way `kubectl get` prints them: upper-case
/// headers, columns padded to their widest cell plus three spaces (at least six columns wide, as kubectl's
/// tabwriter), the last column unpadded and no trailing spaces.
///
/// Pure value type, any thread. Two sources: a server-side `meta.k8s.io/v1` Table (`render(table:)`), whose
/// `priority > 0` columns show only when `wide`; and a plain list or object (`render(objects:kind:)`), for which
/// it prints NAME and AGE from the metadata, plus READY, STATUS and RESTARTS computed from the status for
/// Pods, as kubectl does. A NAMESPACE column comes first when the rows span several namespaces. Ages are
/// computed against `now`, so output is reproducible. Every row is one line: line breaks and tabs inside a
/// cell become spaces.
public struct TableRenderer: Sendable {
    /// When to print the NAMESPACE column.
    public enum NamespaceColumn: Sendable, Equatable {
        /// Only when the rows come from more than one namespace.
        case automatic
        case always
        case never
    }

    /// A rendered table: a header line and one line per row, without line breaks.
    public struct Output: Sendable, Equatable {
        public var header: String
        public var rows: [String]

        public init(header: String, rows: [String]) {
            self.header = header
            self.rows = rows
        }

        /// The header and every row, each ending with a line break.
        public var text: String {
            var out = header
            out.append("\n")
            for row in rows {
                out.append(row)
                out.append("\n")
            }
            return out
        }
    }

    /// Show `priority > 0` columns (and, for the fallback Pod table, IP and NODE), like `-o wide`.
    public var wide: Bool
    public var namespaceColumn: NamespaceColumn
    /// The instant ages are computed against.
    public var now: Date

    public init(wide: Bool = false, namespaceColumn: NamespaceColumn = .automatic, now: Date) {
        self.wide = wide
        self.namespaceColumn = namespaceColumn
        self.now = now
    }

    // MARK: - Server-side Table

    /// Renders a `meta.k8s.io` Table; nil when `table` has no `columnDefinitions` array.
    public func render(table: JSONValue) -> Output? {
        guard let definitions = table["columnDefinitions"]?.arrayValue else { return nil }
        struct Column {
            let index: Int
            let isDate: Bool
        }
        var header: [String] = []
        var columns: [Column] = []
        for (index, definition) in definitions.enumerated() {
            let priority = definition["priority"]?.intValue ?? 0
            guard priority <= 0 || wide else { continue }
            header.append((definition["name"]?.stringValue ?? "").uppercased())
            let type = definition["type"]?.stringValue
            let format = definition["format"]?.stringValue
            columns.append(Column(index: index, isDate: type == "date" || format == "date-time"))
        }
        let rows = table["rows"]?.arrayValue ?? []
        let namespaces = rows.map { $0["object"]?["metadata"]?["namespace"]?.stringValue }
        let withNamespace = showsNamespace(namespaces)
        if withNamespace { header.insert("NAMESPACE", at: 0) }

        var lines: [[String]] = []
        lines.reserveCapacity(rows.count)
        for (r, row) in rows.enumerated() {
            let cells = row["cells"]?.arrayValue ?? []
            var line: [String] = []
            line.reserveCapacity(header.count)
            if withNamespace { line.append(namespaces[r] ?? "") }
            for column in columns {
                line.append(column.index < cells.count ? cell(cells[column.index], isDate: column.isDate) : "")
            }
            lines.append(line)
        }
        return Self.layout(header: header, rows: lines)
    }

    /// One Table cell as text: `<none>` for null, ages for date columns, compact JSON for structures.
    private func cell(_ value: JSONValue, isDate: Bool) -> String {
        switch value {
        case .null: return "<none>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return Self.number(d)
        case .string(let s):
            if isDate, let seconds = Self.epochSeconds(rfc3339: s) {
                return Self.humanDuration(seconds: now.timeIntervalSince1970 - seconds)
            }
            return s
        case .array, .object: return JSONWriter.string(value)
        }
    }

    // MARK: - Plain lists

    /// Renders a `…List` object (or a single object) without a server-side Table.
    public func render(list: JSONValue) -> Output {
        let kind = list["kind"]?.stringValue
        if let items = list["items"]?.arrayValue {
            var itemKind: String?
            if let kind, kind.hasSuffix("List"), kind.count > 4 { itemKind = String(kind.dropLast(4)) }
            return render(objects: items, kind: itemKind)
        }
        return render(objects: [list], kind: kind)
    }

    /// Renders objects as NAME and AGE (plus NAMESPACE when several), with kubectl's Pod columns when the
    /// objects are Pods (`kind` is the kind of items that carry none).
    public func render(objects: [JSONValue], kind: String?) -> Output {
        let namespaces = objects.map { $0["metadata"]?["namespace"]?.stringValue }
        let withNamespace = showsNamespace(namespaces)
        let isPod = objects.isEmpty
            ? kind == "Pod"
            : objects.allSatisfy { ($0["kind"]?.stringValue ?? kind) == "Pod" }
        var header = ["NAME"]
        if isPod { header += ["READY", "STATUS", "RESTARTS"] }
        header.append("AGE")
        if isPod && wide { header += ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] }
        if withNamespace { header.insert("NAMESPACE", at: 0) }

        var lines: [[String]] = []
        lines.reserveCapacity(objects.count)
        for (i, object) in objects.enumerated() {
            let metadata = object["metadata"]
            var line: [String] = []
            line.reserveCapacity(header.count)
            if withNamespace { line.append(namespaces[i] ?? "") }
            line.append(metadata?["name"]?.stringValue ?? "")
            let age = Self.age(of: metadata?["creationTimestamp"]?.stringValue, now: now)
            if isPod {
                let summary = Self.podSummary(object, now: now)
                line += [summary.ready, summary.status, summary.restarts, age]
                if wide { line += Self.podWideCells(object) }
            } else {
                line.append(age)
            }
            lines.append(line)
        }
        return Self.layout(header: header, rows: lines)
    }

    private func showsNamespace(_ namespaces: [String?]) -> Bool {
        switch namespaceColumn {
        case .always: return true
        case .never: return false
        case .automatic:
            var first: String?
            for case let namespace? in namespaces {
                if let first, first != namespace { return true }
                if first == nil { first = namespace }
            }
            return false
        }
    }

    // MARK: - Pods

    /// READY, STATUS and RESTARTS of a Pod, computed as kubectl's `printPod` does (init containers, sidecars,
    /// waiting/terminated reasons, Terminating, the age of the last restart).
    static func podSummary(_ pod: JSONValue, now: Date) -> (ready: String, status: String, restarts: String) {
        let spec = pod["spec"]
        let status = pod["status"]
        let conditions = status?["conditions"]?.arrayValue ?? []
        var total = spec?["containers"]?.arrayValue?.count ?? 0
        var ready = 0
        var restarts = 0
        var restartableRestarts = 0
        var lastRestart: Double?
        var lastRestartableRestart: Double?

        let phase = status?["phase"]?.stringValue ?? ""
        var reason = phase
        if let r = status?["reason"]?.stringValue, !r.isEmpty { reason = r }
        let gated = conditions.contains {
            $0["type"]?.stringValue == "PodScheduled" && $0["reason"]?.stringValue == "SchedulingGated"
        }
        if gated { reason = "SchedulingGated" }

        let initSpecs = spec?["initContainers"]?.arrayValue ?? []
        var restartable = Set<String>()
        for container in initSpecs where container["restartPolicy"]?.stringValue == "Always" {
            restartable.insert(container["name"]?.stringValue ?? "")
            total += 1
        }

        func finishedAt(_ container: JSONValue) -> Double? {
            container["lastState"]?["terminated"]?["finishedAt"]?.stringValue.flatMap { epochSeconds(rfc3339: $0) }
        }
        func later(_ a: Double?, _ b: Double?) -> Double? {
            guard let b else { return a }
            guard let a else { return b }
            return max(a, b)
        }

        var initializing = false
        for (i, container) in (status?["initContainerStatuses"]?.arrayValue ?? []).enumerated() {
            let count = container["restartCount"]?.intValue ?? 0
            restarts += count
            lastRestart = later(lastRestart, finishedAt(container))
            let isRestartable = restartable.contains(container["name"]?.stringValue ?? "\u{0}")
            if isRestartable {
                restartableRestarts += count
                lastRestartableRestart = later(lastRestartableRestart, finishedAt(container))
            }
            let terminated = container["state"]?["terminated"]
            let waitingReason = container["state"]?["waiting"]?["reason"]?.stringValue ?? ""
            if let terminated, (terminated["exitCode"]?.intValue ?? 0) == 0 {
                continue
            }
            if isRestartable && container["started"]?.boolValue == true {
                if container["ready"]?.boolValue == true { ready += 1 }
                continue
            }
            if let terminated {
                if let r = terminated["reason"]?.stringValue, !r.isEmpty {
                    reason = "Init:" + r
                } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                }
            } else if !waitingReason.isEmpty && waitingReason != "PodInitializing" {
                reason = "Init:" + waitingReason
            } else {
                reason = "Init:\(i)/\(initSpecs.count)"
            }
            initializing = true
            break
        }

        let initialized = conditions.contains {
            $0["type"]?.stringValue == "Initialized" && $0["status"]?.stringValue == "True"
        }
        if !initializing || initialized {
            restarts = restartableRestarts
            lastRestart = lastRestartableRestart
            var hasRunning = false
            for container in (status?["containerStatuses"]?.arrayValue ?? []).reversed() {
                restarts += container["restartCount"]?.intValue ?? 0
                lastRestart = later(lastRestart, finishedAt(container))
                let state = container["state"]
                if let r = state?["waiting"]?["reason"]?.stringValue, !r.isEmpty {
                    reason = r
                } else if let terminated = state?["terminated"] {
                    if let r = terminated["reason"]?.stringValue, !r.isEmpty {
                        reason = r
                    } else if let signal = terminated["signal"]?.intValue, signal != 0 {
                        reason = "Signal:\(signal)"
                    } else {
                        reason = "ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                    }
                } else if container["ready"]?.boolValue == true, state?["running"] != nil {
                    hasRunning = true
                    ready += 1
                }
            }
            if reason == "Completed" && hasRunning {
                let podReady = conditions.contains {
                    $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
                }
                reason = podReady ? "Running" : "NotReady"
            }
        }

        if pod["metadata"]?["deletionTimestamp"]?.stringValue != nil {
            if status?["reason"]?.stringValue == "NodeLost" {
                reason = "Unknown"
            } else if phase != "Succeeded" && phase != "Failed" {
                reason = "Terminating"
            }
        }

        var restartText = String(restarts)
        if restarts != 0, let lastRestart {
            restartText += " (\(humanDuration(seconds: now.timeIntervalSince1970 - lastRestart)) ago)"
        }
        return ("\(ready)/\(total)", reason, restartText)
    }

    /// IP, NODE, NOMINATED NODE and READINESS GATES of `kubectl get pods -o wide`.
    private static func podWideCells(_ pod: JSONValue) -> [String] {
        func orNone(_ s: String?) -> String {
            guard let s, !s.isEmpty else { return "<none>" }
            return s
        }
        let gates = pod["spec"]?["readinessGates"]?.arrayValue ?? []
        var gatesText = "<none>"
        if !gates.isEmpty {
            let conditions = pod["status"]?["conditions"]?.arrayValue ?? []
            let passed = gates.filter { gate in
                let type = gate["conditionType"]?.stringValue
                return conditions.contains { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
            }.count
            gatesText = "\(passed)/\(gates.count)"
        }
        return [
            orNone(pod["status"]?["podIP"]?.stringValue),
            orNone(pod["spec"]?["nodeName"]?.stringValue),
            orNone(pod["status"]?["nominatedNodeName"]?.stringValue),
            gatesText,
        ]
    }

    // MARK: - Ages and times

    /// kubectl's AGE of a timestamp: `<unknown>` when missing or unreadable.
    public static func age(of timestamp: String?, now: Date) -> String {
        guard let timestamp, let seconds = epochSeconds(rfc3339: timestamp) else { return "<unknown>" }
        return humanDuration(seconds: now.timeIntervalSince1970 - seconds)
    }

    /// A duration in kubectl's short form (`apimachinery` `duration.HumanDuration`): `45s`, `5m30s`, `45m`,
    /// `3h20m`, `10h`, `5d4h`, `12d`, `2y30d`, `9y`; `0s` for up to one second in the future (clock skew),
    /// `<invalid>` beyond that.
    public static func humanDuration(seconds: Double) -> String {
        let s = seconds.isFinite ? Int(max(min(seconds, 9.0e15), -9.0e15)) : 0
        if s < -1 { return "<invalid>" }
        if s < 0 { return "0s" }
        if s < 120 { return "\(s)s" }
        let minutes = s / 60
        if minutes < 10 {
            let rest = s % 60
            return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = s / 3600
        if hours < 8 {
            let rest = minutes % 60
            return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let rest = hours % 24
            return rest == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(rest)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let rest = (hours / 24) % 365
            return rest == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(rest)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// Seconds since 1970 of an RFC 3339 time as the API writes it (`2022-02-17T21:51:01Z`, with optional
    /// fractional seconds and a numeric offset); nil when `text` is not one.
    public static func epochSeconds(rfc3339 text: String) -> Double? {
        var text = text
        return text.withUTF8 { u -> Double? in
            let n = u.count
            var i = 0
            func digits(_ count: Int) -> Int? {
                guard i + count <= n else { return nil }
                var value = 0
                for _ in 0..<count {
                    let b = u[i]
                    guard b >= 0x30 && b <= 0x39 else { return nil }
                    value = value * 10 + Int(b - 0x30)
                    i += 1
                }
                return value
            }
            func expect(_ c: UInt8) -> Bool {
                guard i < n, u[i] == c || (c == UInt8(ascii: "T") && (u[i] == UInt8(ascii: "t") || u[i] == 0x20))
                else { return false }
                i += 1
                return true
            }
            guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
                  let day = digits(2), expect(UInt8(ascii: "T")), let hour = digits(2), expect(UInt8(ascii: ":")),
                  let minute = digits(2), expect(UInt8(ascii: ":")), let second = digits(2),
                  (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
            else { return nil }
            var fraction = 0.0
            if i < n && u[i] == UInt8(ascii: ".") {
                i += 1
                var scale = 0.1
                let start = i
                while i < n && u[i] >= 0x30 && u[i] <= 0x39 {
                    fraction += Double(u[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
            var offset = 0
            guard i < n else { return nil }
            switch u[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = u[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let h = digits(2), expect(UInt8(ascii: ":")), let m = digits(2) else { return nil }
                offset = sign * (h * 3600 + m * 60)
            default:
                return nil
            }
            guard i == n else { return nil }
            // Days from the civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let days = era * 146_097 + dayOfEra - 719_468
            return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
        }
    }

    // MARK: - Layout

    /// Aligns cells like kubectl's tabwriter (minimum width 6, padding 3); the last column is not padded.
    static func layout(header: [String], rows: [[String]]) -> Output {
        let count = header.count
        var widths = header.map { $0.unicodeScalars.count }
        var cleaned: [[String]] = []
        cleaned.reserveCapacity(rows.count)
        for row in rows {
            var cells: [String] = []
            cells.reserveCapacity(count)
            for i in 0..<count {
                let text = i < row.count ? sanitized(row[i]) : ""
                widths[i] = max(widths[i], text.unicodeScalars.count)
                cells.append(text)
            }
            cleaned.append(cells)
        }
        let padded = widths.map { max($0 + 3, 6) }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, text) in cells.enumerated() {
                out.append(text)
                if i < count - 1 {
                    out.append(String(repeating: " ", count: padded[i] - text.unicodeScalars.count))
                }
            }
            while out.utf8.last == 0x20 { out.removeLast() }
            return out
        }
        return Output(header: line(header), rows: cleaned.map(line))
    }

    /// The cell on one line: line breaks, tabs and other control characters become spaces.
    private static func sanitized(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.value < 0x20 || $0.value == 0x7F ? " " : $0
        }))
    }

    /// A JSON number as kubectl prints it: integral values without a fraction.
    private static func number(_ d: Double) -> String {
        if d.isFinite && d.rounded() == d && abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }
}
