import Foundation

/// Resolves `vars:` that use other variables, reporting unknown names, cycles and values that grow too large.
///
/// The walk is iterative (an explicit stack, not recursion), so a chain of any length that fits in memory
/// resolves; every value is capped at ``ManifestLimits/maximumInterpolatedBytes``, so variables that each
/// repeat the previous one several times end in an error, not in gigabytes.
struct VariableResolver {
    /// One declared variable: its text (`nil` for a detection not yet made) and where it is declared.
    struct Raw {
        var text: String?
        var location: SourceLocation
    }

    var raw: [String: Raw]

    /// The resolved values (detected values included), and the problems found.
    func resolve(detected: [String: String]) -> ([String: String], Diagnostics) {
        var resolved = detected
        var diagnostics = Diagnostics()
        var visiting = Set<String>()
        let pieces = raw.compactMapValues { $0.text.map(VariableReferences.pieces(of:)) }

        func references(_ name: String) -> [String] {
            (pieces[name] ?? []).compactMap {
                if case .reference(let inner) = $0, !inner.hasPrefix("env:") { return inner }
                return nil
            }
        }

        /// Substitutes `name`'s references; every variable it uses is resolved or on the stack by now.
        func substitute(_ name: String, at location: SourceLocation) -> String {
            var out = ""
            for piece in pieces[name] ?? [] {
                switch piece {
                case .literal(let text): out += text
                case .unclosed(let text): out += text
                case .reference(let inner):
                    if inner.hasPrefix("env:") {
                        out += "${" + inner + "}"
                    } else if let value = resolved[inner] {
                        out += value
                    } else if visiting.contains(inner) {
                        continue  // a cycle, reported where it closes
                    } else if let entry = raw[inner] {
                        if entry.text == nil { out += "${\(inner)}" }
                    } else {
                        diagnostics.append(
                            .error(
                                "Unknown variable '\(inner)'\(NearMiss.hint(for: inner, among: raw.keys))",
                                at: location, keyPath: "vars.\(name)"))
                    }
                }
                if out.utf8.count > ManifestLimits.maximumInterpolatedBytes {
                    diagnostics.append(
                        Self.tooLarge(
                            "Variable '\(name)'", limit: ManifestLimits.maximumInterpolatedBytes, at: location,
                            keyPath: "vars.\(name)"))
                    return ""
                }
            }
            return out
        }

        for root in raw.keys.sorted() where resolved[root] == nil && raw[root]?.text != nil {
            var stack: [(name: String, references: [String], next: Int)] = [(root, references(root), 0)]
            visiting.insert(root)
            while let top = stack.last {
                if top.next < top.references.count {
                    stack[stack.count - 1].next += 1
                    let reference = top.references[top.next]
                    guard resolved[reference] == nil, let entry = raw[reference], entry.text != nil else { continue }
                    if visiting.contains(reference) {
                        let start = stack.firstIndex { $0.name == reference } ?? 0
                        let cycle = stack[start...].map(\.name) + [reference]
                        diagnostics.append(
                            .error(
                                "Variable cycle: " + ManifestLoader.cyclePath(cycle),
                                detail: "A variable cannot use itself, directly or through others.",
                                at: entry.location, keyPath: "vars.\(reference)"))
                        continue
                    }
                    visiting.insert(reference)
                    stack.append((reference, references(reference), 0))
                } else {
                    stack.removeLast()
                    let location = raw[top.name]?.location ?? SourceLocation(file: "", line: 1, column: 1)
                    resolved[top.name] = substitute(top.name, at: location)
                    visiting.remove(top.name)
                }
            }
        }
        return (resolved, diagnostics)
    }

    /// The error for a value that interpolation would make larger than the limit.
    static func tooLarge(_ what: String, limit: Int, at location: SourceLocation, keyPath: String) -> Diagnostic {
        .error(
            "\(what) expands past \(limit / 1024 / 1024) MiB",
            detail: "Interpolation (${…}) may produce at most \(limit) bytes here. Variables that repeat other "
                + "variables, and aliases that repeat them, multiply; use fewer repetitions or read a large value "
                + "from a file.", at: location, keyPath: keyPath)
    }
}
