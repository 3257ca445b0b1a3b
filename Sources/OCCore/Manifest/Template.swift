/// Renders text templates with the manifest's `${name}` / `${env:NAME}` syntax.
package enum Template {
    /// The rendered text and the secrets it contains.
    package struct Rendered: Sendable, Hashable {
        /// The text with every reference expanded.
        package var text: String
        /// Values that came from the environment (secrets).
        package var secrets: Set<String>
    }

    /// Renders `text`.
    ///
    /// - Throws: ``OCError`` `.invalidManifest` listing every unknown variable or unset environment variable.
    package static func render(
        _ text: String,
        file: String,
        variables: [String: String],
        environment: [String: String]
    ) throws -> Rendered {
        var interpolator = Interpolator(variables: variables, environment: environment)
        var lines: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let (expanded, _) = interpolator.expand(
                String(line), at: SourceLocation(file: file, line: index + 1, column: 1), keyPath: "template")
            lines.append(expanded)
        }
        if !interpolator.diagnostics.isEmpty {
            let problems = interpolator.diagnostics.map { "\($0.location.map { "\($0): " } ?? "")\($0.summary)" }
            throw OCError(.invalidManifest, "template \(file) cannot be rendered:\n" + problems.joined(separator: "\n"))
        }
        return Rendered(text: lines.joined(separator: "\n"), secrets: interpolator.secrets)
    }
}
