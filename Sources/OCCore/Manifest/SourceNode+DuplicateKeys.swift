import Foundation

/// Finding every duplicate key of a file, where Yams stops at the first mapping that has one.
extension SourceNode {
    /// One key of a block mapping as written.
    struct WrittenKey {
        var text: String
        /// 1-based line and column (in Unicode scalars, as Yams marks are).
        var line: Int
        var column: Int
    }

    /// The duplicates of a block mapping and the text with each of them renamed, so that Yams reads on.
    struct DuplicateRepair {
        /// The text with every later occurrence's first character replaced by a private-use character (the
        /// column of everything after it is unchanged).
        var text: String
        /// The renamed keys as they now read, which the converter leaves out.
        var renamed: [String]
        /// One error per later occurrence, at that occurrence, naming the first.
        var diagnostics: [Diagnostic]
    }

    /// Finds the duplicate keys `names` of the block mapping whose key at `line`:`column` Yams reported, and
    /// renames their later occurrences.
    ///
    /// A block mapping's keys are the lines that start at the same column, from where the mapping starts to where
    /// a line starts further left; a flow mapping's (`{a: 1, a: 2}`) are the entries between its braces. `nil`
    /// when a later occurrence of some name is not found: the caller then reports what Yams said and stops.
    ///
    /// - Parameters:
    ///   - text: the file's text.
    ///   - names: the duplicate keys Yams named.
    ///   - line: the line of Yams' mark (the first of the keys).
    ///   - column: its column.
    ///   - file: the file, for locations.
    ///   - serial: the number of keys renamed so far in this file (each rename is unique).
    /// - Returns: the repaired text, the renamed keys and the errors; `nil` when the duplicates are not found.
    static func repairDuplicates(
        in text: String, names: [String], line: Int, column: Int, file: String, serial: Int
    ) -> DuplicateRepair? {
        var lines = text.components(separatedBy: "\n").map { Array($0.unicodeScalars) }
        guard line >= 1, line <= lines.count, column >= 1 else { return nil }
        let indent = column - 1
        /// The key of the mapping on line `index` (0-based), or `nil` when that line holds none.
        func key(onLine index: Int) -> WrittenKey? {
            let scalars = lines[index]
            guard scalars.count > indent else { return nil }
            let prefix = scalars[..<indent]
            // The first key of a mapping in a sequence entry follows `- ` on the entry's line.
            guard
                prefix.allSatisfy({ $0 == " " })
                    || (prefix.contains("-") && prefix.allSatisfy({ $0 == " " || $0 == "-" }))
            else { return nil }
            let rest = scalars[indent...]
            guard let first = rest.first, first != " ", first != "#", first != "-" || rest.dropFirst().first != " "
            else { return nil }
            var keyText = ""
            if first == "\"" || first == "'" {
                guard let close = rest.dropFirst().firstIndex(of: first) else { return nil }
                keyText = String(String.UnicodeScalarView(rest[(rest.startIndex + 1)..<close]))
                guard close + 1 < scalars.count, scalars[close + 1] == ":" else { return nil }
            } else {
                var end = rest.startIndex
                while end < scalars.count {
                    if scalars[end] == ":", end + 1 == scalars.count || scalars[end + 1] == " " { break }
                    end += 1
                }
                guard end < scalars.count else { return nil }
                keyText = String(String.UnicodeScalarView(scalars[indent..<end])).trimmingCharacters(in: .whitespaces)
            }
            return WrittenKey(text: keyText, line: index + 1, column: column)
        }
        /// The first non-space column (0-based) of line `index`, or `nil` for a blank or comment line.
        func start(_ index: Int) -> Int? {
            guard let found = lines[index].firstIndex(where: { $0 != " " }), lines[index][found] != "#" else {
                return nil
            }
            return found
        }
        // A flow mapping: Yams' mark follows `{` or `,`.
        let before = lines[line - 1].prefix(indent).reversed().first { $0 != " " }
        var keys: [WrittenKey] = []
        if before == "{" || before == "," {
            guard let found = flowKeys(lines, line: line, column: column) else { return nil }
            keys = found
        }
        var index = line - 1
        while keys.isEmpty, index >= 0 {
            if let found = key(onLine: index) { keys.insert(found, at: 0) }
            if let first = start(index), first < indent { break }
            index -= 1
        }
        index = line
        while before != "{", before != ",", index < lines.count {
            if let first = start(index) {
                if first < indent { break }
                if first == indent, let found = key(onLine: index) { keys.append(found) }
            }
            index += 1
        }
        var renamed: [String] = []
        var diagnostics: [Diagnostic] = []
        for name in names {
            let occurrences = keys.filter { $0.text == name }
            guard occurrences.count > 1 else { return nil }
            let first = occurrences[0]
            for later in occurrences.dropFirst() {
                var scalars = lines[later.line - 1]
                let start = later.column - 1
                guard start < scalars.count else { return nil }
                let at = scalars[start] == "\"" || scalars[start] == "'" ? start + 1 : start
                guard at < scalars.count, let marker = Unicode.Scalar(0xE000 + serial + renamed.count) else {
                    return nil
                }
                scalars[at] = marker
                lines[later.line - 1] = scalars
                var newKey = Array(name.unicodeScalars)
                if !newKey.isEmpty { newKey[0] = marker }
                renamed.append(String(String.UnicodeScalarView(newKey)))
                diagnostics.append(
                    .error(
                        "Duplicate key '\(name)' in one mapping",
                        detail: "It is first written at \(first.line):\(first.column). Each key may appear once per "
                            + "mapping; keep one of them.",
                        at: SourceLocation(file: file, line: later.line, column: later.column)))
            }
        }
        let repaired = lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
        return DuplicateRepair(text: repaired, renamed: renamed, diagnostics: diagnostics)
    }

