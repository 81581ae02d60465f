extension KubectlArgumentPolicy {
    /// One pass over the arguments after the command: checks each token and builds the argv to run.
    ///
    /// Plain value, used once by `check`.
    struct Walk {
        let policy: KubectlArgumentPolicy
        let verb: KubectlVerb
        let subcommand: String?
        let args: [String]
        /// The argv being built.
        var output: [String] = []
        /// The last `-o` value's meaning, and where in `output` the rewritten flag goes.
        var outputMode: KubectlInvocation.Output?
        var outputValue: String?
        var outputIndex: Int?
        var readsStandardInput = false
        var rawPath: String?

        init(policy: KubectlArgumentPolicy, verb: KubectlVerb, subcommand: String?, args: [String]) {
            self.policy = policy
            self.verb = verb
            self.subcommand = subcommand
            self.args = args
        }

        /// Short flags whose meaning is the same for every allowed command: they take no value.
        static let booleanShortFlags: Set<Character> = ["A", "R", "h"]
        /// Short flags that take a value (the rest of the token, else the next argument) for every allowed
        /// command that has them; kubectl rejects them where they do not exist.
        static let valueShortFlags: Set<Character> = ["n", "l", "L", "c", "e", "p"]

        mutating func run(from start: Int) throws(KubectlRefusal) {
            var i = start
            var afterDoubleDash = false
            while i < args.count {
                let token = args[i]
                let next: String? = i + 1 < args.count ? args[i + 1] : nil
                if afterDoubleDash {
                    // The container command of `run ... -- cmd`: characters were checked, flags are not kubectl's.
                    output.append(token)
                } else if token == "--" {
                    afterDoubleDash = true
                    output.append(token)
                } else if token.hasPrefix("--") {
                    if try longFlag(token, next: next) { i += 1 }
                } else if token.hasPrefix("-") && token.count > 1 && !Self.isNumber(token) {
                    if try shortFlags(token, next: next) { i += 1 }
                } else {
                    try positional(token)
                    output.append(token)
                }
                i += 1
            }
        }

        /// The accepted invocation.
        func invocation(writes: Bool) throws(KubectlRefusal) -> KubectlInvocation {
            var arguments = output
            var mode = outputMode ?? .text
            if rawPath != nil {
                if outputValue != nil {
                    throw KubectlRefusal(token: "--raw", rule: "--raw prints the API's answer as it is, without -o",
                                         instead: "Drop -o/--output.")
                }
                mode = .raw
            }
            if let value = outputValue, let index = outputIndex {
                if case .structured = mode {
                    arguments.insert("--output=json", at: index)
                } else {
                    arguments.insert("--output=\(value)", at: index)
                }
            }
            return KubectlInvocation(verb: verb.name, subcommand: subcommand, arguments: arguments, output: mode,
                                     readsStandardInput: readsStandardInput, writes: writes)
        }

        // MARK: Tokens

        private func positional(_ token: String) throws(KubectlRefusal) {
            if subcommand == nil, let reason = verb.bannedPositionals[token] {
                throw KubectlRefusal(token: token, rule: reason, instead: "")
            }
        }

        /// `--name`, `--name=value`; returns true when it used the next argument as its value.
        private mutating func longFlag(_ token: String, next: String?) throws(KubectlRefusal) -> Bool {
            let body = token.dropFirst(2)
            let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).lowercased().replacingUnderscores()
            let inline: String? = parts.count > 1 ? String(parts[1]) : nil
            if name.isEmpty || name.hasPrefix("-") {
                throw KubectlRefusal(token: token, rule: "malformed flag", instead: "Write flags as --name or --name=value.")
            }
            if let reason = KubectlArgumentPolicy.refusal(forFlag: name, showSecrets: policy.showSecrets) {
                throw KubectlRefusal(token: token, rule: reason.rule, instead: reason.instead)
            }
            switch name {
            case "watch", "watch-only":
                if verb.name != "rollout" && inline != "false" { throw Self.watchRefusal(token) }
            case "follow":
                if inline != "false" {
                    throw KubectlRefusal(token: token, rule: "--follow streams logs until the time limit",
                                         instead: "Use --tail=N or --since=10m.")
                }
            case "list" where verb.name == "annotate" && !policy.showSecrets:
                throw KubectlRefusal(
                    token: token, rule: "annotate --list prints the last-applied annotation, which can hold Secret values",
                    instead: "Use get -o yaml (the annotation is redacted).")
            case "filename", "output", "raw":
                let value = try self.value(inline: inline, next: next, token: token)
                switch name {
                case "filename": try filename(value.text, token: token)
                case "output": try outputFlag(value.text, token: token)
                default: try raw(value.text, token: token)
                }
                if name != "output" {
                    output.append(token)
                    if value.usedNext { output.append(value.text) }
                }
                return value.usedNext
            default:
                break
            }
            output.append(token)
            return false
        }

        /// `-x`, `-xVALUE`, `-x=VALUE`, `-abc`; returns true when it used the next argument as a value.
        private mutating func shortFlags(_ token: String, next: String?) throws(KubectlRefusal) -> Bool {
            let letters = Array(token.dropFirst())
            var kept = ""
            for (offset, letter) in letters.enumerated() {
                let rest = String(letters[(offset + 1)...])
                // kubectl's parser: `-x=v` and `-xv` carry the value in the token; `-x v` takes the next argument.
                let attached: String? = rest.isEmpty ? nil : (rest.hasPrefix("=") && rest.count > 1 ? String(rest.dropFirst()) : rest)
                switch letter {
                case _ where Self.booleanShortFlags.contains(letter):
                    kept.append(letter)
                    continue
                case "w" where verb.name == "rollout":
                    kept.append(letter)
                    continue
                case "w":
                    throw Self.watchRefusal(token)
                case "p" where verb.name == "logs":
                    kept.append(letter)  // --previous
                    continue
                case "f" where verb.name == "logs":
                    throw KubectlRefusal(token: token, rule: "-f (--follow) streams logs until the time limit",
                                         instead: "Use --tail=N or --since=10m.")
                case "s":
                    throw KubectlRefusal(token: token, rule: KubectlArgumentPolicy.identity("server").rule,
                                         instead: KubectlArgumentPolicy.identity("server").instead)
                case "v":
                    throw KubectlRefusal(token: token, rule: KubectlArgumentPolicy.verbose.rule,
                                         instead: KubectlArgumentPolicy.verbose.instead)
                case "k":
                    throw KubectlRefusal(token: token, rule: "-k (--kustomize) reads a directory on the server's machine",
                                         instead: "Render the manifest and send it as stdin with -f -.")
                case "i", "t":
                    throw KubectlRefusal(token: token, rule: "-\(letter) attaches a terminal, and this tool has none",
                                         instead: "Run the pod without it and read its output with logs.")
                case "o", "f":
                    let value: (text: String, usedNext: Bool)
                    if let attached {
                        value = (attached, false)
                    } else {
                        value = try self.value(inline: nil, next: next, token: token)
                    }
                    if letter == "o" {
                        if !kept.isEmpty { output.append("-" + kept) }
                        try outputFlag(value.text, token: token)
                    } else {
                        try filename(value.text, token: token)
                        output.append(token)
                        if value.usedNext { output.append(value.text) }
                    }
                    return value.usedNext
                case _ where Self.valueShortFlags.contains(letter):
                    // The rest of the token, or the next argument (checked on its own), is the value.
                    output.append(token)
                    return false
                default:
                    throw KubectlRefusal(token: token, rule: "the short flag -\(letter) is not known to this tool",
                                         instead: "Use the flag's long form (--name=value).")
                }
            }
            output.append(token)
            return false
        }

        // MARK: Values

        private func value(inline: String?, next: String?, token: String) throws(KubectlRefusal)
            -> (text: String, usedNext: Bool)
        {
            if let inline { return (inline, false) }
            guard let next else {
                throw KubectlRefusal(token: token, rule: "the flag needs a value", instead: "")
            }
            return (next, true)
        }

        private mutating func filename(_ value: String, token: String) throws(KubectlRefusal) {
            guard value == "-" else {
                throw KubectlRefusal(
                    token: value == token || token.contains(value) ? token : "\(token) \(value)",
                    rule: "-f/--filename reads files or URLs from the server's machine; only -f - (standard input) "
                        + "is allowed",
                    instead: "Send the manifest as the stdin argument with -f -.")
            }
            readsStandardInput = true
        }

        private mutating func outputFlag(_ value: String, token: String) throws(KubectlRefusal) {
            outputMode = try policy.outputMode(value, token: token == "-o" || token == "--output" ? "\(token) \(value)" : token,
                                               verb: verb.name)
            outputValue = value
            outputIndex = output.count
        }

        private mutating func raw(_ value: String, token: String) throws(KubectlRefusal) {
            guard verb.name == "get" else {
                throw KubectlRefusal(token: token, rule: "--raw is only allowed with get",
                                     instead: "Use apply, create, replace or delete with a manifest as stdin.")
            }
            try KubectlArgumentPolicy.checkRawPath(value, token: token.hasPrefix("--raw=") ? token : "--raw \(value)")
            rawPath = value
        }

        private static func watchRefusal(_ token: String) -> KubectlRefusal {
            KubectlRefusal(token: token, rule: "watching never ends before the time limit",
                           instead: "Use wait --for=..., rollout status, or get without --watch.")
        }

        /// `-1`, `-0.5`: a negative number is a value, never a flag.
        static func isNumber(_ token: String) -> Bool {
            let digits = token.dropFirst()
            return !digits.isEmpty && digits.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
        }
    }
}

extension String {
    /// kubectl normalises `_` in flag names to `-` (`--insecure_skip_tls_verify`).
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
