/// Why a kubeconfig could not be loaded or used; every description names the file and the entry at fault.
///
/// Plain value, safe on any thread. Descriptions never contain credential values or YAML snippets (a
/// snippet could be the line holding a token), only names, paths, field names and positions.
public enum KubeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An explicitly given kubeconfig path (`--kubeconfig` or `K8S_KUBECONFIG_PATH`) does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be read (permissions, a directory, not UTF-8, ...).
    case unreadableFile(path: String, reason: String)
    /// The YAML itself is malformed; line and column are 1-based when Yams reports them.
    case yamlSyntax(path: String, line: Int?, column: Int?, problem: String)
    /// The document, a section or an entry has the wrong shape (e.g. the top level is a list, not a mapping).
    case notAMapping(path: String, location: String, found: String)
    /// A field holds a value of the wrong type (e.g. a string where a boolean belongs).
    case invalidField(path: String, entry: Entry?, field: String, problem: String, line: Int?)
    /// A cluster, user or context entry has no `name`.
    case missingName(path: String, section: Section, index: Int)
    /// One file defines the same name twice in one section.
    case duplicateName(entry: Entry, firstIndex: Int)
    /// A `*-data` field is not valid base64.
    case invalidBase64(entry: Entry, field: String)
    /// A cluster's `server` cannot be parsed as an http(s) URL with a host.
    case invalidServerURL(entry: Entry, server: String, reason: String)
    /// A cluster's `proxy-url` cannot be parsed as a URL with a scheme and host.
    case invalidProxyURL(entry: Entry, reason: String)
    /// The cluster a context uses has no `server`.
    case missingServer(entry: Entry)
    /// A user's `exec` section has no `command`.
    case execWithoutCommand(entry: Entry)
    /// A user's `exec` section has no `apiVersion`.
    case execWithoutAPIVersion(entry: Entry)
    /// A user's `exec.interactiveMode` is not `Never`, `IfAvailable` or `Always`.
    case invalidInteractiveMode(entry: Entry, value: String)
    /// A user sets two fields that exclude each other (e.g. `token` and `username`, or `exec` and `auth-provider`).
    case conflictingFields(entry: Entry, first: String, second: String)
    /// A user has a client certificate but no key, or a key but no certificate.
    case incompleteClientCertificate(entry: Entry, missing: String)
    /// A context has no `cluster` field.
    case contextWithoutCluster(entry: Entry)
    /// A context refers to a cluster that no loaded file defines.
    case unknownCluster(context: Entry, cluster: String)
    /// A context refers to a user that no loaded file defines.
    case unknownUser(context: Entry, user: String)
    /// `current-context` names a context that no loaded file defines.
    case unknownCurrentContext(name: String, path: String)
    /// A context asked for by name (`--context` / `K8S_CONTEXT`) is not defined in any loaded file.
    case unknownContext(name: String, paths: [String])
    /// No context was asked for and no file sets `current-context`.
    case noCurrentContext(paths: [String])
    /// No kubeconfig was found anywhere; `searched` says where the loader looked and why each place failed.
    case noConfiguration(searched: [String])

    /// The three named lists of a kubeconfig.
    public enum Section: String, Sendable, Equatable {
        case clusters, users, contexts
    }

    /// Where an entry lives: its file, its list, its index inside that file's list, and its name.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var section: Section
        public var index: Int
        public var name: String

        public init(path: String, section: Section, index: Int, name: String) {
            self.path = path
            self.section = section
            self.index = index
            self.name = name
        }

        /// `kubeconfig /x/config: users[2] ("bob")`.
        public var description: String { "kubeconfig \(path): \(section.rawValue)[\(index)] (\"\(name)\")" }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "kubeconfig \(path): file does not exist"
        case .unreadableFile(let path, let reason):
            return "kubeconfig \(path): cannot read file: \(reason)"
        case .yamlSyntax(let path, let line, let column, let problem):
            var position = ""
            if let line {
                position = " at line \(line)"
                if let column { position += ", column \(column)" }
            }
            return "kubeconfig \(path): YAML syntax error\(position): \(problem)"
        case .notAMapping(let path, let location, let found):
            return "kubeconfig \(path): \(location) must be a mapping, found \(found)"
        case .invalidField(let path, let entry, let field, let problem, let line):
            let at = line.map { " (line \($0))" } ?? ""
            if let entry { return "\(entry): \(field): \(problem)\(at)" }
            return "kubeconfig \(path): \(field): \(problem)\(at)"
        case .missingName(let path, let section, let index):
            return "kubeconfig \(path): \(section.rawValue)[\(index)] has no name"
        case .duplicateName(let entry, let firstIndex):
            return "\(entry): name \"\(entry.name)\" is already used by \(entry.section.rawValue)[\(firstIndex)] "
                + "in the same file"
        case .invalidBase64(let entry, let field):
            return "\(entry): \(field) is not valid base64"
        case .invalidServerURL(let entry, let server, let reason):
            return "\(entry): server \"\(server)\" is not a valid URL: \(reason)"
        case .invalidProxyURL(let entry, let reason):
            return "\(entry): proxy-url is not a valid URL: \(reason)"
        case .missingServer(let entry):
            return "\(entry) has no server"
        case .execWithoutCommand(let entry):
            return "\(entry): exec has no command"
        case .execWithoutAPIVersion(let entry):
            return "\(entry): exec has no apiVersion (use client.authentication.k8s.io/v1 or v1beta1)"
        case .invalidInteractiveMode(let entry, let value):
            return "\(entry): exec interactiveMode \"\(value)\" is not one of Never, IfAvailable, Always"
        case .conflictingFields(let entry, let first, let second):
            return "\(entry): \(first) and \(second) cannot be used together"
        case .incompleteClientCertificate(let entry, let missing):
            return "\(entry): client certificate authentication needs \(missing)"
        case .contextWithoutCluster(let entry):
            return "\(entry) has no cluster"
        case .unknownCluster(let context, let cluster):
            return "\(context) refers to cluster \"\(cluster)\" which is not defined"
        case .unknownUser(let context, let user):
            return "\(context) refers to user \"\(user)\" which is not defined"
        case .unknownCurrentContext(let name, let path):
            return "kubeconfig \(path): current-context \"\(name)\" is not defined"
        case .unknownContext(let name, let paths):
            return "context \"\(name)\" is not defined in kubeconfig \(Self.list(paths))"
        case .noCurrentContext(let paths):
            return "kubeconfig \(Self.list(paths)) sets no current-context; choose one with --context or K8S_CONTEXT"
        case .noConfiguration(let searched):
            return "no kubeconfig found; looked at: " + searched.joined(separator: "; ")
        }
    }

    private static func list(_ paths: [String]) -> String {
        paths.isEmpty ? "(no files)" : paths.joined(separator: ", ")
    }
}
