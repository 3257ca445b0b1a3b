import OCCore

/// A sysctl persistence file (`/etc/sysctl.d/*.conf`, `/etc/sysctl.conf`) as lines, with this stack's blocks.
///
/// Each resource owns one block: a marker comment followed by its assignment,
///
/// ```
/// # ocplan openclaw-private sysctl.exit-forwarding
/// net.ipv4.ip_forward = 1
/// ```
///
/// Every other line (foreign settings, comments, other resources' blocks) is kept as it is. A file that
/// ocplan creates starts with ``header``; when the last block is removed from such a file and nothing
/// else is left in it, the file is removed rather than written back empty.
package struct SysctlPersistenceFile: Sendable, Hashable {
    /// The first line of a file ocplan created.
    package static let header = "# Written by ocplan: it removes this file when the last ocplan block is gone."

    /// What an edit does to the file: unchanged, written with a text, or removed (ocplan created it and nothing of
    /// use is left).
    package typealias Edit = FileEditResult

    /// One resource's block as found in a file.
    package struct Block: Sendable, Hashable {
        /// The key of the assignment line.
        package var key: String
        /// The value of the assignment line, normalised.
        package var value: String

        /// Creates a block.
        package init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The file's lines (without line ends); empty for a missing file.
    package private(set) var lines: [String]
    /// Whether the file exists.
    package let exists: Bool

    /// Reads a file's text; `nil` means the file does not exist.
    package init(_ text: String?) {
        exists = text != nil
        var lines = (text ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        self.lines = lines
    }

    /// The marker comment of a resource's block.
    ///
    /// - Parameters:
    ///   - stack: the stack name.
    ///   - name: the resource name (the part after `sysctl.`).
    /// - Returns: `# ocplan STACK sysctl.NAME`.
    package static func marker(stack: String, name: String) -> String { "# ocplan \(stack) sysctl.\(name)" }

    /// The assignment line for `key` and `value` in the OS's usual style.
    ///
    /// - Returns: `key = value` on Linux (sysctl.d(5)), `key=value` on macOS (sysctl.conf(5)).
    package static func assignment(key: String, value: String, linux: Bool) -> String {
        linux ? "\(key) = \(value)" : "\(key)=\(value)"
    }

    /// The block under `marker`, if the file has one (the first, when duplicated by hand).
    package func block(marker: String) -> Block? {
        guard let index = lines.firstIndex(where: { Self.isMarker($0, marker) }) else { return nil }
        guard index + 1 < lines.count, let parsed = Self.parseAssignment(lines[index + 1]) else {
            return Block(key: "", value: "")
        }
        return Block(key: parsed.key, value: SysctlObservation.normalize(parsed.value))
    }

    /// Whether the file holds a block under `marker`.
    package func hasBlock(marker: String) -> Bool { lines.contains { Self.isMarker($0, marker) } }

    /// The edit that makes the block under `marker` hold `assignment`, or removes it when `assignment` is `nil`.
    ///
    /// An existing block is changed where it stands; a new one is appended; duplicates are dropped.
    ///
    /// - Parameters:
    ///   - marker: the block's marker comment.
    ///   - assignment: the `key = value` line, or `nil` to remove the block.
    /// - Returns: what to do with the file.
    package func edit(marker: String, assignment: String?) -> Edit {
        var out: [String] = []
        var placed = false
        var index = 0
        while index < lines.count {
            let line = lines[index]
            guard Self.isMarker(line, marker) else {
                out.append(line)
                index += 1
                continue
            }
            // Skip the marker and its assignment line (when the next line is one).
            index += 1
            if index < lines.count, Self.parseAssignment(lines[index]) != nil { index += 1 }
            if let assignment, !placed {
                out += [marker, assignment]
                placed = true
            }
        }
        if let assignment, !placed {
            if !exists { out.append(Self.header) }
            out += [marker, assignment]
        }
        if out == lines { return .unchanged }
        let meaningful = out.contains { !$0.trimmingWhitespace.isEmpty && $0 != Self.header }
        if !meaningful {
            if out.contains(Self.header) { return .remove }
            if !exists { return .unchanged }
        }
        return .write(out.map { $0 + "\n" }.joined())
    }

    private static func isMarker(_ line: String, _ marker: String) -> Bool { line.trimmingWhitespace == marker }

    /// Splits a `key = value` / `key=value` line; comments and blank lines give `nil`.
    static func parseAssignment(_ line: String) -> (key: String, value: String)? {
        let trimmed = line.trimmingWhitespace
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), !trimmed.hasPrefix(";"),
            let equals = trimmed.firstIndex(of: "=")
        else { return nil }
        var key = String(trimmed[..<equals]).trimmingWhitespace
        if key.hasPrefix("-") { key.removeFirst() }  // sysctl.d: "-key = value" ignores failures
        guard !key.isEmpty else { return nil }
        return (key, String(trimmed[trimmed.index(after: equals)...]).trimmingWhitespace)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    fileprivate var trimmingWhitespace: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return String(slice)
    }
}

/// The edit of one resource's block in a persistence file, run by the engine under its per-file lock: set the
/// block to ``assignment`` (`nil`: remove it), keep every other line.
struct SysctlBlockEdit: FileEdit {
    /// The block's marker comment.
    var marker: String
    /// The assignment line the block holds, or `nil` to remove the block.
    var assignment: String?

    func edited(_ text: String?) -> FileEditResult {
        SysctlPersistenceFile(text).edit(marker: marker, assignment: assignment)
    }

    var description: String {
        assignment.map { "set the block \"\(marker)\" to \"\($0)\"" } ?? "remove the block \"\(marker)\""
    }
}
