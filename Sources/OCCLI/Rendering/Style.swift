import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Terminal styling: ANSI colours only when writing to a terminal and not disabled.
package struct Style: Sendable {
    /// Whether colours are emitted.
    package var colour: Bool

    /// Creates a style.
    package init(colour: Bool) { self.colour = colour }

    /// Colour on a TTY unless `--no-color` or `NO_COLOR` is set.
    package static func detect(noColor: Bool, fileDescriptor: Int32 = 1) -> Style {
        let env = ProcessInfo.processInfo.environment
        let wanted = !noColor && (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb" && isatty(fileDescriptor) == 1
        return Style(colour: wanted)
    }

    private func wrap(_ code: String, _ text: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// Green (creates).
    package func green(_ text: String) -> String { wrap("32", text) }
    /// Yellow (updates).
    package func yellow(_ text: String) -> String { wrap("33", text) }
    /// Red (deletes, errors).
    package func red(_ text: String) -> String { wrap("31", text) }
    /// Cyan (notes).
    package func cyan(_ text: String) -> String { wrap("36", text) }
    /// Bold.
    package func bold(_ text: String) -> String { wrap("1", text) }
    /// Dim.
    package func dim(_ text: String) -> String { wrap("2", text) }
}
