/// A `k8s://` resource URI, parsed and validated: the list of kubeconfig contexts, one context's summary,
/// one Kubernetes object, or one pod's log.
///
/// Plain value; any thread. The grammar (every segment percent-encoded, RFC 3986 unreserved characters kept):
///
/// ```
/// k8s://contexts                                         the kubeconfig's contexts (YAML)
/// k8s://{context}                                        one context: server, namespace, version (YAML)
/// k8s://{context}/{namespace}/{resource}/{name}          a namespaced object (YAML)
/// k8s://{context}/_cluster/{resource}/{name}             a cluster-scoped object (YAML), namespaces included
/// k8s://{context}/{namespace}/pods/{name}/log[?container=c&tail=n&previous=true]   a pod's log (text)
/// ```
///
/// `{resource}` is anything kubectl accepts (plural, singular, kind, short name, `deployments.apps`). Segments
/// are split before they are percent-decoded, so a context named `a/b` is written `a%2Fb`. Parsing refuses
/// empty, `.` and `..` segments, control characters, malformed percent-encoding, fragments and unknown query
/// parameters, so that no URI can reach a path other than the one its segments name.
public enum KubeResourceURI: Sendable, Equatable {
    case contexts
    case context(String)
    /// `namespace` is nil for cluster-scoped objects (`_cluster`).
    case object(context: String, namespace: String?, resource: String, name: String)
    case log(context: String, namespace: String, pod: String, options: LogQuery)

    /// The optional query of a log URI.
    public struct LogQuery: Sendable, Equatable {
        public var container: String?
        /// Lines from the end (default `KubeResourceURI.defaultTailLines`).
        public var tail: Int?
        public var previous: Bool

        public init(container: String? = nil, tail: Int? = nil, previous: Bool = false) {
            self.container = container
            self.tail = tail
            self.previous = previous
        }
    }

    public static let scheme = "k8s://"
    /// The namespace segment of cluster-scoped objects (no namespace can be spelled so: names are DNS labels).
    public static let clusterSegment = "_cluster"
    /// The authority of the context listing.
    public static let contextsAuthority = "contexts"
    /// The longest URI accepted.
    public static let maxLength = 4096
    /// The longest context name accepted (after decoding).
    public static let maxContextLength = 1024
    /// The most log lines a URI may ask for.
    public static let maxTailLines = 10_000
    /// Log lines returned when the URI gives no `tail`.
    public static let defaultTailLines = 100

