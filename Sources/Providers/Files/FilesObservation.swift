import Foundation

/// Parsers for what the files provider reads back.
public enum FilesObservation {
    /// One `stat` line.
    public struct Stat: Sendable, Hashable {
        /// Permission bits in octal, for example `644`.
        public var mode: String
        /// Size in bytes.
        public var size: Int
        /// The file type as `stat` names it.
        public var type: String
        /// The owning user.
        public var owner: String
        /// The owning group.
        public var group: String
        /// Whether it is a regular file.
        public var isRegular: Bool { type.lowercased().hasPrefix("regular") }
    }

    /// Parses `stat` output (one tab-separated line per existing path; missing paths print nothing).
    public static func parseStat(_ text: String) -> [String: Stat] {
        var out: [String: Stat] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 6, let size = Int(fields[fields.count - 4]) else { continue }
            let path = fields[0..<(fields.count - 5)].joined(separator: "\t")
            out[path] = Stat(
                mode: fields[fields.count - 5], size: size, type: fields[fields.count - 3],
                owner: fields[fields.count - 2], group: fields[fields.count - 1])
        }
        return out
    }

    /// Splits concatenated `cat` output by the sizes `stat` reported; `nil` if the lengths disagree.
    public static func split(_ data: Data, paths: [String], sizes: [Int]) -> [String: Data]? {
        guard sizes.reduce(0, +) == data.count else { return nil }
        var out: [String: Data] = [:]
        var offset = data.startIndex
        for (path, size) in zip(paths, sizes) {
            out[path] = data.subdata(in: offset..<(offset + size))
            offset += size
        }
        return out
    }

    /// File bytes as text; binary content becomes a short digest line.
    public static func text(_ data: Data) -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        return "<binary content, \(data.count) bytes>"
    }
}
