import Foundation

/// Runs a provider's ``StepProgram`` for one change: the one place where steps become commands.
///
/// Commands go through the request's runner (the engine hands out a ``SensitiveRunner``, so the change's secrets
/// stay marked); values printed for later commands (`$TMP` from `mktemp`, captures) are filled in; when a step
/// fails, the temporary files made so far are removed and the failure is rethrown. Edits run under the
/// request's ``ApplyRequest/fileLocks``, keyed by host and path.
package enum StepInterpreter {
    /// Performs `request.change` by running `provider`'s program for it.
    ///
    /// - Returns: the resource as observed by the program's ``Step/reobserve`` (with the private state the
    ///   program keeps), or a gone resource when the program does not observe it again; then passed through
    ///   ``Provider/settle(_:for:context:)``.
    /// - Throws: ``CommandFailure`` for a command that fails for real, ``OCError`` for a rejected edit or a
    ///   program the provider cannot build.
    package static func apply(_ request: ApplyRequest, provider: some Provider) async throws -> ApplyResponse {
        var request = request
        let context = ChangeContext(stack: request.stack, host: request.host, privateState: request.change.privateState)
        var program = try provider.program(for: request.change, context: context)
        if program.refreshesFirst, let reference = request.change.after ?? request.change.before {
            let target = ObserveTarget(
                address: request.change.address, desired: reference, lastApplied: request.change.before,
                privateState: request.change.privateState)
            let fresh = try await provider.observe(
                ObserveRequest(
                    stack: request.stack, host: request.host, runner: request.runner, targets: [target],
                    logger: request.logger, readBack: true))
            if let failure = fresh.failures[request.change.address] { throw failure }
            let observation = fresh.observations[request.change.address]
            request.change.before = observation?.value
            request.change.planData = observation?.planData
            if request.change.action == .delete, request.change.before == nil { return ApplyResponse(observed: nil) }
            program = try provider.program(for: request.change, context: context)
        }
        var run = Run(request: request, state: program.privateState)
        do {
            try await run.perform(program.steps, provider: provider)
        } catch {
            await request.runner.undo(&run.bindings)
            throw error
        }
        let response = run.response ?? ApplyResponse(observed: nil)
        return try provider.settle(response, for: request.change, context: context)
    }

    /// The state of one program while it runs.
    private struct Run {
        let request: ApplyRequest
        var state: Value?
        var bindings = CommandBindings()
        var response: ApplyResponse?
        /// The failure a fallback is answering (the cause of a ``Step/fail(_:)`` in it).
        var failed: CommandFailure?

        init(request: ApplyRequest, state: Value?) {
            self.request = request
            self.state = state
        }

        var host: String { request.host.name }
        var runner: any CommandRunner { request.runner }

        mutating func perform(_ steps: [Step], provider: some Provider) async throws {
            for step in steps {
                switch step {
                case .run(let run):
                    let result = try await runner.run(run.command, bindings: &bindings)
                    if run.accepts.accepts(result) { continue }
                    if let otherwise = run.otherwise, result.stderrText.contains(otherwise.marker) {
                        failed = failure(run.command, result)
                        try await perform(otherwise.steps, provider: provider)
                        continue
                    }
                    throw failure(run.command, result)
                case .write(let write):
                    for command in write.commands(os: request.host.os) {
                        try await runner.check(command, host: host, bindings: &bindings)
                    }
                case .edit(let edit):
                    try await self.edit(edit)
                case .capture(let capture):
                    let result = try await runner.run(capture.command, bindings: &bindings)
                    guard capture.accepts.accepts(result) else { throw failure(capture.command, result) }
                    guard let value = capture.parser.value(in: result) else {
                        guard capture.required else { continue }
                        throw CommandFailure.unrecognised(
                            (try? capture.command.resolved(bindings.values)) ?? capture.command, result, host: host,
                            expected: "\(capture.parser)")
                    }
                    bindings.define(capture.name, value)
                    if capture.keep {
                        var kept = state?.mapValue ?? [:]
                        kept[capture.name] = .string(value)
                        state = .map(kept)
                    }
                case .reobserve:
                    response = try await request.reobserve(provider, privateState: state)
                case .fail(let message):
                    var text = message
                    for (name, value) in bindings.values {
                        text = text.replacingOccurrences(of: "$" + name, with: value)
                    }
                    throw OCError(.commandFailed, text, cause: failed)
                }
            }
        }

        /// The failure of `command` (with the values it used filled in).
        func failure(_ command: Command, _ result: CommandResult) -> CommandFailure {
            let shown = (try? command.resolved(bindings.values)) ?? command
            return CommandFailure(host: host, command: shown, reason: .exited(result.exitStatus), result: result)
        }

        /// Reads the file afresh under its lock, edits it and writes it back (or removes it).
        func edit(_ edit: FileEditStep) async throws {
            let request = self.request
            let host = self.host
            try await request.fileLocks.withLock(request.host.name + "\u{0}" + edit.path) {
                let runner = request.runner
                let current = try await HostFile.contents(of: edit.path, runner: runner, host: host)
                let result = edit.edit.edited(current)
                let commands = edit.commands(for: result, exists: current != nil, os: request.host.os)
                var bindings = CommandBindings()
                do {
                    for command in commands.staged { try await runner.check(command, host: host, bindings: &bindings) }
                    if let check = commands.check {
                        let checked = try await runner.run(check, bindings: &bindings)
                        guard checked.succeeded else {
                            throw Self.rejection(edit, command: check, result: checked, bindings: bindings, host: host)
                        }
                    }
                    for command in commands.install { try await runner.check(command, host: host, bindings: &bindings) }
                } catch {
                    await runner.undo(&bindings)
                    throw error
                }
            }
        }

        /// The error of an edited file its check refuses: the file is untouched.
        static func rejection(
            _ edit: FileEditStep, command: Command, result: CommandResult, bindings: CommandBindings, host: String
        ) -> OCError {
            let shown = (try? command.resolved(bindings.values)) ?? command
            let said = result.stderrText.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !edit.noise.contains($0) }.joined(separator: "\n")
            let copy = edit.backup.map { " (a copy from before this run is in \($0))" } ?? ""
            return OCError(
                .commandFailed,
                "\(command.program) rejects the edited \(edit.path) on \(host), so it was not installed and "
                    + "\(edit.path) is unchanged. `\(shown)` says:\n"
                    + (said.isEmpty ? "exit status \(result.exitStatus)" : said)
                    + "\nFix \(edit.path)\(copy) and apply again.")
        }
    }
}
