/// Collects the lines of a describe text and aligns them the way kubectl's describers do: each line is
/// indented two spaces per level and split into tab-separated cells, and cells are padded into columns like
/// Go's `text/tabwriter` (padding 2): a column is aligned over each run of consecutive lines that have a cell
/// in it, the last cell of a line is never padded.
///
/// Plain value type; any thread. Cells are cleaned of line breaks and tabs (a multi-line value is written with
/// `lines(_:_:_:)`, one row per line).
struct DescribeWriter: Sendable {
    private var rows: [[String]] = []

    /// Spaces between columns.
    static let padding = 2

    init() {}

    /// One line at `level` made of `cells` (`"Name:", "frontend"`).
    mutating func line(_ level: Int, _ cells: String...) {
        add(level, cells)
    }

    /// One line at `level` made of `cells`.
    mutating func add(_ level: Int, _ cells: [String]) {
        var cleaned = cells.map(Self.clean)
        if cleaned.isEmpty { cleaned = [""] }
        cleaned[0] = String(repeating: "  ", count: level) + cleaned[0]
        rows.append(cleaned)
    }

    /// `key:` and a value that may span several lines: the first line next to the key, the others below it
    /// in the value column.
    mutating func lines(_ level: Int, _ key: String, _ value: String) {
        let parts = value.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        add(level, [key, parts.first ?? ""])
        for part in parts.dropFirst() { add(level, ["", part]) }
    }

    /// `key:` with a `key=value` map, one entry per line, sorted by key; `<none>` when empty.
    mutating func map(_ level: Int, _ key: String, _ map: JSONObject?, separator: String = "=",
                      skipping: Set<String> = []) {
        let entries = (map?.members ?? []).filter { !skipping.contains($0.key) }.sorted { $0.key < $1.key }
        guard !entries.isEmpty else {
            add(level, [key, "<none>"])
            return
        }
        for (i, entry) in entries.enumerated() {
            add(level, [i == 0 ? key : "", "\(entry.key)\(separator)\(DescribeFormat.scalar(entry.value))"])
        }
    }

    /// An empty line.
    mutating func blank() {
        rows.append([""])
    }

    /// Lines written so far.
    var lineCount: Int { rows.count }

    /// The aligned text, each line ending with a line break, no trailing spaces.
    var text: String {
        // Width of column `c` for each row, computed over runs of consecutive rows that have a terminated
        // cell at `c` (every cell but a row's last is terminated).
        var widths = rows.map { [Int](repeating: 0, count: max($0.count - 1, 0)) }
        let maxColumns = rows.map { $0.count - 1 }.max() ?? 0
        for column in 0..<max(maxColumns, 0) {
            var start = 0
            while start < rows.count {
                guard rows[start].count - 1 > column else {
                    start += 1
                    continue
                }
                var end = start
                var width = 0
                while end < rows.count, rows[end].count - 1 > column {
                    width = max(width, rows[end][column].count)
                    end += 1
                }
                for r in start..<end { widths[r][column] = width + Self.padding }
                start = end
            }
        }
        var out = ""
        for (r, row) in rows.enumerated() {
            var line = ""
            for (c, cell) in row.enumerated() {
                line += cell
                if c < row.count - 1 { line += String(repeating: " ", count: max(widths[r][c] - cell.count, 0)) }
            }
            while line.last == " " { line.removeLast() }
            out += line
            out += "\n"
        }
        return out
    }

    private static func clean(_ text: String) -> String {
        guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
        return String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}
