/// Aligned plain-text tables (kubectl style: columns separated by three spaces, no trailing blanks).
///
/// Stateless; any thread.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                if i == cells.count - 1 {
                    out += cell
                } else {
                    out += cell + String(repeating: " ", count: widths[i] - cell.count + 3)
                }
            }
            return out
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
