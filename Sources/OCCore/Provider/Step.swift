import Foundation

/// What a provider does for one change, as data: the engine interprets it (``StepInterpreter``) and
/// `--show-commands` renders it (``preview(os:)``), so what is shown is what runs.
///
/// A provider returns one from ``Provider/program(for:context:)``. The steps run in order; a failing step stops
/// the program, and the temporary files of its writes are removed. A program whose steps end without
/// ``Step/reobserve`` reports the resource as gone (a delete).
package struct StepProgram: Sendable {
    /// The steps, in order.
    package var steps: [Step]
    /// The private state to keep in the journal after the change (captures that ``CaptureStep/keep`` are added).
    package var privateState: Value?
    /// Whether the engine observes the resource afresh before running, and runs the program the provider builds
    /// from that observation instead: for a change whose commands name what they remove (an iptables hook rule
    /// deleted by its exact text), which may have moved since the plan was made.
    package var refreshesFirst: Bool

    /// Creates a program.
    package init(_ steps: [Step] = [], privateState: Value? = nil, refreshesFirst: Bool = false) {
        self.steps = steps
        self.privateState = privateState
        self.refreshesFirst = refreshesFirst
    }

    /// The commands of a program made of plain commands, observed again at the end: what a provider without
    /// tolerances or files returns.
    package static func commands(_ commands: [Command], reobserve: Bool = true, privateState: Value? = nil)
        -> StepProgram
    {
        StepProgram(commands.map { .run($0) } + (reobserve ? [.reobserve] : []), privateState: privateState)
    }
}

/// One step of a ``StepProgram``.
package enum Step: Sendable {
    /// Runs a command; it must exit 0 unless its ``RunStep/accepts`` says otherwise.
    case run(RunStep)
    /// Writes a file atomically (``HostFile/write(_:to:mode:owner:group:os:)``).
    case write(FileWrite)
    /// Reads a file, changes it with a pure edit, optionally checks the result, and writes it back atomically,
    /// under a lock the engine holds per host and path.
    case edit(FileEditStep)
    /// Runs a command and keeps a value found in its output.
    case capture(CaptureStep)
    /// Observes the resource again: its tree is what the change left, and what the engine verifies.
    case reobserve
    /// Stops the program with this message, values captured earlier filled in (`$NAME`): the end of a fallback
    /// that names what stands in the way (the containers still on a network).
    case fail(String)

    /// Runs `command`, which must exit 0 unless `accepts` says otherwise.
    package static func run(_ command: Command, accepts: Acceptance = .success) -> Step {
        .run(RunStep(command, accepts: accepts))
    }
}

/// A command of a program, with the outcomes besides exit 0 that count as done (idempotency) and an
/// alternative for a known refusal.
package struct RunStep: Sendable {
    /// The command.
    package var command: Command
    /// What else counts as success.
    package var accepts: Acceptance
    /// What to run instead when the command fails with a known message.
    package var otherwise: Fallback?

    /// Creates a step.
    package init(_ command: Command, accepts: Acceptance = .success, otherwise: Fallback? = nil) {
        self.command = command
        self.accepts = accepts
        self.otherwise = otherwise
    }
}

/// The non-zero outcomes of a command that still mean "done" ("already gone", "already connected"), as data.
package struct Acceptance: Sendable, Hashable {
    /// Exit statuses besides 0 that count as done.
    package var exitStatuses: Set<Int32>
    /// Text that, found in standard error or standard output of a failed command (ignoring case), means it is done.
    package var markers: [String]
    /// What the tolerance means, for the preview (`missing is fine`).
    package var meaning: String

    /// Creates an acceptance.
    package init(_ meaning: String, exitStatuses: Set<Int32> = [], markers: [String] = []) {
        self.meaning = meaning
        self.exitStatuses = exitStatuses
        self.markers = markers
    }

    /// Only exit 0.
    package static let success = Acceptance("")

    /// Whether `result` counts as done.
    package func accepts(_ result: CommandResult) -> Bool {
        if result.succeeded || exitStatuses.contains(result.exitStatus) { return true }
        guard !markers.isEmpty else { return false }
        let output = result.stderrText + "\n" + result.stdoutText
        return markers.contains { output.localizedCaseInsensitiveContains($0) }
    }
}

