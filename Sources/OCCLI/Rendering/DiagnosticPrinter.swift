import Foundation
import OCCore

/// Prints diagnostics to standard error: `error: file:line:col: summary`, the source line with a caret,
/// then the detail.
package struct DiagnosticPrinter: Sendable {
    /// Colours.
    package var style: Style

    /// Creates a printer.
    package init(style: Style) { self.style = style }

    /// The text for all diagnostics, sorted by position, with a count line.
    package func render(_ diagnostics: Diagnostics) -> String {
        var out: [String] = []
        var cache: [String: [Substring]] = [:]
        for diagnostic in diagnostics.sorted {
            let label =
                diagnostic.severity == .error ? style.red(style.bold("error")) : style.yellow(style.bold("warning"))
            var head = label + ": "
            if let location = diagnostic.location { head += style.bold("\(location)") + ": " }
            // Control characters (a bad name, a tool's output quoted in a message) are shown escaped, never sent
            // to the terminal.
            head += DisplayText.escapingControlCharacters(diagnostic.summary)
            if let keyPath = diagnostic.keyPath {
                head += style.dim(" [\(DisplayText.escapingControlCharacters(keyPath))]")
            }
            out.append(head)
            if let location = diagnostic.location, location.line > 0 {
                if cache[location.file] == nil {
                    // Never `String(contentsOfFile:)`: the file may be a FIFO (a diagnostic says so).
                    let data = (try? LocalFile.readRegular(path: location.file)) ?? Data()
                    let text = String(decoding: data, as: UTF8.self)
                    cache[location.file] = text.split(separator: "\n", omittingEmptySubsequences: false)
                }
                if let lines = cache[location.file], lines.indices.contains(location.line - 1) {
                    let line = DisplayText.escapingControlCharacters(String(lines[location.line - 1]))
                    out.append(style.dim(String(format: "%5d | ", location.line)) + line)
                    out.append(style.dim("      | ") + String(repeating: " ", count: max(0, location.column - 1)) + "^")
                }
            }
            if let detail = diagnostic.detail {
                let shown = DisplayText.escapingControlCharacters(detail, keepNewlines: true)
                out.append("  " + shown.replacingOccurrences(of: "\n", with: "\n  "))
            }
        }
        let errors = diagnostics.errors.count
        let warnings = diagnostics.warnings.count
        if errors > 0 {
            out.append(
                style.red("\(errors) error\(errors == 1 ? "" : "s")")
                    + (warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : "") + ".")
        }
        return out.isEmpty ? "" : out.joined(separator: "\n") + "\n"
    }
}
