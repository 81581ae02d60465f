import Foundation
import Yams

/// Finds, reads, checks and merges kubeconfig files the way kubectl does.
///
/// Lookup order (`load(explicitPath:environment:...)`), the first step that applies wins:
/// 1. An explicit path, `--kubeconfig` or `K8S_KUBECONFIG_PATH`. It must exist; a missing file is an error.
/// 2. Else, when `KUBECONFIG` is set and not empty: its colon-separated files, merged in order. Missing files
///    are skipped; for each cluster, user and context name the first file that defines it wins, and
///    `current-context` comes from the first file that sets it. As with kubectl, `~/.kube/config` is then
///    not consulted, even when none of the listed files exists.
/// 3. Else `$HOME/.kube/config`, with `HOME` taken from the environment dictionary.
/// 4. Else the in-cluster service account: `KUBERNETES_SERVICE_HOST` and `KUBERNETES_SERVICE_PORT` set and a
///    `token` file in the service-account directory. This yields a synthetic config with cluster, user and
///    context `in-cluster`, server `https://HOST:PORT` (IPv6 bracketed), the user's `tokenFile` (so rotated
///    tokens are picked up), `ca.crt` when present, and the namespace from the `namespace` file.
/// 5. Else `KubeConfigError.noConfiguration`, listing each place looked at and why it did not apply.
///
/// Every file is checked when loaded (YAML syntax, shape, unique names, base64 `*-data`, server URLs);
/// context references are checked when a context is resolved. `--context` and `--namespace` are applied by
/// the caller on the resolved view, never by editing the loaded config.
///
/// Stateless; every input (environment, directories) is a parameter, so it runs on any thread and tests are
/// deterministic. It blocks on file I/O: call it at startup, not on the event loop.
public enum KubeConfigLoader {
    /// Where Kubernetes mounts a pod's service-account token, CA bundle and namespace.
    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The cluster, user and context name of the synthetic in-cluster config.
    public static let inClusterName = "in-cluster"

    /// Loads the kubeconfig the server runs with, following the lookup order above.
    /// - Parameters:
    ///   - explicitPath: `--kubeconfig` / `K8S_KUBECONFIG_PATH`, nil or empty when not given.
    ///   - environment: the process environment (`KUBECONFIG`, `HOME`, `KUBERNETES_SERVICE_*`).
    ///   - serviceAccountDirectory: where the in-cluster token, `ca.crt` and `namespace` files are.
    ///   - currentDirectory: what relative paths given on the command line or in `KUBECONFIG` are relative to;
    ///     nil for the process's working directory.
    public static func load(
        explicitPath: String?,
        environment: [String: String],
        serviceAccountDirectory: String = defaultServiceAccountDirectory,
        currentDirectory: String? = nil
    ) throws(KubeConfigError) -> LoadedKubeConfig {
        let cwd = currentDirectory ?? FileManager.default.currentDirectoryPath
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }

        if let explicitPath, !explicitPath.isEmpty {
            let path = absolutePath(explicitPath, currentDirectory: cwd, home: home)
            guard let config = try loadFileIfPresent(atPath: path) else { throw .fileNotFound(path: path) }
            return LoadedKubeConfig(config: config, source: .explicitPath(path))
        }

