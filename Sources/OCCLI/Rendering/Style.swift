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

    /// Colour on a TTY unless `--no-color` is given, `NO_COLOR` is set to a non-empty value, or `TERM` is `dumb`.
    package static func detect(noColor: Bool, fileDescriptor: Int32 = 1) -> Style {
        detect(
            noColor: noColor, environment: ProcessInfo.processInfo.environment,
            isTerminal: isatty(fileDescriptor) == 1)
    }

    /// The style for a stream: colour only on a terminal, without `--no-color`, without `TERM=dumb`, and without
    /// a `NO_COLOR` that is set and not empty.
    ///
    /// no-color.org: "Command-line software which adds ANSI color to its output by default should check for a
    /// `NO_COLOR` environment variable that, when present and not an empty string (regardless of its value),
    /// prevents the addition of ANSI color." So `NO_COLOR=` (set but empty) leaves colour on.
    package static func detect(noColor: Bool, environment: [String: String], isTerminal: Bool) -> Style {
        let disabled = noColor || !(environment["NO_COLOR"] ?? "").isEmpty || environment["TERM"] == "dumb"
        return Style(colour: !disabled && isTerminal)
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
