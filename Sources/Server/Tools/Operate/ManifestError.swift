/// Why a manifest text cannot be applied at all (nothing was sent to the cluster).
///
/// Plain value, any thread. Never quotes input lines (a Secret's value could be on them).
enum ManifestError: Error, Equatable, CustomStringConvertible {
    /// More bytes than `ManifestParser.maxBytes`.
    case tooLarge(bytes: Int, limit: Int)
    /// More objects than `ManifestParser.maxObjects`.
    case tooManyObjects(limit: Int)
    /// The text is not valid YAML or JSON.
    case syntax(format: String, line: Int?, column: Int?, problem: String)
    /// Valid YAML that has no JSON form Kubernetes accepts (non-string key, infinity, too deep, too big).
    case unsupported(line: Int?, problem: String)
    /// No object in the input (empty, or only comments and `---`).
    case empty
    /// Documents that are not objects, or objects without apiVersion, kind or name.
    case invalidObjects([String])

    var description: String {
        switch self {
        case .tooLarge(let bytes, let limit):
            return "the resource text has \(bytes) bytes; the limit is \(limit) bytes. Split it into several calls."
        case .tooManyObjects(let limit):
            return "the resource text holds more than \(limit) objects; the limit is \(limit) per call. Split it."
        case .syntax(let format, let line, let column, let problem):
            return "invalid \(format)\(Self.position(line, column)): \(problem)"
        case .unsupported(let line, let problem):
            return "cannot use the YAML\(Self.position(line, nil)): \(problem)"
        case .empty:
            return "the resource text holds no object (give YAML or JSON with apiVersion, kind and metadata.name)"
        case .invalidObjects(let problems):
            return "nothing was applied because the input has problems:\n"
                + problems.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    private static func position(_ line: Int?, _ column: Int?) -> String {
        switch (line, column) {
        case (let l?, let c?): return " at line \(l), column \(c)"
        case (let l?, nil): return " at line \(l)"
        default: return ""
        }
    }
}