/// Steps run instead of a failed command whose output contains ``marker``.
package struct Fallback: Sendable {
    /// The text in the failed command's standard error that selects the alternative.
    package var marker: String
    /// What the alternative does, for the preview.
    package var meaning: String
    /// The alternative.
    package var steps: [Step]

    /// Creates a fallback.
    package init(on marker: String, meaning: String, steps: [Step]) {
        self.marker = marker
        self.meaning = meaning
        self.steps = steps
    }
}

/// A file written whole and atomically (see ``HostFile/write(_:to:mode:owner:group:os:)``).
package struct FileWrite: Sendable, Hashable {
    /// The destination's absolute path.
    package var path: String
    /// The content.
    package var text: String
    /// The octal mode.
    package var mode: String
    /// The owning user, if set.
    package var owner: String?
    /// The owning group, if set.
    package var group: String?

    /// Creates a write.
    package init(_ text: String, to path: String, mode: String = "0644", owner: String? = nil, group: String? = nil) {
        self.path = path
        self.text = text
        self.mode = mode
        self.owner = owner
        self.group = group
    }

    /// The commands that carry the write out on `os`.
    package func commands(os: Host.OS) -> [Command] {
        HostFile.write(text, to: path, mode: mode, owner: owner, group: group, os: os)
    }
}

/// What a pure file edit makes of a file.
package enum FileEditResult: Sendable, Hashable {
    /// Nothing changes.
    case unchanged
    /// The file is written with this text.
    case write(String)
    /// The file is removed (the stack created it and nothing of use is left).
    case remove
}

/// A provider's pure edit of a file's text (a block of its own set or removed), with a description for the
/// preview.
package protocol FileEdit: Sendable, CustomStringConvertible {
    /// What the edit makes of `text` (`nil`: the file does not exist).
    func edited(_ text: String?) -> FileEditResult
}

/// A read-modify-write of one file (see ``Step/edit(_:)``).
package struct FileEditStep: Sendable {
    /// The file's absolute path.
    package var path: String
    /// The edit.
    package var edit: any FileEdit
    /// The mode the written file gets.
    package var mode: String
    /// Where the file is copied (`cp -p`) before it is replaced, when it exists.
    package var backup: String?
    /// A command that checks the edited file before it is moved into place.
    ///
    /// It names the temporary file as `$TMP` (``HostFile/using(_:)``). When it fails, the temporary file is removed, the file is untouched and
    /// the step fails with the command's message.
    package var check: Command?
    /// Lines of the check's standard error that say nothing about the file (a tool's banner), left out of the
    /// message of a rejection.
    package var noise: Set<String>
    /// The file as observed when the plan was made (`.some(nil)`: missing; `nil`: not observed), for the preview.
    package var planned: String??

    /// Creates an edit step.
    package init(
        _ path: String, edit: any FileEdit, mode: String = "0644", backup: String? = nil, check: Command? = nil,
        noise: Set<String> = [], planned: String?? = nil
    ) {
        self.path = path
        self.edit = edit
        self.mode = mode
        self.backup = backup
        self.check = check
        self.noise = noise
        self.planned = planned
    }

    /// The commands an edit whose result is `result` runs after reading the file, in three parts: the backup
    /// (when the file exists) and the staged write, the check, and the rename (`rm -f` alone for a removal).
    func commands(for result: FileEditResult, exists: Bool, os: Host.OS) -> (
        staged: [Command], check: Command?, install: [Command]
    ) {
        switch result {
        case .unchanged: return ([], nil, [])
        case .remove: return ([], nil, [HostFile.remove(path)])
        case .write(let text):
            var write = HostFile.write(text, to: path, mode: mode, os: os)
            let install = write.removeLast()
            let copy = exists ? backup.map { [HostFile.copy(path, to: $0)] } ?? [] : []
            return (copy + write, check.map(HostFile.using), [install])
        }
    }
}

