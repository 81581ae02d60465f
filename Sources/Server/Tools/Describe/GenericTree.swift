/// The describe section of kinds without their own: every top-level field but `apiVersion`, `kind` and
/// `metadata` (usually `spec` and `status`) as an indented `key: value` tree, capped.
///
/// Stateless; any thread. Objects become nested keys, arrays of objects become `-` entries, arrays of scalars
/// one comma-separated line; long strings are cut and the tree stops after `maxLines` lines or `maxDepth`
/// levels with a note of what was left out.
enum GenericTree {
    /// The most lines the tree writes.
    static let maxLines = 400
    /// The deepest level written.
    static let maxDepth = 10
    /// The most characters of one string value.
    static let maxValueCharacters = 500

    static func write(_ w: inout DescribeWriter, _ object: JSONValue) {
        var budget = maxLines
        for member in object.objectValue?.members ?? [] where !["apiVersion", "kind", "metadata"].contains(member.key) {
            let title = member.key.prefix(1).uppercased() + member.key.dropFirst()
            value(&w, 0, "\(title):", member.value, budget: &budget)
        }
        if budget < 0 {
            w.line(0, "(the rest of the object is not shown: more than \(maxLines) lines; use resources_get for all of it)")
        }
    }

    private static func value(_ w: inout DescribeWriter, _ level: Int, _ key: String, _ value: JSONValue,
                              budget: inout Int) {
        guard budget > 0 else {
            budget = -1
            return
        }
        switch value {
        case .object(let object):
            if object.isEmpty {
                emit(&w, level, key, "{}", budget: &budget)
            } else if level >= maxDepth {
                emit(&w, level, key, DescribeFormat.capped(JSONWriter.string(value), limit: maxValueCharacters),
                     budget: &budget)
            } else {
                emit(&w, level, key, nil, budget: &budget)
                for member in object.members {
                    self.value(&w, level + 1, "\(member.key):", member.value, budget: &budget)
                }
            }
        case .array(let items):
            if items.isEmpty {
                emit(&w, level, key, "[]", budget: &budget)
            } else if items.allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil }) {
                emit(&w, level, key, DescribeFormat.capped(items.map(DescribeFormat.scalar).joined(separator: ", "),
                                                           limit: maxValueCharacters), budget: &budget)
            } else if level >= maxDepth {
                emit(&w, level, key, DescribeFormat.capped(JSONWriter.string(value), limit: maxValueCharacters),
                     budget: &budget)
            } else {
                emit(&w, level, key, nil, budget: &budget)
                for item in items {
                    if case .object(let object) = item, !object.isEmpty {
                        for (i, member) in object.members.enumerated() {
                            self.value(&w, level + 1, (i == 0 ? "- " : "  ") + "\(member.key):", member.value,
                                       budget: &budget)
                        }
                    } else {
                        self.value(&w, level + 1, "-", item, budget: &budget)
                    }
                }
            }
        default:
            emit(&w, level, key, DescribeFormat.capped(DescribeFormat.scalar(value), limit: maxValueCharacters),
                 budget: &budget)
        }
    }

    private static func emit(_ w: inout DescribeWriter, _ level: Int, _ key: String, _ text: String?,
                             budget: inout Int) {
        guard budget > 0 else {
            budget = -1
            return
        }
        budget -= 1
        if let text { w.line(level, key, text) } else { w.line(level, key) }
    }
}
