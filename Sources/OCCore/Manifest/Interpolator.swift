import Foundation

/// Expands `${name}` and `${env:NAME}` in manifest strings; `$${` writes a literal `${`.
struct Interpolator {
    var variables: [String: String]
    var environment: [String: String]
    var secrets: Set<String> = []
    var diagnostics: [Diagnostic] = []
    /// Whether an unset environment variable is an error (plans) or left as a placeholder (validation).
    var requireEnvironment: Bool
    /// The resource sections: `${SECTION.…}` is a reference to a resource's output, left as a token.
    var outputSections: Set<String> = []
    /// The output references found, with where they are written.
    var outputReferences: [(expression: String, location: SourceLocation, keyPath: String)] = []

    init(variables: [String: String], environment: [String: String], requireEnvironment: Bool = true) {
        self.variables = variables
        self.environment = environment
        self.requireEnvironment = requireEnvironment
    }

    /// How many bytes expansion has added so far, against ``ManifestLimits/maximumInterpolatedTotalBytes``.
    private var grown = 0

    /// Expands one string; problems are reported at `location`.
    ///
    /// The result is capped at ``ManifestLimits/maximumInterpolatedBytes``, and what all expansions add
    /// together at ``ManifestLimits/maximumInterpolatedTotalBytes`` (aliases may repeat one value many
    /// times); past either, the error names the key and the text stays as written.
    mutating func expand(_ text: String, at location: SourceLocation, keyPath: String) -> (String, Bool) {
        guard text.contains("${") else { return (text, false) }
        guard let (out, sensitive) = expand(text, at: location, keyPath: keyPath, variablesToo: true) else {
            return (text, false)
        }
        let wasWithin = grown <= ManifestLimits.maximumInterpolatedTotalBytes
        grown += max(0, out.utf8.count - text.utf8.count)
        if grown > ManifestLimits.maximumInterpolatedTotalBytes {
            if wasWithin {  // reported once, where the budget ran out
                diagnostics.append(
                    VariableResolver.tooLarge(
                        "Interpolation across the manifest", limit: ManifestLimits.maximumInterpolatedTotalBytes,
                        at: location, keyPath: keyPath))
            }
            return (text, sensitive)
        }
        return (out, sensitive)
    }

    /// Expands `text`; `variablesToo` is false for a variable's value, which only needs its `${env:…}`.
    private mutating func expand(
        _ text: String, at location: SourceLocation, keyPath: String, variablesToo: Bool
    ) -> (String, Bool)? {
        var out = ""
        var sensitive = false
        for piece in VariableReferences.pieces(of: text) {
            switch piece {
            case .literal(let literal):
                out += literal
            case .unclosed:
                diagnostics.append(
                    .error(
                        "Unclosed '${' in \(Value.quote(text))", detail: "Write ${name} or $${ for a literal.",
                        at: location, keyPath: keyPath))
                return (text, sensitive)
            case .reference(let name) where name.hasPrefix("env:"):
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
            case .reference(let name) where !variablesToo:
                out += "${" + name + "}"
            case .reference(let name)
            where variables[name] == nil
                && name.split(separator: ".").first.map({ outputSections.contains(String($0)) }) == true:
                out += OutputReference.token(for: name)
                outputReferences.append((name, location, keyPath))
            case .reference(let name):
                if let value = variables[name] {
                    // A variable's value may itself read the environment (`token: "${env:TOKEN}"`).
                    if value.contains("${env:"),
                        let (expanded, secret) = expand(value, at: location, keyPath: keyPath, variablesToo: false)
                    {
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
            }
            if out.utf8.count > ManifestLimits.maximumInterpolatedBytes {
                diagnostics.append(
                    VariableResolver.tooLarge(
                        "The value", limit: ManifestLimits.maximumInterpolatedBytes, at: location, keyPath: keyPath))
                return nil
            }
        }
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
