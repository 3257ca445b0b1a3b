import Foundation

/// Finds `${name}` manifest variables left in a string after substitution.
///
/// The loader expands every `${name}` it knows; what is left was written as a literal (`$${…}`) or is
/// malformed. Providers whose text is handed to another tool's parser (iptables and pf rules) report these,
/// because that tool would read them as its own syntax or reject them.
package enum VariableReferences {
    /// The `${…}` references in `text`, including malformed ones (an unclosed `${`).
    package static func unresolved(in text: String) -> [String] {
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

extension VariableReferences {
    /// A piece of a manifest string as `${…}` interpolation reads it.
    package enum Piece: Sendable, Hashable {
        /// Text copied as written (an escaped `$${` arrives here as `${`).
        case literal(Substring)
        /// A `${name}` or `${env:NAME}` reference, its name trimmed of spaces.
        case reference(String)
        /// A `${` without its closing `}`, with the text from `${` on; nothing after it is a reference.
        case unclosed(Substring)
    }

    /// Splits `text` into literal text and `${…}` references; `$${` is the escape for a literal `${`.
    ///
    /// The one scanner for both variable resolution and value interpolation, so the two agree on what a
    /// reference is.
    package static func pieces(of text: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            var before = rest[..<open.lowerBound]
            if before.hasSuffix("$") {
                before = before.dropLast()
                if !before.isEmpty { pieces.append(.literal(before)) }
                pieces.append(.literal(rest[open]))
                rest = rest[open.upperBound...]
                continue
            }
            if !before.isEmpty { pieces.append(.literal(before)) }
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                pieces.append(.unclosed(rest[open.lowerBound...]))
                return pieces
            }
            pieces.append(.reference(rest[open.upperBound..<close].trimmingCharacters(in: .whitespaces)))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.literal(rest)) }
        return pieces
    }
}
