/// The values the commands of one change printed for later ones (the name `mktemp` chose) and what to undo
/// when the change fails half-way (the temporary file).
///
/// Providers run a change's commands through ``CommandRunner/checkAll(_:host:)``, or, when they need to look
/// at results in between, through ``CommandRunner/run(_:bindings:)`` with one `CommandBindings` per change.
package struct CommandBindings: Sendable {
    /// The values defined so far, by name.
    package private(set) var values: [String: String] = [:]
    /// The undo commands of what was made so far, most recent first, already filled in.
    package private(set) var undo: [Command] = []

    /// Creates empty bindings.
    package init() {}

    /// Records the value `command` printed, and its undo command.
    mutating func record(_ command: Command, result: CommandResult) throws {
        guard let name = command.defines else { return }
        let value = result.stdoutText.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !value.isEmpty, !Formats.hasControlCharacter(value) else {
            throw OCError(.internalError, "'\(command.program)' printed no usable value for $\(name)")
        }
        values[name] = value
        if let argv = command.undo {
            var undoing = Command(argv, mutating: true)
            undoing.uses = Dictionary(
                uniqueKeysWithValues: argv.enumerated().filter { $0.element == Command.reference(name) }.map {
                    ($0.offset, name)
                })
            undo.insert(try undoing.resolved(values), at: 0)
        }
    }

    /// Records a value found by a step of a program (``CaptureStep``), for the commands after it.
    mutating func define(_ name: String, _ value: String) { values[name] = value }

    /// Forgets the undo commands (after they ran).
    mutating func clearUndo() { undo = [] }
}

extension CommandRunner {
    /// Runs `command` with the values earlier commands defined filled in, and records the value it defines.
    ///
    /// - Parameters:
    ///   - command: the command, possibly using `$NAME` references.
    ///   - bindings: the change's bindings.
    /// - Returns: the result (a non-zero exit is returned, not thrown).
    /// - Throws: ``CommandFailure`` when the command cannot run; ``OCError`` when a reference is undefined or a
    ///   defining command printed nothing usable.
    @discardableResult
    package func run(_ command: Command, bindings: inout CommandBindings) async throws -> CommandResult {
        let result = try await run(try command.resolved(bindings.values))
        if result.succeeded { try bindings.record(command, result: result) }
        return result
    }

    /// Like ``run(_:bindings:)``, and throws ``CommandFailure`` unless the command exits 0.
    @discardableResult
    package func check(_ command: Command, host: String, bindings: inout CommandBindings) async throws
        -> CommandResult
    {
        let resolved = try command.resolved(bindings.values)
        let result = try await run(command, bindings: &bindings)
        guard result.succeeded else {
            throw CommandFailure(host: host, command: resolved, reason: .exited(result.exitStatus), result: result)
        }
        return result
    }

    /// Runs the undo commands of `bindings` (removing temporary files), ignoring their failures.
    package func undo(_ bindings: inout CommandBindings) async {
        for command in bindings.undo { _ = try? await run(command) }
        bindings.clearUndo()
    }

    /// Runs `commands` in order, each of which must exit 0; when one fails, undoes what the earlier ones made
    /// (``Command/undo``) and rethrows.
    ///
    /// - Parameters:
    ///   - commands: a change's commands.
    ///   - host: the host name, for errors.
    /// - Throws: the first failure.
    package func checkAll(_ commands: [Command], host: String) async throws {
        var bindings = CommandBindings()
        do {
            for command in commands { try await check(command, host: host, bindings: &bindings) }
        } catch {
            await undo(&bindings)
            throw error
        }
    }
}
