import Foundation

/// Expands `${name}` and `${env:NAME}` in manifest strings; `$${` writes a literal `${`.
struct Interpolator {
    var variables: [String: String]
    var environment: [String: String]
    var secrets: Set<String> = []
    var diagnostics: [Diagnostic] = []
    /// Whether an unset environment variable is an error (plans) or left as a placeholder (validation).
    var requireEnvironment: Bool

    init(variables: [String: String], environment: [String: String], requireEnvironment: Bool = true) {
        self.variables = variables
        self.environment = environment
        self.requireEnvironment = requireEnvironment
    }

    /// Expands one string; problems are reported at `location`.
    mutating func expand(_ text: String, at location: SourceLocation, keyPath: String) -> (String, Bool) {
        guard text.contains("${") else { return (text, false) }
        var out = ""
        var sensitive = false
        var rest = Substring(text)
        while let dollar = rest.range(of: "${") {
            out += rest[..<dollar.lowerBound]
            if out.hasSuffix("$") {
                out.removeLast()
                out += "${"
                rest = rest[dollar.upperBound...]
                continue
            }
            guard let close = rest[dollar.upperBound...].firstIndex(of: "}") else {
                diagnostics.append(
                    .error(
                        "Unclosed '${' in \(Value.quote(text))", detail: "Write ${name} or $${ for a literal.",
                        at: location, keyPath: keyPath))
                return (text, sensitive)
            }
            let name = String(rest[dollar.upperBound..<close]).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("env:") {
                let key = String(name.dropFirst(4))
                if let value = environment[key] {
                    out += value
                    if !value.isEmpty { secrets.insert(value) }
                    sensitive = true
                } else if !requireEnvironment {
                    out += "<secret from $\(key)>"
                    sensitive = true
                } else {
                    diagnostics.append(
                        .error(
                            "Environment variable '\(key)' is not set",
                            detail:
                                "Set \(key) in the environment of ocplan/ocapply (its value is treated as a secret).",
                            at: location, keyPath: keyPath))
                }
            } else if let value = variables[name] {
                // A variable's value may itself read the environment (`token: "${env:TOKEN}"`).
                if value.contains("${env:") {
                    let (expanded, secret) = expand(value, at: location, keyPath: keyPath)
                    out += expanded
                    sensitive = sensitive || secret
                } else {
                    out += value
                }
            } else {
                diagnostics.append(
                    .error(
                        "Unknown variable '\(name)'\(NearMiss.hint(for: name, among: variables.keys))",
                        detail: "Declare it under vars:, or write $${ for a literal ${.",
                        at: location, keyPath: keyPath))
            }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return (out, sensitive)
    }

    /// Expands every scalar of a node tree (keys stay as written).
    mutating func expand(_ node: SourceNode, keyPath: String) -> (SourceNode, Bool) {
        var sensitive = false
        switch node.kind {
        case .scalar(let text, let plain):
            let (expanded, secret) = expand(text, at: node.location, keyPath: keyPath)
            sensitive = secret
            let stillPlain = plain && expanded == text
            return (SourceNode(.scalar(expanded, plain: stillPlain), at: node.location), sensitive)
        case .sequence(let elements):
            var out: [SourceNode] = []
            for (i, element) in elements.enumerated() {
                let (expanded, secret) = expand(element, keyPath: keyPath + "[\(i)]")
                sensitive = sensitive || secret
                out.append(expanded)
            }
            return (SourceNode(.sequence(out), at: node.location), sensitive)
        case .mapping(let entries):
            var out: [SourceNode.Entry] = []
            for entry in entries {
                let (expanded, secret) = expand(entry.value, keyPath: keyPath + "." + entry.key)
                sensitive = sensitive || secret
                out.append(SourceNode.Entry(key: entry.key, keyLocation: entry.keyLocation, value: expanded))
            }
            return (SourceNode(.mapping(out), at: node.location), sensitive)
        }
    }
}
