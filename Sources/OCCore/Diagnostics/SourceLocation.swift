/// A place in a manifest file: `file:line:column`, 1-based.
package struct SourceLocation: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The file path as given by the user (relative paths stay relative).
    package var file: String
    /// The line, from 1.
    package var line: Int
    /// The column, from 1.
    package var column: Int

    /// Creates a location.
    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A whole file, for problems with the file itself (it is missing or cannot be read): shown as the path
    /// alone, with line and column 0.
    package init(file: String) {
        self.init(file: file, line: 0, column: 0)
    }

    /// `file:line:column`, or the path alone for a whole file.
    package var description: String { line > 0 ? "\(file):\(line):\(column)" : file }

    package static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
