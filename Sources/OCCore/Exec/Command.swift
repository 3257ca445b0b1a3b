import Foundation

/// One external command: an argv array, never a shell string.
///
/// Manifest values only ever become single argv elements, so no quoting or injection is possible.
/// `sensitive` lists argument indices that must be redacted wherever the command is shown.
package struct Command: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The program and its arguments (`argv[0]` is looked up on `PATH` by the runner).
    package var argv: [String]
    /// Bytes written to the child's standard input; `nil` means `/dev/null`.
    package var stdin: Data?
    /// Extra environment variables for the child (merged over the runner's environment).
    package var environment: [String: String]
    /// How long the command may run before it is ended and reported as timed out.
    package var timeout: Duration
    /// Whether the command changes the world (observation commands do not).
    package var mutating: Bool
    /// Indices of `argv` elements that hold secrets.
    package var sensitiveArguments: Set<Int>
    /// Whether `--show-commands` prints the standard input under the command (a rules transaction, never
    /// file content that may hold a secret).
    package var showsInput: Bool
    /// The name of a value this command prints for later commands of the same change (`TMP`, from `mktemp`).
    ///
    /// The value is the first line of its standard output. The command is shown as `TMP=$(…)`.
    package var defines: String?
    /// The argv elements filled in with values earlier commands defined when the command runs (index → name).
    ///
    /// The element holds `$NAME` until then, which is how `--show-commands` shows it.
    package var uses: [Int: String]
    /// The argv that undoes what this command made (`rm -f -- $TMP`) when a later command of the same change
    /// fails; it may use the value this command defines.
    package var undo: [String]?

    /// Creates a command.
    package init(
        _ argv: [String],
        stdin: Data? = nil,
        environment: [String: String] = [:],
        timeout: Duration = .seconds(120),
        mutating: Bool = false,
        sensitiveArguments: Set<Int> = [],
        showsInput: Bool = false
    ) {
        self.argv = argv
        self.stdin = stdin
        self.environment = environment
        self.timeout = timeout
        self.mutating = mutating
        self.sensitiveArguments = sensitiveArguments
        self.showsInput = showsInput
        self.defines = nil
        self.uses = [:]
        self.undo = nil
    }

    /// The text an argv element holds until the value `name` is filled in: `$NAME`.
    package static func reference(_ name: String) -> String { "$" + name }

    /// This command with each reference of the elements listed in ``uses`` replaced by its value (`$TMP` becomes
    /// the path, `NAME:$GW` becomes `NAME:10.0.0.1`).
    ///
    /// - Parameter values: the values earlier commands defined, by name.
    /// - Returns: the command to run, with no references left.
    /// - Throws: ``OCError`` `.internalError` when a value was never defined (a builder ordered its commands
    ///   wrongly).
    package func resolved(_ values: [String: String]) throws -> Command {
        guard !uses.isEmpty else { return self }
        var copy = self
        for (index, name) in uses {
            guard let value = values[name], argv.indices.contains(index) else {
                throw OCError(.internalError, "'\(program)' uses $\(name), which no earlier command defined")
            }
            let reference = Command.reference(name)
            copy.argv[index] =
                argv[index].contains(reference) ? argv[index].replacingOccurrences(of: reference, with: value) : value
        }
        copy.uses = [:]
        return copy
    }

    /// The program name (`argv[0]`), or an empty string for an empty command.
    package var program: String { argv.first ?? "" }

    /// The argv with sensitive elements replaced by `(sensitive)`, for display.
    package var redactedArgv: [String] {
        argv.enumerated().map { sensitiveArguments.contains($0.offset) ? "(sensitive)" : $0.element }
    }

    /// A readable, shell-like rendering of the redacted argv (for display only; never executed).
    package var description: String {
        let words = redactedArgv.enumerated().map {
            uses[$0.offset] != nil ? $0.element : Command.displayQuote($0.element)
        }
        let line = words.joined(separator: " ")
        return defines.map { "\($0)=$(\(line))" } ?? line
    }

    /// Wraps this command so that it runs through `prefix` (a transport such as `sudo -n`).
    ///
    /// Sensitive indices shift with the prefix so redaction keeps working.
    package func wrapped(in prefix: [String]) -> Command {
        var copy = self
        copy.argv = prefix + argv
        copy.sensitiveArguments = Set(sensitiveArguments.map { $0 + prefix.count })
        copy.uses = Dictionary(uniqueKeysWithValues: uses.map { ($0.key + prefix.count, $0.value) })
        return copy
    }

    /// Quotes a word for display the way a POSIX shell would read it back.
    package static func displayQuote(_ word: String) -> String {
        let safe = CharacterSet(
            charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%")
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

// Duration is Codable on all supported platforms; Command stays Codable for plan files.
