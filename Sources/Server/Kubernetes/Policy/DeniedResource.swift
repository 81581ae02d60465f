/// One entry of `--denied-resources`: every request for this group and kind is refused, in every version of
/// the group (so that another version of the same kind cannot bypass the rule), subresources included.
///
/// Plain value, any thread. Written `group/version/kind`: `apps/v1/Deployment`, `/v1/Secret` or `v1/Secret`
/// (the core group; `core/v1/Secret` too), with `*` or an empty version for "every version" (`apps/*/Deployment`,
/// `apps//Deployment`). The version is checked for form only; matching is by group and kind (case-insensitive).
public struct DeniedResource: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// `""` for the core group.
    public var group: String
    /// The version as written, nil for `*` or empty; informational (every version is denied).
    public var version: String?
    /// The kind as written (`Secret`).
    public var kind: String

    public init(group: String, version: String? = nil, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// What an entry must look like, for error messages.
    public static let expectedForm = "a group/version/kind such as apps/v1/Deployment, v1/Secret or /v1/Secret for the "
        + "core group, or apps/*/Deployment for every version"

    /// Parses one entry; the failure is a reason that completes "is not ...".
    public static func parse(_ text: String) -> Result<DeniedResource, ParseFailure> {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
            .map(String.init)
        let group: String, version: String, kind: String
        switch parts.count {
        case 3:
            (group, version, kind) = (parts[0], parts[1], parts[2])
        case 2 where isVersionOrWildcard(parts[0]):
            (group, version, kind) = ("", parts[0], parts[1])
        case 2:
            return .failure(ParseFailure("a group/version/kind: \"\(parts[0])\" is not a version, so write the "
                + "version too (e.g. \(parts[0])/v1/\(parts[1]) or \(parts[0])/*/\(parts[1]))"))
        default:
            return .failure(ParseFailure(expectedForm))
        }
        let normalizedGroup = group.lowercased() == "core" ? "" : group.lowercased()
        guard normalizedGroup.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") })
        else {
            return .failure(ParseFailure("a group/version/kind: the group \"\(group)\" is not an API group name"))
        }
        guard isVersionOrWildcard(version) else {
            return .failure(ParseFailure("a group/version/kind: the version \"\(version)\" is not a version "
                + "(v1, v1beta1, ...), * or empty"))
        }
        guard let first = kind.first, first.isASCII, first.isLetter,
              kind.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else {
            return .failure(ParseFailure("a group/version/kind: the kind \"\(kind)\" is not a kind name (e.g. Secret)"))
        }
        return .success(DeniedResource(group: normalizedGroup,
                                       version: version.isEmpty || version == "*" ? nil : version, kind: kind))
    }

    /// Why an entry did not parse; `expected` completes "is not ...".
    public struct ParseFailure: Error, Sendable, Equatable {
        public var expected: String
        init(_ expected: String) { self.expected = expected }
    }

    private static func isVersionOrWildcard(_ text: String) -> Bool {
        text.isEmpty || text == "*" || RESTMapper.looksLikeVersion(text)
    }

    /// True for the denied group and kind (case-insensitive kind), whatever the version.
    public func matches(group: String, kind: String) -> Bool {
        self.group == group && self.kind.lowercased() == kind.lowercased()
    }

    /// True when `plural` in `group` is what this kind's plural would be (lowercase kind plus s, es, or ies for
    /// a final y; the lowercase kind itself too): the rule holds even where discovery does not know the resource.
    public func matches(group: String, plural: String) -> Bool {
        guard self.group == group else { return false }
        return pluralGuesses.contains(plural.lowercased())
    }

    /// The plurals this kind could have in URLs.
    public var pluralGuesses: Set<String> {
        let lower = kind.lowercased()
        var guesses: Set<String> = [lower, lower + "s", lower + "es"]
        if lower.hasSuffix("y") { guesses.insert(String(lower.dropLast()) + "ies") }
        return guesses
    }

    /// `v1/Secret` for the core group, `apps/v1/Deployment`, `apps/*/Deployment` without a version.
    public var description: String {
        let v = version ?? "*"
        return group.isEmpty ? "\(v)/\(kind)" : "\(group)/\(v)/\(kind)"
    }
}
