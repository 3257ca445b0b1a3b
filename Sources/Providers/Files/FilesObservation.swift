import Foundation
import OCCore

/// Parsers for what the files provider reads back.
package enum FilesObservation {
    /// One path as `stat` reports it.
    package struct Stat: Sendable, Hashable {
        /// Permission bits in octal, for example `644`.
        package var mode: String
        /// Size in bytes.
        package var size: Int
        /// The file type as `stat` names it.
        package var type: String
        /// The owning user.
        package var owner: String
        /// The owning group.
        package var group: String
        /// Whether it is a regular file.
        package var isRegular: Bool { type.lowercased().hasPrefix("regular") }
    }

    /// Parses the output of ``FilesCommands/stat(_:os:)``: one record per path that could be read, in argument
    /// order; `nil` when the output does not have that shape (a field missing, a size that is not a number, bytes
    /// after the last record).
    package static func parseStat(_ data: Data, os: OCCore.Host.OS) -> [Stat]? {
        let text = String(decoding: data, as: UTF8.self)
        var fields: [String]
        switch os {
        case .linux:
            // Five NUL-terminated fields per record: the text ends with a NUL, so the last piece is empty.
            fields = text.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
            guard fields.last == "" else { return nil }
            fields.removeLast()
        case .macos:
            guard text.isEmpty || text.hasSuffix("\n") else { return nil }
            var all: [String] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 5 else { return nil }
                all += parts
            }
            fields = all
        }
        guard fields.count % 5 == 0 else { return nil }
        var out: [Stat] = []
        var index = 0
        while index < fields.count {
            let record = Array(fields[index..<(index + 5)])
            index += 5
            guard let size = Int(record[1]), !record[0].isEmpty, record[0].allSatisfy(\.isNumber), !record[2].isEmpty
            else { return nil }
            out.append(Stat(mode: record[0], size: size, type: record[2], owner: record[3], group: record[4]))
        }
        return out
    }

    /// Splits concatenated `cat` output by the sizes `stat` reported; `nil` if the lengths disagree.
    package static func split(_ data: Data, paths: [String], sizes: [Int]) -> [String: Data]? {
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
    package static func text(_ data: Data) -> String {
        if let text = String(data: data, encoding: .utf8) { return text }
        return "<binary content, \(data.count) bytes>"
    }
}
