import Foundation

/// Finds `${name}` manifest variables left in a string after substitution.
///
/// The loader expands every `${name}` it knows; what is left was written as a literal (`$${…}`) or is
/// malformed. Providers whose text is handed to another tool's parser (iptables and pf rules) report these,
/// because that tool would read them as its own syntax or reject them.
public enum VariableReferences {
    /// The `${…}` references in `text`, including malformed ones (an unclosed `${`).
    public static func unresolved(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            let after = rest[start.upperBound...]
            guard let close = after.firstIndex(of: "}") else {
                found.append(String(rest[start.lowerBound...]))
                break
            }
            found.append(String(rest[start.lowerBound...close]))
            rest = after[after.index(after: close)...]
        }
        return found
    }
}
