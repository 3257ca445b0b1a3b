import Foundation
import OCCore

/// Manages kernel settings with `sysctl`, and their persistence files, on Linux and macOS hosts.
///
/// A sysctl always exists, so the schema's lifecycle is ``ResourceSchema/Lifecycle/setting``: the first
/// apply takes the setting over and records the value it found (private state `original`), and deleting
/// the resource writes that value back. Settings carry no ownership mark; the engine uses the state
/// journal. Every field changes in place.
///
/// The attribute tree is `{key, value, persist, persistFile}`. The persistence files as read (by path) travel as
/// the observation's plan data (``Observation/planData``), so that ``program(for:context:)`` shows the exact
/// file edits; the diff never sees them.
///
/// Observation is one `sysctl KEY…` per host for every target, plus one `cat` per distinct
/// persistence file. `persist` is observed as `true` when the file holds this resource's block with the
/// desired key and value; when persisting is not wanted, any leftover block of the resource (also one in
/// a previous `persistFile`) counts as `true`, so that the plan removes it.
package struct SysctlProvider: Provider {
    /// The provider's name in plans and the state journal: `sysctl`.
    package let name = "sysctl"
    /// The one section it manages: `sysctl`.
    package let sections = [SysctlSpec.section]

    /// Creates the provider.
    package init() {}

    /// The keys of the attribute tree.
    enum Tree {
        static let key = "key"
        static let value = "value"
        static let persist = "persist"
        static let persistFile = "persistFile"
    }

    /// The keys of the private state kept in the journal.
    enum Private {
        /// The value found when the setting was taken over (restored on delete).
        static let original = "original"
        /// The key the resource manages now (a changed key restores the old one first).
        static let key = "key"
        /// The persistence file last written (a changed `persistFile` has its old block removed).
        static let persistFile = "persistFile"
    }

    /// A setting (taken over on create, restored on delete); everything changes in place.
    ///
    /// The persistence file path is informational: a moved file shows up as `persist` turning false until the
    /// block is written to the new file.
    package func schema(for section: String) -> ResourceSchema {
        ResourceSchema(ignored: [PathPattern(Tree.persistFile)], lifecycle: .setting)
    }

    /// `sysctl` itself: procps on Linux, part of the base system on macOS.
    package func prerequisites(on host: OCCore.Host) -> [Prerequisite] {
        let install = host.os == .macos ? "part of macOS" : "apt-get install procps (Debian/Ubuntu)"
        return [Prerequisite(tool: "sysctl", host: host.name, install: install)]
    }

    /// The tree `{key, value, persist, persistFile}` with the value normalised and the file resolved.
    ///
    /// - Throws: an ``OCError`` when the declaration is not a ``SysctlSpec``.
    package func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        let spec = try declaration.spec(as: SysctlSpec.self)
        let file = spec.persistFile ?? SysctlSpec.defaultPersistFile(stack: context.stack, os: context.host.os)
        return [
            Tree.key: .string(spec.key),
            Tree.value: .string(SysctlObservation.normalize(spec.value)),
            Tree.persist: .bool(spec.persist),
            Tree.persistFile: .string(file),
        ]
    }

    // MARK: - Observe

    /// One target, as observation needs it.
    private struct Wanted {
        var address: Address
        var key: String
        var value: String
        var persist: Bool
        var file: String
        var previousFile: String?
        var managedKey: String
        var files: [String] { [file] + (previousFile.map { $0 == file ? [] : [$0] } ?? []) }
    }

    /// Reads every target's key with one `sysctl KEY…` and each persistence file once with `cat`.
    ///
    /// A key the host does not have is an absent observation with a note. Persistence files that do not
    /// exist count as empty.
    ///
    /// - Throws: ``CommandFailure`` when `sysctl` fails without reporting on any key (a broken transport),
    ///   or a persistence file exists but cannot be read.
    package func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
        var wanted: [Wanted] = []
        for target in request.targets {
            guard let reference = target.desired ?? target.lastApplied, let key = reference[Tree.key].stringValue else {
                continue
            }
            wanted.append(
                Wanted(
                    address: target.address, key: key,
                    value: SysctlObservation.normalize(reference[Tree.value].stringValue ?? ""),
                    persist: reference[Tree.persist].boolValue ?? false,
                    file: reference[Tree.persistFile].stringValue
                        ?? SysctlSpec.defaultPersistFile(stack: request.stack, os: request.host.os),
                    previousFile: target.privateState?[Private.persistFile].stringValue,
                    managedKey: target.privateState?[Private.key].stringValue ?? key))
        }
        guard !wanted.isEmpty else { return ObserveResponse() }

        let keys = Self.unique(wanted.map(\.key))
        let command = SysctlCommands.read(keys)
        let result = try await request.runner.run(command)
        let host = request.host.name
        guard let values = SysctlObservation.parse(result.stdoutText, os: request.host.os) else {
            throw CommandFailure.unrecognised(
                command, result, host: host,
                expected: request.host.os == .linux ? "`key = value` lines" : "`key: value` lines")
        }
        let stderr = result.stderrText
        if !result.succeeded,
            !keys.contains(where: { values[$0] != nil || SysctlObservation.complaint(about: $0, in: stderr) != nil })
        {
            // Nothing was printed and no key was complained about: the command itself failed.
            throw CommandFailure.exited(command, result, host: host)
        }

        var contents: [String: String] = [:]
        for path in Self.unique(wanted.flatMap(\.files)) {
            contents[path] = try await Self.readFile(path, runner: request.runner, host: request.host)
        }

        var response = ObserveResponse()
        for item in wanted {
            guard let current = values[item.key] else {
                // Only a complaint that the key does not exist makes it absent; anything else is unknown.
                guard let why = SysctlObservation.complaint(about: item.key, in: stderr),
                    SysctlObservation.saysMissing(why)
                else {
                    response.failures[item.address] =
                        result.succeeded
                        ? .unrecognised(command, result, host: host, expected: "a value for \(item.key)")
                        : .exited(command, result, host: host)
                    continue
                }
                response.observations[item.address] = Observation(
                    value: nil, ownership: .unmarked,
                    note: "key \(item.key) does not exist on host \(request.host.name) (\(why))")
                continue
            }
            let marker = SysctlPersistenceFile.marker(stack: request.stack, name: item.address.name)
            let block = SysctlPersistenceFile(contents[item.file]).block(marker: marker)
            let leftover = item.files.dropFirst().contains {
                SysctlPersistenceFile(contents[$0]).hasBlock(marker: marker)
            }
            let persisted = Self.persisted(
                block: block, leftoverElsewhere: leftover, wanted: item.persist, key: item.key, value: item.value)
            var snapshot: [String: Value] = [:]
            for path in item.files { snapshot[path] = contents[path].map(Value.string) }
            response.observations[item.address] = Observation(
                value: [
                    Tree.key: .string(item.managedKey),
                    Tree.value: .string(current),
                    Tree.persist: .bool(persisted),
                    Tree.persistFile: .string(item.file),
                ],
                ownership: .unmarked, planData: .map(snapshot))
        }
        return response
    }

    /// The observed `persist` flag.
    ///
    /// - Parameters:
    ///   - block: this resource's block in the persistence file, if any.
    ///   - leftoverElsewhere: whether a previous persistence file still holds a block of this resource.
    ///   - wanted: whether persisting is desired.
    ///   - key: the desired key.
    ///   - value: the desired value (normalised).
    /// - Returns: when persisting is wanted, whether exactly the desired block is in place; otherwise
    ///   whether any block of the resource is left (so that the plan removes it).
    static func persisted(
        block: SysctlPersistenceFile.Block?,
        leftoverElsewhere: Bool,
        wanted: Bool,
        key: String,
        value: String
    ) -> Bool {
        if wanted { return block?.key == key && block?.value == value && !leftoverElsewhere }
        return block != nil || leftoverElsewhere
    }

    // MARK: - Change

    /// The program of `change`: runtime writes first (`sysctl -w`), then an edit of each persistence file whose
    /// block is not as wanted in the file observed at plan time, and (unless the resource is deleted) a
    /// re-observation.
    ///
    /// An edit re-reads the file under the engine's per-file lock, so the content written includes blocks other
    /// resources added meanwhile; it sets or removes only this resource's block (``SysctlBlockEdit``), and removes
    /// a file ocplan created when nothing else is left in it. A delete is not observed again: the setting still
    /// exists (with its original value), but for the engine the resource is gone.
    ///
    /// - Throws: an ``OCError`` when a create or update has no desired key and value.
    package func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        let steps = try Self.steps(for: change, context: context)
        var program = StepProgram(steps.runtime.map { .run($0) }, privateState: steps.privateState)
        for step in steps.files where step.needed {
            program.steps.append(
                .edit(
                    FileEditStep(
                        step.path, edit: SysctlBlockEdit(marker: step.marker, assignment: step.assignment),
                        planned: step.snapshot)))
        }
        if change.action != .delete { program.steps.append(.reobserve) }
        return program
    }

    /// Journaled before the change runs: the key, the persistence file and the value found before the stack
    /// took the setting over, so a run killed between `sysctl -w` and the journal write still restores the
    /// real original on destroy.
    package func intent(for change: Change, context: ChangeContext) throws -> Value? {
        guard change.action != .delete else { return nil }
        return try Self.steps(for: change, context: context).privateState
    }

    /// What one change does: runtime commands, persistence file edits and the private state to keep.
    struct Steps {
        var runtime: [Command] = []
        var files: [FileStep] = []
        var privateState: Value?
    }

    /// One persistence file edit: set or remove this resource's block in the file at `path`.
    struct FileStep {
        var path: String
        var marker: String
        /// The assignment line to keep in the block, or `nil` to remove the block.
        var assignment: String?
        /// The file as observed when the plan was made: `.some(nil)` for a missing file, `nil` when unknown.
        var snapshot: String??

        /// The edit against the observed file (against a missing file when it was not observed).
        var plannedEdit: SysctlPersistenceFile.Edit {
            SysctlPersistenceFile(snapshot ?? nil).edit(marker: marker, assignment: assignment)
        }
        /// Whether the file needs an edit: yes unless the observed file already has the block as wanted.
        var needed: Bool { snapshot == nil || plannedEdit != .unchanged }
    }

    static func steps(for change: Change, context: ChangeContext) throws -> Steps {
        let marker = SysctlPersistenceFile.marker(stack: context.stack, name: change.address.name)
        let linux = context.host.os == .linux
        let previous = context.privateState
        let previousKey = previous?[Private.key].stringValue
        let previousFile = previous?[Private.persistFile].stringValue
        let original = previous?[Private.original].stringValue
        let observedValue = change.before?[Tree.value].stringValue
        let snapshots = change.planData?.mapValue
        func step(_ path: String, _ assignment: String?) -> FileStep {
            let snapshot: String?? = snapshots.map { $0[path]?.stringValue }
            return FileStep(path: path, marker: marker, assignment: assignment, snapshot: snapshot)
        }

        switch change.action {
        case .noop:
            return Steps(privateState: previous)
        case .delete:
            guard let before = change.before else { return Steps() }
            var steps = Steps()
            if let key = before[Tree.key].stringValue ?? previousKey, let original,
                observedValue != SysctlObservation.normalize(original)
            {
                steps.runtime.append(SysctlCommands.write(key: key, value: original))
            }
            let files = unique([before[Tree.persistFile].stringValue, previousFile].compactMap { $0 })
            steps.files = files.map { step($0, nil) }
            return steps
        case .create, .update, .replace:
            guard let after = change.after, let key = after[Tree.key].stringValue,
                let value = after[Tree.value].stringValue
            else {
                throw OCError(.internalError, "\(change.address) has no desired key and value")
            }
            var steps = Steps()
            let sameKey = previousKey == nil || previousKey == key
            if !sameKey, let previousKey, let original {
                steps.runtime.append(SysctlCommands.write(key: previousKey, value: original))
            }
            if observedValue != value {
                steps.runtime.append(SysctlCommands.write(key: key, value: value))
            }
            let file =
                after[Tree.persistFile].stringValue
                ?? SysctlSpec.defaultPersistFile(stack: context.stack, os: context.host.os)
            let persist = after[Tree.persist].boolValue ?? false
            let assignment = SysctlPersistenceFile.assignment(key: key, value: value, linux: linux)
            steps.files = [step(file, persist ? assignment : nil)]
            if let previousFile, previousFile != file { steps.files.append(step(previousFile, nil)) }

            var state: Value = [Private.key: .string(key), Private.persistFile: .string(file)]
            let kept = sameKey ? (original ?? (change.action == .create ? observedValue : nil)) : observedValue
            if let kept { state[Private.original] = .string(kept) }
            steps.privateState = state
            return steps
        }
    }

    // MARK: - Helpers

    /// Reads a file on the host; `nil` when it does not exist.
    static func readFile(_ path: String, runner: any CommandRunner, host: OCCore.Host) async throws -> String? {
        try await HostFile.contents(of: path, runner: runner, host: host.name)
    }

    /// The elements in first-seen order without repeats.
    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