    /// The keys of the flow mapping (`{ a: 1, b: 2 }`, on one line or several) whose key at `line`:`column` Yams
    /// marked, or `nil` when the text around it is not understood.
    private static func flowKeys(_ lines: [[Unicode.Scalar]], line: Int, column: Int) -> [WrittenKey]? {
        var text: [Unicode.Scalar] = []
        var places: [(line: Int, column: Int)] = []
        var mark: Int?
        for (number, scalars) in lines.enumerated() {
            for (offset, scalar) in scalars.enumerated() {
                if number + 1 == line, offset + 1 == column { mark = text.count }
                text.append(scalar)
                places.append((number + 1, offset + 1))
            }
            text.append("\n")
            places.append((number + 1, scalars.count + 1))
        }
        guard let mark else { return nil }
        // The `{` that opens the mapping: the first unmatched one before the mark.
        var open = mark - 1
        var depth = 0
        while open >= 0 {
            switch text[open] {
            case "}", "]": depth += 1
            case "[" where depth == 0: return nil
            case "{" where depth == 0: break
            case "{", "[": depth -= 1
            default: break
            }
            if text[open] == "{", depth == 0 { break }
            open -= 1
        }
        guard open >= 0 else { return nil }
        var keys: [WrittenKey] = []
        var index = open + 1
        var entryStart = index
        var keyEnd: Int?
        var quote: Unicode.Scalar?
        depth = 0
        /// Records the entry from `entryStart` up to `end` (its key ends at `keyEnd`, or is the whole entry).
        func record(upTo end: Int) {
            var first = entryStart
            while first < end, text[first] == " " || text[first] == "\n" { first += 1 }
            var last = keyEnd ?? end
            while last > first, text[last - 1] == " " || text[last - 1] == "\n" { last -= 1 }
            guard first < last else { return }
            var name = String(String.UnicodeScalarView(text[first..<last]))
            if let q = name.unicodeScalars.first, q == "\"" || q == "'", name.count >= 2 {
                name = String(name.dropFirst().dropLast())
            }
            keys.append(WrittenKey(text: name, line: places[first].line, column: places[first].column))
        }
        while index < text.count {
            let scalar = text[index]
            if let open = quote {
                if scalar == "\\", open == "\"" {
                    index += 1
                } else if scalar == open {
                    quote = nil
                }
            } else {
                switch scalar {
                case "\"", "'": quote = scalar
                case "{", "[": depth += 1
                case "}" where depth == 0:
                    record(upTo: index)
                    return keys
                case "}", "]": depth -= 1
                case "," where depth == 0:
                    record(upTo: index)
                    entryStart = index + 1
                    keyEnd = nil
                case ":" where depth == 0 && keyEnd == nil:
                    let next = index + 1 < text.count ? text[index + 1] : " "
                    if [" ", "\n", ",", "}"].contains(next) { keyEnd = index }
                default: break
                }
            }
            index += 1
        }
        return nil
    }
}
