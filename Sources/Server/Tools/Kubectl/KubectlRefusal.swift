/// Why the kubectl tool will not run an argv: the offending token, the rule it breaks and what to do instead.
///
/// Plain value, any thread. `message` is the tool error text; the token is shown escaped (control characters
/// as `\n`, `\u{1B}`) and shortened, so that a refusal never echoes a long or invisible payload.
struct KubectlRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The argument that was refused, as given; nil when the refusal is about the whole call.
    var token: String?
    /// The rule, one short clause (`"flags that change the API server or identity are refused"`).
    var rule: String
    /// What to use instead, one sentence.
    var instead: String

    init(token: String?, rule: String, instead: String) {
        self.token = token
        self.rule = rule
        self.instead = instead
    }

    /// Longest part of a token quoted in a message.
    static let shownTokenCharacters = 80

    /// `kubectl refused "--server=https://x": <rule>. <instead>`
    var message: String {
        var text = "kubectl refused"
        if let token { text += " \(Self.quoted(token))" }
        text += ": \(rule)."
        if !instead.isEmpty { text += " \(instead)" }
        return text
    }

    var description: String { message }

    /// The token in double quotes with control characters, quotes and backslashes escaped, cut at
    /// `shownTokenCharacters`.
    static func quoted(_ token: String) -> String {
        var out = "\""
        var count = 0
        for scalar in token.unicodeScalars {
            if count == shownTokenCharacters {
                out += "…"
                break
            }
            count += 1
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                    out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
