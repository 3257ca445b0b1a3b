/// A place in a manifest file: `file:line:column`, 1-based.
public struct SourceLocation: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The file path as given by the user (relative paths stay relative).
    public var file: String
    /// The line, from 1.
    public var line: Int
    /// The column, from 1.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A whole file, for problems with the file itself (it is missing or cannot be read): shown as the path
    /// alone, with line and column 0.
    public init(file: String) {
        self.init(file: file, line: 0, column: 0)
    }

    /// `file:line:column`, or the path alone for a whole file.
    public var description: String { line > 0 ? "\(file):\(line):\(column)" : file }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