    /// Why a `k8s://` URI was refused; the message says what is wrong and what is accepted.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        init(_ message: String) { self.message = message }
    }

    /// The accepted forms, for error messages.
    public static let forms = "k8s://contexts, k8s://{context}, k8s://{context}/{namespace}/{resource}/{name}, "
        + "k8s://{context}/_cluster/{resource}/{name}, k8s://{context}/{namespace}/pods/{name}/log"

    // MARK: Parsing

    /// Parses `uri`; nil when it is not a `k8s://` URI at all (another provider's), throws when it is one
    /// but malformed.
    public static func parse(_ uri: String) throws(ParseError) -> KubeResourceURI? {
        guard uri.utf8.count >= scheme.utf8.count,
            uri.prefix(scheme.count).lowercased() == scheme
        else { return nil }
        guard uri.utf8.count <= maxLength else { throw ParseError("the URI is longer than \(maxLength) bytes") }
        var rest = Substring(uri.dropFirst(scheme.count))
        if rest.contains("#") { throw ParseError("k8s:// URIs have no fragment (#)") }
        var rawQuery: Substring?
        if let q = rest.firstIndex(of: "?") {
            rawQuery = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        let rawSegments = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard let rawAuthority = rawSegments.first, !rawAuthority.isEmpty else {
            throw ParseError("the URI names no context; accepted forms: \(forms)")
        }
        var segments: [String] = []
        for (i, raw) in rawSegments.enumerated() {
            guard !raw.isEmpty else {
                throw ParseError("empty path segment at position \(i) (a doubled or trailing /)")
            }
            segments.append(try decode(raw))
        }
        let context = segments.removeFirst()
        try checkContext(context)

        if segments.count == 4, segments[1].lowercased() == "pods" || segments[1] == "pod" || segments[1] == "po",
            segments[3] == "log"
        {
            let namespace = segments[0]
            guard namespace != clusterSegment else { throw ParseError("pods are namespaced; \(clusterSegment) has no pod logs") }
            try checkNamespace(namespace)
            try checkName(segments[2], what: "pod name")
            let options = try parseLogQuery(rawQuery)
            return .log(context: context, namespace: namespace, pod: segments[2], options: options)
        }
        if rawQuery != nil { throw ParseError("only pod log URIs (…/pods/{name}/log) take a query") }
        switch segments.count {
        case 0:
            return rawAuthority == Substring(contextsAuthority) ? .contexts : .context(context)
        case 3:
            let namespace: String? = segments[0] == clusterSegment ? nil : segments[0]
            if let namespace { try checkNamespace(namespace) }
            try checkResource(segments[1])
            try checkName(segments[2], what: "object name")
            return .object(context: context, namespace: namespace, resource: segments[1], name: segments[2])
        default:
            throw ParseError("\(segments.count) path segments after the context do not form a resource URI; "
                             + "accepted forms: \(forms)")
        }
    }

    private static func parseLogQuery(_ raw: Substring?) throws(ParseError) -> LogQuery {
        var options = LogQuery()
        guard let raw, !raw.isEmpty else { return options }
        var seen: Set<String> = []
        for pair in raw.split(separator: "&", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw ParseError("the log query parameter \"\(pair)\" has no value") }
            let key = try decode(parts[0])
            let value = try decode(parts[1])
            guard seen.insert(key).inserted else { throw ParseError("the log query parameter \(key) is repeated") }
            switch key {
            case "container":
                try checkLabel(value, what: "container name")
                options.container = value
            case "tail":
                guard let n = Int(value), n >= 0, n <= maxTailLines else {
                    throw ParseError("tail must be a whole number from 0 to \(maxTailLines), not \"\(value)\"")
                }
                options.tail = n
            case "previous":
                guard value == "true" || value == "false" else {
                    throw ParseError("previous must be true or false, not \"\(value)\"")
                }
                options.previous = value == "true"
            default:
                throw ParseError("unknown log query parameter \"\(key)\" (accepted: container, tail, previous)")
            }
        }
        return options
    }

    /// Percent-decodes one segment; refuses malformed escapes, invalid UTF-8 and control characters.
    static func decode(_ raw: Substring) throws(ParseError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw ParseError("malformed percent-encoding in \"\(raw)\"")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ParseError("\"\(raw)\" does not decode to UTF-8 text")
        }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ParseError("control characters are not allowed in a k8s:// URI")
        }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    // MARK: Segment rules (also used for prompt arguments)

    static func checkContext(_ text: String) throws(ParseError) {
        guard !text.isEmpty, text.utf8.count <= maxContextLength else {
            throw ParseError("a context name must have 1 to \(maxContextLength) bytes")
        }
    }

    /// A namespace is a DNS label: lower-case letters, digits and '-', at most 63.
    static func checkNamespace(_ text: String) throws(ParseError) {
        try checkLabel(text, what: "namespace")
    }

    static func checkLabel(_ text: String, what: String) throws(ParseError) {
        let bytes = Array(text.utf8)
        let ok = !bytes.isEmpty && bytes.count <= 63
            && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
            && isLowerAlphanumeric(bytes.first!) && isLowerAlphanumeric(bytes.last!)
        guard ok else {
            throw ParseError("\"\(text)\" is not a valid \(what) (lower-case letters, digits and '-', at most 63, "
                             + "starting and ending with a letter or digit)")
        }
    }

    /// A resource type as kubectl takes it: letters, digits, '.' and '-'.
    static func checkResource(_ text: String) throws(ParseError) {
        let bytes = Array(text.utf8)
        let ok = !bytes.isEmpty && bytes.count <= 253
            && bytes.allSatisfy { isLowerAlphanumeric($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
            && bytes.first != UInt8(ascii: ".") && bytes.last != UInt8(ascii: ".")
        guard ok else {
            throw ParseError("\"\(text)\" is not a resource type (a plural, singular, kind or short name such as "
                             + "pods, deployment, Service, deploy or deployments.apps)")
        }
    }

    /// An object name as the API server accepts it in a path: not `.` or `..`, no '/' or '%', at most 253.
    static func checkName(_ text: String, what: String) throws(ParseError) {
        guard !text.isEmpty, text.utf8.count <= 253, text != ".", text != "..", !text.contains("/"),
            !text.contains("%")
        else {
            throw ParseError("\"\(text)\" is not a valid \(what) (1 to 253 characters, not . or .., no / or %)")
        }
    }

    private static func isLowerAlphanumeric(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }

    // MARK: Formatting

    /// The canonical text of this URI.
    public var string: String {
        switch self {
        case .contexts:
            return Self.scheme + Self.contextsAuthority
        case .context(let context):
            return Self.scheme + Self.encode(context)
        case .object(let context, let namespace, let resource, let name):
            return Self.objectURI(context: context, namespace: namespace, resource: resource, name: name)
        case .log(let context, let namespace, let pod, let options):
            var text = Self.scheme + [context, namespace, "pods", pod, "log"].map(Self.encode).joined(separator: "/")
            var query: [String] = []
            if let c = options.container { query.append("container=\(Self.encode(c))") }
            if let t = options.tail { query.append("tail=\(t)") }
            if options.previous { query.append("previous=true") }
            if !query.isEmpty { text += "?" + query.joined(separator: "&") }
            return text
        }
    }

    public static func objectURI(context: String, namespace: String?, resource: String, name: String) -> String {
        scheme + [context, namespace ?? clusterSegment, resource, name].map(encode).joined(separator: "/")
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    public static func encode(_ text: String) -> String { KubeRequest.escape(text) }
}
