import Foundation

/// The places in an attribute tree that hold secrets: marks set when a value is read and kept through
/// diff, plan, plan file, journal and every renderer.
///
/// Sensitivity is data, not a string search: a provider or the planner marks a path (`env.API_KEY`,
/// `content`), and whatever is at or under a marked path is shown as `(sensitive)`, on both sides of a
/// change. An attribute that contains a marked path (a whole `env` map) is hidden whole.
package struct SensitivePaths: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The marked paths.
    package private(set) var paths: Set<ValuePath>

    /// Creates a set of marks.
    package init(_ paths: some Sequence<ValuePath> = [ValuePath]()) { self.paths = Set(paths) }

    /// Whether nothing is marked.
    package var isEmpty: Bool { paths.isEmpty }

    /// Marks `path`.
    package mutating func insert(_ path: ValuePath) { paths.insert(path) }

    /// Adds every mark of `other`.
    package mutating func formUnion(_ other: SensitivePaths) { paths.formUnion(other.paths) }

    /// These marks and `other`'s.
    package func union(_ other: SensitivePaths) -> SensitivePaths {
        var copy = self
        copy.formUnion(other)
        return copy
    }

    /// Whether the value at `path` is marked, lies under a mark, or contains one.
    package func covers(_ path: ValuePath) -> Bool {
        paths.contains { path.hasPrefix($0) || $0.hasPrefix(path) }
    }

    /// Whether the value at `path` is marked or lies under a mark.
    package func marks(_ path: ValuePath) -> Bool { paths.contains { path.hasPrefix($0) } }

    /// `value` with every marked subtree replaced by ``DisplayText/placeholder``.
    package func redact(_ value: Value?) -> Value? {
        guard let value, !paths.isEmpty else { return value }
        return redact(value, at: .root)
    }

    private func redact(_ value: Value, at path: ValuePath) -> Value {
        if marks(path) { return value == .null ? .null : .string(DisplayText.placeholder) }
        switch value {
        case .map(let entries):
            return .map(
                Dictionary(uniqueKeysWithValues: entries.map { ($0.key, redact($0.value, at: path.appending($0.key))) })
            )
        case .list(let elements):
            return .list(elements.enumerated().map { redact($0.element, at: path.appending(index: $0.offset)) })
        default:
            return value
        }
    }

    /// The text of every scalar at or under a mark in `value` (to find secrets in argv and messages).
    package func secrets(in value: Value?) -> Set<String> {
        guard let value, !paths.isEmpty else { return [] }
        var out = Set<String>()
        collect(value, at: .root, marked: false, into: &out)
        return out
    }

    private func collect(_ value: Value, at path: ValuePath, marked: Bool, into out: inout Set<String>) {
        let marked = marked || paths.contains(path)
        switch value {
        case .string(let text) where marked && !text.isEmpty: out.insert(text)
        case .int(let number) where marked: out.insert(String(number))
        case .map(let entries):
            for (key, child) in entries { collect(child, at: path.appending(key), marked: marked, into: &out) }
        case .list(let elements):
            for (index, child) in elements.enumerated() {
                collect(child, at: path.appending(index: index), marked: marked, into: &out)
            }
        default: break
        }
    }

    /// The paths where `real` and `probe` differ: the attributes a secret flowed into, found by computing the
    /// desired state a second time with every secret replaced by a token.
    ///
    /// Maps are compared key by key and lists of equal length element by element; anything else that differs
    /// is marked whole.
    package static func differences(between real: Value, and probe: Value) -> SensitivePaths {
        var out = SensitivePaths()
        var work: [(Value, Value, ValuePath)] = [(real, probe, .root)]
        while let (left, right, path) = work.popLast() {
            guard left != right else { continue }
            switch (left, right) {
            case (.map(let l), .map(let r)):
                for key in Set(l.keys).union(r.keys) {
                    work.append((l[key] ?? .null, r[key] ?? .null, path.appending(key)))
                }
            case (.list(let l), .list(let r)) where l.count == r.count:
                for index in l.indices { work.append((l[index], r[index], path.appending(index: index))) }
            default:
                out.insert(path)
            }
        }
        return out
    }

    /// The concrete paths in `value` that `matches` accepts (a schema's sensitive patterns).
    package static func paths(in value: Value?, where matches: (ValuePath) -> Bool) -> SensitivePaths {
        guard let value else { return SensitivePaths() }
        var out = SensitivePaths()
        var work: [(Value, ValuePath)] = [(value, .root)]
        while let (node, path) = work.popLast() {
            if !path.components.isEmpty, matches(path) {
                out.insert(path)
                continue
            }
            switch node {
            case .map(let entries): for (key, child) in entries { work.append((child, path.appending(key))) }
            case .list(let elements):
                for (index, child) in elements.enumerated() { work.append((child, path.appending(index: index))) }
            default: break
            }
        }
        return out
    }

    /// Marks every string leaf of `value` that contains one of `secrets` (the fallback when a probe cannot
    /// be computed).
    package static func containing(_ secrets: Set<String>, in value: Value?) -> SensitivePaths {
        let present = secrets.filter { !$0.isEmpty }
        guard let value, !present.isEmpty else { return SensitivePaths() }
        var out = SensitivePaths()
        var work: [(Value, ValuePath)] = [(value, .root)]
        while let (node, path) = work.popLast() {
            switch node {
            case .string(let text) where present.contains(where: text.contains): out.insert(path)
            case .map(let entries): for (key, child) in entries { work.append((child, path.appending(key))) }
            case .list(let elements):
                for (index, child) in elements.enumerated() { work.append((child, path.appending(index: index))) }
            default: break
            }
        }
        return out
    }

    package var description: String { paths.map(\.description).sorted().joined(separator: ", ") }

    // MARK: - Codable as a sorted list of paths

    package init(from decoder: any Decoder) throws {
        paths = Set(try decoder.singleValueContainer().decode([ValuePath].self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(paths.sorted())
    }
}

/// Text shown to a person: secrets removed from free text (tool output, error messages) and control
/// characters made visible.
///
/// Structured places (attributes, argv elements) are redacted by their marks. Free text has no marks, so
/// the known secret values are searched for in it — but only values of at least ``minimumSearchLength``
/// characters: a short value such as `1` would blank every `1` of a message, and is kept out of free text by
/// the marks alone.
package enum DisplayText {
    /// What a secret is shown as.
    package static let placeholder = "(sensitive)"
    /// The shortest secret searched for in free text.
    package static let minimumSearchLength = 4

    /// `text` with every occurrence of a secret of at least ``minimumSearchLength`` characters replaced.
    ///
    /// Longer secrets go first, so a secret that contains another is removed whole.
    package static func redact(_ text: String, secrets: some Sequence<String>) -> String {
        let ordered = Set(secrets).filter { $0.count >= minimumSearchLength }.sorted { $0.count > $1.count }
        var cleaned = text
        for secret in ordered where cleaned.contains(secret) {
            cleaned = cleaned.replacingOccurrences(of: secret, with: placeholder)
        }
        return cleaned
    }

    /// Whether one argv element carries `secret`: it is the secret, ends in `=SECRET`, or contains a secret long
    /// enough to be searched for.
    package static func element(_ element: String, carries secret: String) -> Bool {
        guard !secret.isEmpty else { return false }
        return element == secret || element.hasSuffix("=" + secret)
            || (secret.count >= minimumSearchLength && element.contains(secret))
    }

    /// `text` with control characters made visible (`\u{1B}` as `\e`, other C0/C1 characters and DEL as
    /// `\xNN`), so output from the world cannot move the cursor, clear the screen or fake a line.
    ///
    /// - Parameters:
    ///   - text: the text to show.
    ///   - keepNewlines: whether `\n` (and `\t`) stay as they are (multi-line text rendered line by line).
    /// - Returns: the text with every control character written out.
    package static func escapingControlCharacters(_ text: String, keepNewlines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if keepNewlines, scalar == "\n" || scalar == "\t" {
                out.append(scalar)
            } else if scalar == "\u{1B}" {
                out.append(contentsOf: "\\e".unicodeScalars)
            } else if isControl(scalar) {
                out.append(contentsOf: String(format: "\\x%02X", scalar.value).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether `scalar` is a C0 or C1 control character or DEL.
    package static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

extension Command {
    /// This command with every argv element that carries one of `secrets` marked sensitive, and its standard
    /// input hidden from `--show-commands` when it carries one.
    package func markingSensitive(_ secrets: Set<String>) -> Command {
        let present = secrets.filter { !$0.isEmpty }
        guard !present.isEmpty else { return self }
        var copy = self
        for (index, element) in argv.enumerated()
        where present.contains(where: { DisplayText.element(element, carries: $0) }) {
            copy.sensitiveArguments.insert(index)
        }
        if showsInput, let stdin {
            let text = String(decoding: stdin, as: UTF8.self)
            if present.contains(where: { text.contains($0) }) { copy.showsInput = false }
        }
        return copy
    }
}

/// A runner that marks the secrets of one change on every command a provider runs for it, so that logs,
/// errors and `ps` never show them in clear (the runner below it redacts by the marks).
package struct SensitiveRunner: CommandRunner {
    /// The runner commands go to.
    package let base: any CommandRunner
    /// The secret values of the change.
    package let secrets: Set<String>

    /// Creates a runner marking `secrets` before `base` sees a command.
    package init(base: any CommandRunner, secrets: Set<String>) {
        self.base = base
        self.secrets = secrets
    }

    package func run(_ command: Command) async throws -> CommandResult {
        try await redactingFailures { try await base.run(command.markingSensitive(secrets)) }
    }

    package func check(_ command: Command, host: String) async throws -> CommandResult {
        try await redactingFailures { try await base.check(command.markingSensitive(secrets), host: host) }
    }

    /// Runs `body`, removing the secrets from the command and the output of a ``CommandFailure`` it throws.
    private func redactingFailures(_ body: () async throws -> CommandResult) async throws -> CommandResult {
        do {
            return try await body()
        } catch var failure as CommandFailure {
            failure.command = failure.command.markingSensitive(secrets)
            failure.result = failure.result.map { DisplayText.redact($0, secrets: secrets) }
            throw failure
        }
    }
}

extension DisplayText {
    /// `result` with the secrets removed from both outputs (see ``redact(_:secrets:)``).
    package static func redact(_ result: CommandResult, secrets: some Sequence<String>) -> CommandResult {
        let present = Set(secrets).filter { $0.count >= minimumSearchLength }
        guard !present.isEmpty else { return result }
        var cleaned = result
        let out = result.stdoutText
        if present.contains(where: out.contains) { cleaned.stdout = Data(redact(out, secrets: present).utf8) }
        let err = result.stderrText
        if present.contains(where: err.contains) { cleaned.stderr = Data(redact(err, secrets: present).utf8) }
        return cleaned
    }
}
