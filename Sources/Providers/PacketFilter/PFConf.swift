import Foundation
import OCCore

/// The text of `/etc/pf.conf` and the pure edits ocplan makes to it.
///
/// pf only evaluates an anchor that the main ruleset references, so `/etc/pf.conf` carries three lines per
/// stack (reference §8.1):
///
/// ```
/// nat-anchor "ocplan/STACK"                                      # translation section
/// anchor "ocplan/STACK"                                          # filter section
/// load anchor "ocplan/STACK" from "/etc/pf.anchors/ocplan.STACK" # only with persist: true
/// ```
///
/// pfctl insists on the order options, normalisation, queueing, translation, filtering, so each line goes
/// where it belongs: the `nat-anchor` after the last translation statement (`nat`, `rdr`, `binat` and their
/// `-anchor` forms; in the stock file after `rdr-anchor "com.apple/*"`), or before the first filter statement
/// when there is none; the `anchor` after `anchor "com.apple/*"` (or after the last `anchor`, or the last filter
/// statement); the `load anchor` after the last `load anchor`. A line that is already there, wherever it is, is
/// recognised by its exact text (surrounding blanks aside) and left alone, so every edit is idempotent. Removing
/// takes out exactly those lines, which gives back the text as it was before they were added. Every other line —
/// comments, blank lines, Apple's anchors, rules added by hand — is kept as it is.
package struct PFConf: Sendable, Hashable {
    /// The main ruleset's file.
    package static let path = "/etc/pf.conf"
    /// Where the file is copied before ocplan edits it.
    package static let backupPath = "/etc/pf.conf.ocplan-backup"

    /// The lines that reference one anchor.
    package struct Lines: Sendable, Hashable {
        /// `nat-anchor "ANCHOR"`.
        package var translation: String
        /// `anchor "ANCHOR"`.
        package var filter: String
        /// `load anchor "ANCHOR" from "FILE"`.
        package var load: String

        /// The lines of `anchor`, whose rules are kept in `file` for boot.
        package init(anchor: String, file: String) {
            translation = "nat-anchor \"\(anchor)\""
            filter = "anchor \"\(anchor)\""
            load = "load anchor \"\(anchor)\" from \"\(file)\""
        }

        /// All three.
        package var all: [String] { [translation, filter, load] }
    }

    /// The file's text (empty for a missing file).
    package var text: String

    /// The file with `text`; `nil` (a missing file) reads as empty.
    package init(_ text: String?) { self.text = text ?? "" }

    // MARK: - Reading

    /// Whether a line of the file is `line` (surrounding blanks aside).
    package func contains(_ line: String) -> Bool {
        split().lines.contains { Self.trimmed($0) == line }
    }

    /// Whether the file references the anchor as wanted: both anchor lines, and the `load anchor` line when
    /// `load` is true.
    package func references(_ lines: Lines, load: Bool) -> Bool {
        contains(lines.translation) && contains(lines.filter) && (!load || contains(lines.load))
    }

    /// Whether any of the anchor's lines is in the file.
    package func containsAny(of lines: Lines) -> Bool {
        let present = Set(split().lines.map(Self.trimmed))
        return lines.all.contains { present.contains($0) }
    }

    // MARK: - Editing

    /// The text with the anchor's lines in place: both anchor lines, and the `load anchor` line exactly when
    /// `load` is true (an unwanted one is removed).
    ///
    /// - Parameters:
    ///   - lines: the anchor's lines.
    ///   - load: whether the file should load the anchor's file at boot.
    /// - Returns: the edited text (equal to ``text`` when nothing needs to change).
    package func adding(_ lines: Lines, load: Bool) -> String {
        var file = split()
        if !load { file.lines.removeAll { Self.trimmed($0) == lines.load } }
        if !file.lines.contains(where: { Self.trimmed($0) == lines.translation }) {
            file.insert(lines.translation, at: Self.translationSlot(in: file.lines))
        }
        if !file.lines.contains(where: { Self.trimmed($0) == lines.filter }) {
            file.insert(lines.filter, at: Self.filterSlot(in: file.lines))
        }
        if load, !file.lines.contains(where: { Self.trimmed($0) == lines.load }) {
            let loads = Self.statements(in: file.lines).filter { $0.keyword == "load" }
            file.insert(lines.load, at: loads.last.map { $0.last + 1 } ?? file.lines.count)
        }
        return file.joined
    }

    /// The text without any of the anchor's lines.
    package func removing(_ lines: Lines) -> String {
        var file = split()
        let ours = Set(lines.all)
        file.lines.removeAll { ours.contains(Self.trimmed($0)) }
        return file.joined
    }

    // MARK: - Where lines go

    /// Translation keywords (the ones `-s nat` lists).
    static let translationKeywords: Set<String> = [
        "nat", "rdr", "binat", "nat-anchor", "rdr-anchor", "binat-anchor",
    ]
    /// Keywords of the sections after translation (dummynet and filtering).
    static let filterKeywords: Set<String> = [
        "pass", "block", "anchor", "antispoof", "match", "dummynet", "dummynet-anchor",
    ]

    /// After the last translation statement, else before the first dummynet or filter statement, else at the end.
    static func translationSlot(in lines: [String]) -> Int {
        let statements = statements(in: lines)
        if let last = statements.last(where: { translationKeywords.contains($0.keyword) }) { return last.last + 1 }
        if let first = statements.first(where: { filterKeywords.contains($0.keyword) }) { return first.first }
        return lines.count
    }

    /// After `anchor "com.apple/*"`, else after the last `anchor`, else after the last filter statement, else
    /// after the last translation statement, else at the end.
    static func filterSlot(in lines: [String]) -> Int {
        let statements = statements(in: lines)
        let anchors = statements.filter { $0.keyword == "anchor" }
        if let apple = anchors.last(where: { $0.words.dropFirst().first == "\"com.apple/*\"" }) {
            return apple.last + 1
        }
        if let last = anchors.last { return last.last + 1 }
        if let last = statements.last(where: { filterKeywords.contains($0.keyword) }) { return last.last + 1 }
        if let last = statements.last(where: { translationKeywords.contains($0.keyword) }) { return last.last + 1 }
        return lines.count
    }

    /// One statement of pf.conf: a line, or several joined by a trailing `\` or an open `{`.
    struct Statement: Equatable {
        /// The statement's keyword (`nat`, `anchor`, `load`; the word after `no` for `no nat`; `=` for a macro).
        var keyword: String
        /// Its words, comments removed.
        var words: [String]
        /// The index of its first line.
        var first: Int
        /// The index of its last line.
        var last: Int
    }

    /// The top-level statements of `lines`, in order (rules inside an inline anchor's braces belong to it).
    static func statements(in lines: [String]) -> [Statement] {
        var out: [Statement] = []
        var current: (words: [String], first: Int)?
        var depth = 0
        for (index, line) in lines.enumerated() {
            let code = uncommented(line)
            var words = code.split(whereSeparator: \.isWhitespace).map(String.init)
            let continued = words.last?.hasSuffix("\\") == true
            if continued, let last = words.popLast(), last != "\\" { words.append(String(last.dropLast())) }
            if current == nil {
                guard !words.isEmpty else { continue }
                current = (words, index)
            } else {
                current?.words += words
            }
            depth += code.filter { $0 == "{" }.count - code.filter { $0 == "}" }.count
            guard depth <= 0, !continued, let statement = current else { continue }
            depth = 0
            current = nil
            let all = statement.words
            let keyword: String
            if all.count > 1, all[1] == "=" {
                keyword = "="
            } else if all.first == "no", all.count > 1 {
                keyword = all[1]
            } else {
                keyword = all.first ?? ""
            }
            out.append(Statement(keyword: keyword, words: all, first: statement.first, last: index))
        }
        return out
    }

    /// The line without a `#` comment (a `#` inside double quotes does not start one).
    static func uncommented(_ line: String) -> Substring {
        var quoted = false
        for index in line.indices {
            switch line[index] {
            case "\"": quoted.toggle()
            case "#" where !quoted: return line[..<index]
            default: continue
            }
        }
        return line[...]
    }

    static func trimmed(_ line: String) -> String {
        line.trimmingCharacters(in: [" ", "\t", "\r"])
    }

    // MARK: - Lines

    /// The file as lines, remembering whether it ended with a newline.
    struct Split {
        var lines: [String]
        var terminated: Bool

        mutating func insert(_ line: String, at index: Int) {
            lines.insert(line, at: min(max(index, 0), lines.count))
            if index >= lines.count - 1 { terminated = true }
        }

        var joined: String {
            guard !lines.isEmpty else { return "" }
            return lines.joined(separator: "\n") + (terminated ? "\n" : "")
        }
    }

    func split() -> Split {
        guard !text.isEmpty else { return Split(lines: [], terminated: true) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let terminated = text.hasSuffix("\n")
        if terminated { lines.removeLast() }
        return Split(lines: lines, terminated: terminated)
    }
}
