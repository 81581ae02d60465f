/// Input and output schema pieces shared by `pods_top` and `nodes_top`.
///
/// Stateless; any thread.
enum TopSchema {
    static let sortBy = ToolSchema.string(
        "Optional order: cpu or memory (highest first, like kubectl top --sort-by); by name when omitted.",
        allowed: ["cpu", "memory"])

    static let cpuMillicores = ToolSchema.type("integer", description: "CPU usage in millicores (1000 = one core).")
    static let memoryBytes = ToolSchema.type("integer", description: "Memory usage (working set) in bytes.")

    /// `count`, `truncated` and the note members every top result has.
    static let common: [(String, JSONValue)] = [
        ("count", ToolSchema.type("integer", description: "Rows shown.")),
        ("truncated", ToolSchema.type("boolean", description: "True when the output limit left rows out.")),
    ]
}

/// Orders and caps top rows. Stateless; any thread.
enum TopRows {
    /// Sorts rows by `sortBy` (`cpu`/`memory`, highest first, ties by name) or keeps name order.
    static func sorted<Row>(_ rows: [Row], by sortBy: String?, cpu: (Row) -> Int, memory: (Row) -> Int,
                            name: (Row) -> String) -> [Row] {
        switch sortBy {
        case "cpu": return rows.sorted { (cpu($0), name($1)) > (cpu($1), name($0)) }
        case "memory": return rows.sorted { (memory($0), name($1)) > (memory($1), name($0)) }
        default: return rows.sorted { name($0) < name($1) }
        }
    }
}