        var searched: [String] = []
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var paths: [String] = []
            for element in list.split(separator: ":", omittingEmptySubsequences: true) {
                let path = absolutePath(String(element), currentDirectory: cwd, home: home)
                if !paths.contains(path) { paths.append(path) }
            }
            var configs: [KubeConfig] = []
            var found: [String] = []
            for path in paths {
                guard let config = try loadFileIfPresent(atPath: path) else { continue }
                configs.append(config)
                found.append(path)
            }
            if !configs.isEmpty {
                return LoadedKubeConfig(config: merge(configs), source: .kubeconfigVariable(found))
            }
            searched.append("KUBECONFIG=\(list): none of its files exist")
        } else {
            searched.append("KUBECONFIG is not set")
            if let home {
                let path = (home.hasSuffix("/") ? String(home.dropLast()) : home) + "/.kube/config"
                if let config = try loadFileIfPresent(atPath: path) {
                    return LoadedKubeConfig(config: config, source: .homeDirectory(path))
                }
                searched.append("\(path) does not exist")
            } else {
                searched.append("~/.kube/config: HOME is not set")
            }
        }

        switch inCluster(environment: environment, serviceAccountDirectory: serviceAccountDirectory) {
        case .available(let config):
            return LoadedKubeConfig(config: config, source: .inCluster(directory: serviceAccountDirectory))
        case .unavailable(let reason):
            searched.append(reason)
        }
        throw .noConfiguration(searched: searched)
    }

    /// `load(explicitPath:...)` with the path from a resolved `Config`, as a `Result` so the server can start
    /// without a kubeconfig and let the tools report why there is none.
    public static func load(
        config: Config,
        environment: [String: String],
        serviceAccountDirectory: String = defaultServiceAccountDirectory
    ) -> Result<LoadedKubeConfig, KubeConfigError> {
        Result { () throws(KubeConfigError) -> LoadedKubeConfig in
            try load(explicitPath: config.kubeconfigPath, environment: environment,
                     serviceAccountDirectory: serviceAccountDirectory)
        }
    }

    /// The synthetic in-cluster config, or `noConfiguration` saying why the service account is not usable.
    public static func inClusterConfig(
        environment: [String: String],
        serviceAccountDirectory: String = defaultServiceAccountDirectory
    ) throws(KubeConfigError) -> KubeConfig {
        switch inCluster(environment: environment, serviceAccountDirectory: serviceAccountDirectory) {
        case .available(let config): return config
        case .unavailable(let reason): throw .noConfiguration(searched: [reason])
        }
    }

    /// Reads and checks one file; nil when it does not exist. Entries get `origin` set to this file.
    public static func loadFileIfPresent(atPath path: String) throws(KubeConfigError) -> KubeConfig? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { throw .unreadableFile(path: path, reason: "it is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadableFile(path: path, reason: Self.reason(error))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "it is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses and checks kubeconfig YAML as if read from `file` (used in messages and as every entry's origin).
    /// An empty document is an empty config, as for kubectl.
    public static func parse(_ text: String, file: String) throws(KubeConfigError) -> KubeConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw syntaxError(error, file: file)
        }
        guard let root, !isNull(root) else {
            return KubeConfig()
        }
        guard root.mapping != nil else {
            throw .notAMapping(path: file, location: "the top level", found: shapeName(root))
        }

        var config: KubeConfig
        do {
            config = try YAMLDecoder().decode(KubeConfig.self, from: root)
        } catch let error as DecodingError {
            throw decodingError(error, root: root, file: file)
        } catch {
            throw syntaxError(error, file: file)
        }

        for index in config.clusters.indices { config.clusters[index].origin = .init(file: file, index: index) }
        for index in config.users.indices { config.users[index].origin = .init(file: file, index: index) }
        for index in config.contexts.indices { config.contexts[index].origin = .init(file: file, index: index) }
        if config.currentContext != nil { config.currentContextOrigin = file }
        try config.validateStructure()
        return config
    }

    /// Merges configs with kubectl's rules: for each name the first config that defines it wins;
    /// `current-context` and `preferences` come from the first config that sets them.
    public static func merge(_ configs: [KubeConfig]) -> KubeConfig {
        var merged = KubeConfig()
        var clusterNames = Set<String>()
        var userNames = Set<String>()
        var contextNames = Set<String>()
        for config in configs {
            for entry in config.clusters where clusterNames.insert(entry.name).inserted { merged.clusters.append(entry) }
            for entry in config.users where userNames.insert(entry.name).inserted { merged.users.append(entry) }
            for entry in config.contexts where contextNames.insert(entry.name).inserted { merged.contexts.append(entry) }
            if merged.currentContext == nil, let current = config.currentContext, !current.isEmpty {
                merged.currentContext = current
                merged.currentContextOrigin = config.currentContextOrigin
            }
            if merged.preferences == nil { merged.preferences = config.preferences }
        }
        return merged
    }

    // MARK: - In-cluster

    private enum InCluster {
        case available(KubeConfig)
        case unavailable(String)
    }

    private static func inCluster(environment: [String: String], serviceAccountDirectory: String) -> InCluster {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            return .unavailable("in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both set")
        }
        guard let portNumber = Int(port), (1...65535).contains(portNumber) else {
            return .unavailable("in-cluster: KUBERNETES_SERVICE_PORT \"\(port)\" is not a port number")
        }
        let directory = serviceAccountDirectory.hasSuffix("/")
            ? String(serviceAccountDirectory.dropLast()) : serviceAccountDirectory
        let tokenPath = directory + "/token"
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            return .unavailable("in-cluster: KUBERNETES_SERVICE_HOST is set but \(tokenPath) is not readable")
        }
        let caPath = directory + "/ca.crt"
        let hasCA = FileManager.default.isReadableFile(atPath: caPath)
        var namespace = "default"
        if let data = FileManager.default.contents(atPath: directory + "/namespace") {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { namespace = text }
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let origin = { (index: Int) in KubeConfig.Origin(file: directory, index: index) }
        let name = inClusterName
        let cluster = KubeConfig.Cluster(server: "https://\(hostPart):\(portNumber)",
                                         certificateAuthority: hasCA ? caPath : nil)
        let config = KubeConfig(
            clusters: [KubeConfig.NamedCluster(name: name, cluster: cluster, origin: origin(0))],
            users: [KubeConfig.NamedUser(name: name, user: KubeConfig.User(tokenFile: tokenPath), origin: origin(0))],
            contexts: [KubeConfig.NamedContext(
                name: name, context: KubeConfig.Context(cluster: name, user: name, namespace: namespace),
                origin: origin(0))],
            currentContext: name,
            currentContextOrigin: directory)
        return .available(config)
    }

    // MARK: - Helpers

    private static func absolutePath(_ path: String, currentDirectory: String, home: String?) -> String {
        var path = path
        if let home, path == "~" || path.hasPrefix("~/") { path = home + path.dropFirst() }
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        let base = URL(fileURLWithPath: currentDirectory, isDirectory: true)
        return URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
    }

    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoPermissionError {
            return "permission denied"
        }
        return nsError.localizedDescription
    }

    private static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private static func shapeName(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return isNull(node) ? "null" : "a scalar"
        case .alias: return "an alias"
        }
    }

    /// A syntax error with position, built from Yams' parts: its own description quotes the offending line,
    /// which may hold a credential.
    private static func syntaxError(_ error: any Error, file: String) -> KubeConfigError {
        guard let yaml = error as? YamlError else {
            return .yamlSyntax(path: file, line: nil, column: nil, problem: String(describing: type(of: error)))
        }
        switch yaml {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let full = context.map { "\($0.text) (line \($0.mark.line)): \(problem)" } ?? problem
            return .yamlSyntax(path: file, line: mark.line, column: mark.column, problem: full)
        case .reader(let problem, _, _, _):
            return .yamlSyntax(path: file, line: nil, column: nil, problem: problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .yamlSyntax(path: file, line: context.mark.line, column: context.mark.column,
                               problem: "duplicate key " + duplicates.sorted().joined(separator: ", "))
        default:
            return .yamlSyntax(path: file, line: nil, column: nil, problem: "\(yaml)")
        }
    }

    /// Turns Yams' coding path into `clusters[1] ("prod"): cluster.insecure-skip-tls-verify`.
    private static func decodingError(_ error: DecodingError, root: Node, file: String) -> KubeConfigError {
        let codingPath: [any CodingKey]
        let problem: String
        switch error {
        case .typeMismatch(let type, let context):
            codingPath = context.codingPath
            let found = node(at: codingPath, in: root).map(shapeName) ?? "nothing"
            problem = "expected \(expectedName(type, key: codingPath.last)), found \(found)"
        case .valueNotFound(let type, let context):
            codingPath = context.codingPath
            problem = "expected \(expectedName(type, key: codingPath.last)), found null"
        case .keyNotFound(let key, let context):
            codingPath = context.codingPath + [key]
            problem = "is required"
        case .dataCorrupted(let context):
            codingPath = context.codingPath
            problem = "is not valid"
        @unknown default:
            codingPath = []
            problem = "is not valid"
        }
        let line = node(at: codingPath, in: root)?.mark?.line

        var entry: KubeConfigError.Entry?
        var rest = codingPath[...]
        if let first = rest.first, let section = KubeConfigError.Section(rawValue: first.stringValue),
           rest.count >= 2, let index = rest.dropFirst().first?.intValue
        {
            let entryNode = node(at: Array(codingPath.prefix(2)), in: root)
            if rest.count == 2, case .typeMismatch = error {
                let found = entryNode.map(shapeName) ?? "nothing"
                return .notAMapping(path: file, location: "\(section.rawValue)[\(index)]", found: found)
            }
            let name = entryNode?["name"]?.scalar?.string ?? ""
            entry = KubeConfigError.Entry(path: file, section: section, index: index, name: name)
            rest = rest.dropFirst(2)
        }
        var field = ""
        for key in rest {
            if let index = key.intValue { field += "[\(index)]" } else { field += (field.isEmpty ? "" : ".") + key.stringValue }
        }
        return .invalidField(path: file, entry: entry, field: field.isEmpty ? "value" : field, problem: problem,
                             line: line)
    }

    private static func node(at path: [any CodingKey], in root: Node) -> Node? {
        var current = root
        for key in path {
            if let index = key.intValue, let sequence = current.sequence {
                guard index >= 0 && index < sequence.count else { return nil }
                current = sequence[index]
            } else if let next = current[key.stringValue] {
                current = next
            } else {
                return nil
            }
        }
        return current
    }

    /// The fields of the mirror that hold booleans (Yams reports a mismatch there as "expected Scalar").
    private static let booleanFields: Set<String> = ["insecure-skip-tls-verify", "disable-compression",
                                                     "provideClusterInfo"]

    private static func expectedName(_ type: Any.Type, key: (any CodingKey)?) -> String {
        if let key, booleanFields.contains(key.stringValue) { return "a boolean" }
        if type == Bool.self || type == Bool?.self { return "a boolean" }
        if type == Node.Scalar.self { return "a single value" }
        if type == String.self || type == String?.self { return "a string" }
        if type == Int.self || type == Double.self { return "a number" }
        if type == Node.Mapping.self { return "a mapping" }
        if type == Node.Sequence.self { return "a list" }
        let name = String(describing: type)
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list" }
        if name.hasPrefix("Dictionary") { return "a mapping" }
        return name
    }
}
