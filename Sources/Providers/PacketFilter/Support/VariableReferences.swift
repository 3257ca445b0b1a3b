import Foundation

/// Finds `${name}` manifest variables left in a string after substitution.
enum VariableReferences {
    /// The `${…}` references in `text`, including malformed ones (an unclosed `${`).
    static func unresolved(in text: String) -> [String] {
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
