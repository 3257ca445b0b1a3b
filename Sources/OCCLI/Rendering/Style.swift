import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Terminal styling: ANSI colours only when writing to a terminal and not disabled.
public struct Style: Sendable {
    /// Whether colours are emitted.
    public var colour: Bool

    /// Creates a style.
    public init(colour: Bool) { self.colour = colour }

    /// Colour on a TTY unless `--no-color` or `NO_COLOR` is set.
    public static func detect(noColor: Bool, fileDescriptor: Int32 = 1) -> Style {
        let env = ProcessInfo.processInfo.environment
        let wanted = !noColor && (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb" && isatty(fileDescriptor) == 1
        return Style(colour: wanted)
    }

    private func wrap(_ code: String, _ text: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    /// Green (creates).
    public func green(_ text: String) -> String { wrap("32", text) }
    /// Yellow (updates).
    public func yellow(_ text: String) -> String { wrap("33", text) }
    /// Red (deletes, errors).
    public func red(_ text: String) -> String { wrap("31", text) }
    /// Cyan (notes).
    public func cyan(_ text: String) -> String { wrap("36", text) }
    /// Bold.
    public func bold(_ text: String) -> String { wrap("1", text) }
    /// Dim.
    public func dim(_ text: String) -> String { wrap("2", text) }
}
