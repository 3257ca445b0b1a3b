import Foundation

/// A problem with the user's input, located where it was written.
///
/// Loaders and validators collect diagnostics rather than throwing at the first one, so a run reports
/// every mistake at once.
package struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How serious the problem is.
    package enum Severity: String, Sendable, Hashable, Codable, Comparable {
        case warning
        case error

        package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    /// How serious it is.
    package var severity: Severity
    /// A short summary, sentence case, no final period.
    package var summary: String
    /// Full sentences saying why and how to fix it.
    package var detail: String?
    /// Where it was written, when known.
    package var location: SourceLocation?
    /// The key path in the manifest, for example `containers.openclaw.capDrop`.
    package var keyPath: String?
    /// The resource it concerns, when known.
    package var address: Address?

    /// Creates a diagnostic.
    package init(
        _ severity: Severity,
        _ summary: String,
        detail: String? = nil,
        at location: SourceLocation? = nil,
        keyPath: String? = nil,
        address: Address? = nil
    ) {
        self.severity = severity
        self.summary = summary
        self.detail = detail
        self.location = location
        self.keyPath = keyPath
        self.address = address
    }

    /// An error diagnostic.
    package static func error(
        _ summary: String, detail: String? = nil, at location: SourceLocation? = nil, keyPath: String? = nil
    ) -> Diagnostic {
        Diagnostic(.error, summary, detail: detail, at: location, keyPath: keyPath)
    }

    /// A warning diagnostic.
    package static func warning(
        _ summary: String, detail: String? = nil, at location: SourceLocation? = nil, keyPath: String? = nil
    ) -> Diagnostic {
        Diagnostic(.warning, summary, detail: detail, at: location, keyPath: keyPath)
    }

    /// `error: file:line:col: summary (key path)` followed by the detail on its own line.
    package var description: String {
        var line = severity.rawValue + ": "
        if let location { line += "\(location): " }
        line += summary
        if let keyPath { line += " (at \(keyPath))" }
        if let detail { line += "\n  " + detail.replacingOccurrences(of: "\n", with: "\n  ") }
        return line
    }
}

/// An ordered collection of diagnostics.
package struct Diagnostics: Sendable, Hashable, Codable, Sequence {
    /// The diagnostics in the order they were found.
    package private(set) var items: [Diagnostic] = []

    /// Creates an empty collection.
    package init(_ items: [Diagnostic] = []) { self.items = items }

    /// Adds one diagnostic.
    package mutating func append(_ diagnostic: Diagnostic) { items.append(diagnostic) }
    /// Adds many diagnostics.
    package mutating func append(contentsOf other: some Sequence<Diagnostic>) { items.append(contentsOf: other) }

    /// Removes `secrets` (of searchable length, see ``DisplayText``) from every summary and detail: a message
    /// that quotes a value read from `${env:…}` must not print it.
    package mutating func redact(_ secrets: Set<String>) {
        guard !secrets.isEmpty else { return }
        for index in items.indices {
            items[index].summary = DisplayText.redact(items[index].summary, secrets: secrets)
            items[index].detail = items[index].detail.map { DisplayText.redact($0, secrets: secrets) }
        }
    }

    /// Whether any diagnostic is an error.
    package var hasErrors: Bool { items.contains { $0.severity == .error } }
    /// The errors only.
    package var errors: [Diagnostic] { items.filter { $0.severity == .error } }
    /// The warnings only.
    package var warnings: [Diagnostic] { items.filter { $0.severity == .warning } }

    /// The diagnostics sorted by file position (unlocated ones last), duplicates removed.
    package var sorted: [Diagnostic] {
        var seen = Set<Diagnostic>()
        let unique = items.filter { seen.insert($0).inserted }
        return unique.enumerated().sorted { a, b in
            switch (a.element.location, b.element.location) {
            case (let l?, let r?): return l == r ? a.offset < b.offset : l < r
            case (.some, .none): return true
            case (.none, .some): return false
            case (.none, .none): return a.offset < b.offset
            }
        }.map(\.element)
    }

    package func makeIterator() -> IndexingIterator<[Diagnostic]> { items.makeIterator() }
}