/// Finds a value in a command's output (a token `pfctl -E` prints).
package protocol OutputParser: Sendable, CustomStringConvertible {
    /// The value in `result`, or `nil` when it holds none.
    func value(in result: CommandResult) -> String?
}

/// A command whose output holds a value the change keeps (see ``Step/capture(_:)``).
package struct CaptureStep: Sendable {
    /// The command.
    package var command: Command
    /// What else counts as success.
    package var accepts: Acceptance
    /// The value's name: later commands of the program may use it as `$NAME`; with ``keep`` it is stored in the
    /// private state under this key.
    package var name: String
    /// Finds the value.
    package var parser: any OutputParser
    /// Whether the value goes into the private state kept in the journal.
    package var keep: Bool
    /// Whether output without the value is an error (``CommandFailure/Reason/unrecognisedOutput(_:)``); when
    /// not, the program goes on and the private state keeps what it had.
    package var required: Bool

    /// Creates a capture.
    package init(
        _ command: Command, name: String, parser: any OutputParser, accepts: Acceptance = .success,
        keep: Bool = true, required: Bool = true
    ) {
        self.command = command
        self.name = name
        self.parser = parser
        self.accepts = accepts
        self.keep = keep
        self.required = required
    }
}

// MARK: - Preview

/// One line of a program as `--show-commands` shows it.
package enum ProgramLine: Sendable, Hashable {
    /// A command that runs (`$ argv`).
    case command(Command)
    /// What a step does besides running a command (`# edit FILE: …`).
    case note(String)
}

extension StepProgram {
    /// The program as `--show-commands` shows it on a host running `os`.
    ///
    /// Every command in the order it runs, with a note for each edit (what it changes), tolerance and alternative.
    /// An edit's commands are those its edit makes of the file as planned (a file not observed counts as missing);
    /// the interpreter reads it again.
    package func preview(os: Host.OS) -> [ProgramLine] { Self.preview(steps, os: os) }

    /// The commands of ``preview(os:)``, without the notes: what a run against the planned world executes.
    package func commands(os: Host.OS) -> [Command] {
        preview(os: os).compactMap { if case .command(let command) = $0 { command } else { nil } }
    }

    private static func preview(_ steps: [Step], os: Host.OS) -> [ProgramLine] {
        var lines: [ProgramLine] = []
        for step in steps {
            switch step {
            case .run(let run):
                lines.append(.command(run.command))
                if !run.accepts.meaning.isEmpty { lines.append(.note(run.accepts.meaning)) }
                if let otherwise = run.otherwise {
                    lines.append(.note("if it fails with \"\(otherwise.marker)\": \(otherwise.meaning)"))
                }
            case .write(let write):
                lines += write.commands(os: os).map(ProgramLine.command)
            case .edit(let edit):
                let planned = edit.planned ?? nil
                lines.append(.command(HostFile.read(edit.path)))
                lines.append(.note("edit \(edit.path): \(edit.edit)"))
                // A file not observed shows the backup it gets when it exists.
                let exists = edit.planned == nil || planned != nil
                let commands = edit.commands(for: edit.edit.edited(planned), exists: exists, os: os)
                lines += (commands.staged + (commands.check.map { [$0] } ?? []) + commands.install)
                    .map(ProgramLine.command)
            case .capture(let capture):
                lines.append(.command(capture.command))
                lines.append(.note("keeps \(capture.name): \(capture.parser)"))
                if !capture.accepts.meaning.isEmpty { lines.append(.note(capture.accepts.meaning)) }
            case .reobserve:
                break
            case .fail(let message):
                lines.append(.note("then fail: \(message)"))
            }
        }
        return lines
    }
}
