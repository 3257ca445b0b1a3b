import Foundation
import Logging

/// Progress of an apply, sent to an ``ApplyObserver`` (the CLI renders it).
package enum ApplyEvent: Sendable {
    /// An action started.
    case started(Change)
    /// An action finished; `error` is set when it failed.
    case finished(Change, elapsed: Duration, error: String?)
    /// An action was not run because a dependency failed.
    case skipped(Change, because: Address)
}

/// Receives apply progress.
package protocol ApplyObserver: Sendable {
    /// Handles one event.
    func handle(_ event: ApplyEvent) async
}

/// What an apply did.
package struct ApplyReport: Sendable {
    /// Actions that succeeded, in completion order.
    package var applied: [Change] = []
    /// Actions that failed, with the error text.
    package var failed: [(change: Change, error: String)] = []
    /// Actions not run because a dependency failed.
    package var skipped: [(change: Change, because: Address)] = []
    /// Actions whose tool reported success but whose read-back does not show the change.
    ///
    /// With the attributes still differing. Each is also in ``failed`` (and not in ``applied``): it is not journaled.
    package var notConverged: [(change: Change, attributes: [AttributeChange])] = []

    /// Whether everything was applied and converged.
    package var succeeded: Bool { failed.isEmpty && skipped.isEmpty }
}

/// Walks a plan's actions in dependency order with bounded parallelism.
///
/// Creates and updates wait for their dependencies; deletes wait for the deletes of what depends on
/// them; the destroy of a replace also waits for the replacement's new dependencies, and the provider's
/// preconditions run before it (and before a create). A restart (``Change/triggeredBy``) runs after the
/// resource's own action, through ``Provider/perform(_:)``, once its triggers (dependencies) are done. A failure
/// skips its dependents only; the rest proceed. The journal is updated after each
/// action, so a run killed half-way leaves an accurate record and the next run converges.
package struct Applier: Sendable {
    /// Where the engine reaches the world.
    package var context: EngineContext
    /// At most this many actions at once.
    package var parallelism: Int
    /// Progress receiver.
    package var observer: (any ApplyObserver)?

    /// Creates an applier.
    package init(context: EngineContext, parallelism: Int = 10, observer: (any ApplyObserver)? = nil) {
        self.context = context
        self.parallelism = max(1, parallelism)
        self.observer = observer
    }

    /// How one step ended: the change as it ran (its outputs resolved) and the provider's response, or the error.
    enum Outcome: Sendable {
        case done(Change, ApplyResponse, Duration)
        case failed(String, Duration)
    }

    /// One step of the walk: a replace is two steps, destroy then create, so that what depends on the
    /// replaced resource can be destroyed before it and created after it (terraform's replace order).
    struct Step: Hashable, Sendable {
        enum Phase: Hashable, Sendable {
            case destroy
            case apply
        }
        var address: Address
        var phase: Phase
    }

    /// Applies the plan's actions.
    package func apply(_ plan: Plan) async -> ApplyReport {
        var report = ApplyReport()
        let actions = plan.actions
        await settleUnchanged(plan)
        await Self.recordRestartIntents(plan, journal: context.journal)
        let program = Program(actions)
        let steps = program.steps
        let original = program.original
        let order = program.order

        var waits = Self.waits(of: order, actions: actions, original: original, steps: steps)
        Self.waitForNewDependencies(&waits, actions: actions, steps: Set(order))

        let context = self.context
        let stack = plan.stack
        let fileLocks = FileEditLocks()
        let references = plan.outputReferences
        let observer = self.observer
        var failedAddresses = Set<Address>()
        var skippedAddresses = Set<Address>()
        let walker = DependencyWalker(order: order, waits: waits, parallelism: parallelism)
        let stranded = await walker.walk(
            run: { step -> Outcome in
                guard let change = steps[step] else { return .failed("no such step", .zero) }
                await observer?.handle(.started(change))
                // Checked before anything is destroyed or created: the destroy of a replace, or a create.
                let whole = original[step.address] ?? change
                let checked: Change? =
                    whole.action == .replace && step.phase == .destroy || whole.action == .create ? whole : nil
                return await Self.run(
                    change, checking: checked, references: references, stack: stack, context: context,
                    fileLocks: fileLocks)
            },
            settle: { step, outcome in
                guard let planned = steps[step] else { return false }
                let whole = original[step.address] ?? planned
                let failure: String
                switch outcome {
                case .done(let change, let response, let elapsed):
                    if let drift = divergence(change, response) {
                        // The tool said it succeeded, but the read-back does not show the change: a failure, not
                        // journaled, so the journal keeps what it knew before (a setting's original value).
                        failure = Self.notConvergedMessage(drift)
                        report.notConverged.append((whole, drift))
                        await markNotConverged(change, response, drift)
                        await observer?.handle(.finished(change, elapsed: elapsed, error: failure))
                    } else {
                        do {
                            try await record(change, response)
                            await observer?.handle(.finished(change, elapsed: elapsed, error: nil))
                            // A replace counts once, when its create step is done.
                            if !(whole.action == .replace && step.phase == .destroy) { report.applied.append(whole) }
                            return true
                        } catch {
                            failure = "applied, but the state journal could not be written: \(error)"
                            await observer?.handle(.finished(change, elapsed: elapsed, error: "\(error)"))
                        }
                    }
                case .failed(let message, let elapsed):
                    failure = message
                    await observer?.handle(.finished(planned, elapsed: elapsed, error: message))
                }
                failedAddresses.insert(step.address)
                report.failed.append((whole, failure))
                return false
            },
            skip: { step, blocker in
                // The create step of a replace whose destroy failed is part of the failure already reported.
                guard let whole = original[step.address], !failedAddresses.contains(step.address),
                    skippedAddresses.insert(step.address).inserted
                else { return }
                report.skipped.append((whole, blocker.address))
                await observer?.handle(.skipped(whole, because: blocker.address))
            })
        for step in stranded {
            guard let whole = original[step.address], failedAddresses.insert(step.address).inserted else { continue }
            report.failed.append(
                (whole, "not run: its ordering waits in a cycle (a defect in ocplan; please report it)"))
        }
        return report
    }

    /// Brings the journal up to date with the plan's unchanged resources before anything runs: forgets those
    /// already gone, re-keys those whose address changed (`ADDRESS` became `ADDRESS[KEY]`), and confirms those
    /// already as wanted but unknown to the journal, or known only as an unconfirmed intent (a run killed after the
    /// object was made), so that the journal holds everything the stack manages.
    private func settleUnchanged(_ plan: Plan) async {
        let journal = context.journal
        for change in plan.changes where change.action == .noop && change.after == nil {
            try? await journal.remove(change.move?.address ?? change.address)
        }
        for change in plan.changes where change.action == .noop && change.after != nil {
            guard let former = change.move?.formerAddress(of: change.address), var entry = await journal.entry(former)
            else { continue }
            entry.dependencies = change.dependencies
            try? await journal.record(change.address, entry)
            try? await journal.remove(former)
        }
        for change in plan.changes where change.action == .noop && change.after != nil {
            // Converged after all (fixed by hand, or the normalisation now agrees): the mark goes.
            guard var entry = await journal.entry(change.address), entry.notConverged != nil, entry.pending != true
            else { continue }
            entry.notConverged = nil
            try? await journal.record(change.address, entry)
        }
        for change in plan.changes where change.action == .noop {
            guard let after = change.after, let before = change.before else { continue }
            let entry = await journal.entry(change.address)
            guard entry == nil || entry?.pending == true else { continue }
            try? await journal.record(
                change.address,
                Self.journalEntry(change, applied: after, observed: before, privateState: change.privateState))
        }
    }

    /// The steps of a plan's actions, each with the change it performs: a delete is a destroy step, a replace a
    /// destroy step then an apply step, anything else an apply step.
    struct Program: Sendable {
        /// The steps in plan order (ties in the walk are broken by it).
        var order: [Step] = []
        /// The change each step performs.
        var steps: [Step: Change] = [:]
        /// The plan's change for each address (a replace, where its steps are a delete and a create).
        var original: [Address: Change] = [:]

        init(_ actions: [Change]) {
            for change in actions {
                original[change.address] = change
                switch change.action {
                case .delete:
                    add(Step(address: change.address, phase: .destroy), change)
                case .replace:
                    var destroy = change
                    destroy.action = .delete
                    destroy.after = nil
                    if let move = change.move, change.movesHost {
                        // A replace across hosts destroys where the resource was, with what the journal kept there.
                        destroy.host = move.host
                        destroy.provider = move.provider
                        destroy.before = move.before
                        destroy.privateState = move.privateState
                    }
                    var create = change
                    create.action = .create
                    // What is on the new host of a move is what the create finds there (a setting's own original).
                    if !change.movesHost { create.before = nil }
                    add(Step(address: change.address, phase: .destroy), destroy)
                    add(Step(address: change.address, phase: .apply), create)
                default:
                    add(Step(address: change.address, phase: .apply), change)
                }
            }
        }

        private mutating func add(_ step: Step, _ change: Change) {
            steps[step] = change
            order.append(step)
        }
    }

    /// What each step waits for.
    ///
    /// An apply waits for its dependencies' applies (and, in a replace, its own destroy); a destroy waits for the destroys of what depends on it, and for every change that detaches from it (an
    /// in-place update that disconnects, a replace's destroy of the old object). Linear in changes plus edges.
    static func waits(
        of order: [Step], actions: [Change], original: [Address: Change], steps: [Step: Change]
    ) -> [Step: Set<Step>] {
        var dependents: [Address: [Address]] = [:]
        var detachers: [Address: [Change]] = [:]
        for change in actions {
            for dependency in change.dependencies { dependents[dependency, default: []].append(change.address) }
            for former in change.formerDependencies where !change.dependencies.contains(former) {
                detachers[former, default: []].append(change)
            }
        }
        var waits: [Step: Set<Step>] = [:]
        for step in order {
            guard let change = original[step.address] else { continue }
            var needs = Set<Step>()
            switch step.phase {
            case .apply:
                for dependency in change.dependencies where steps[Step(address: dependency, phase: .apply)] != nil {
                    needs.insert(Step(address: dependency, phase: .apply))
                }
                if change.action == .replace { needs.insert(Step(address: step.address, phase: .destroy)) }
            case .destroy:
                for dependent in dependents[step.address] ?? []
                where steps[Step(address: dependent, phase: .destroy)] != nil {
                    needs.insert(Step(address: dependent, phase: .destroy))
                }
                for other in detachers[step.address] ?? [] where other.address != step.address {
                    let detach = Step(address: other.address, phase: other.action == .update ? .apply : .destroy)
                    if steps[detach] != nil { needs.insert(detach) }
                }
            }
            waits[step] = needs
        }
        return waits
    }

    /// Runs one step: resolves the output references it waited for, then performs it (see ``perform(_:checking:provider:stack:context:fileLocks:)``).
    static func run(
        _ change: Change, checking checked: Change?, references: [String: OutputReference], stack: String,
        context: EngineContext, fileLocks: FileEditLocks
    ) async -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        guard let provider = context.registry.provider(named: change.provider) else {
            return .failed("no provider named '\(change.provider)'", clock.now - start)
        }
        var change = change
        do {
            try Task.checkCancellation()
            let waited = change.after?.tokens(among: references).isEmpty == false
            change = try await resolveOutputs(
                of: change, references: references, provider: provider, journal: context.journal)
            if waited, change.action == .update, change.attributes.isEmpty, change.restarts {
                // Nothing to update after all, but its restart is still due.
                change.action = .noop
            } else if waited, change.action == .update, change.attributes.isEmpty {
                // The values it waited for turned out to be what it already has.
                let outputs = await context.journal.entry(change.address)?.outputs
                return .done(
                    change,
                    ApplyResponse(observed: change.before, privateState: change.privateState, outputs: outputs),
                    clock.now - start)
            }
            let response = try await perform(
                change, checking: checked, provider: provider, stack: stack, context: context, fileLocks: fileLocks)
            return .done(change, response, clock.now - start)
        } catch {
            return .failed(DisplayText.redact("\(error)", secrets: change.secretValues), clock.now - start)
        }
    }

    /// `change` with the output references left unresolved at plan time replaced by the values their producers
    /// published when they were applied just before (in dependency order), and its attributes diffed again.
    ///
    /// - Throws: an ``OCError`` naming the reference when its producer published no such value.
    static func resolveOutputs(
        of change: Change, references: [String: OutputReference], provider: any Provider, journal: StateJournal
    ) async throws -> Change {
        guard let after = change.after else { return change }
        let tokens = after.tokens(among: references)
        guard !tokens.isEmpty else { return change }
        var values: [String: String] = [:]
        var resolved = change
        for token in tokens.sorted() {
            guard let reference = references[token] else { continue }
            let outputs = await journal.entry(reference.producer)?.outputs
            guard let value = reference.value(in: outputs) else {
                throw OCError(
                    .notFound,
                    "${\(reference.expression)} has no value: \(reference.producer) was applied but did not publish "
                        + "'\(reference.path.joined(separator: "."))' (a container not attached to that network, or "
                        + "not running)")
            }
            values[token] = value
            if reference.sensitive {
                for path in after.paths(containing: [token]) { resolved.sensitivePaths.insert(path) }
            }
        }
        resolved.after = after.replacingTokens(values)
        resolved.attributes = Differ.diff(
            change.before, resolved.after, schema: provider.schema(for: change.address.section),
            sensitive: resolved.sensitivePaths)
        return resolved
    }

    /// Runs one step: the preconditions of `checked` (the whole change, before the destroy of a replace or a
    /// create), the provider's intent, then the change itself.
    private static func perform(
        _ change: Change, checking checked: Change?, provider: any Provider, stack: String, context: EngineContext,
        fileLocks: FileEditLocks
    ) async throws -> ApplyResponse {
        let runner = SensitiveRunner(base: context.runner(change.host), secrets: change.secretValues)
        let changeContext = ChangeContext(stack: stack, host: change.host, privateState: change.privateState)
        if let checked {
            for precondition in try provider.preconditions(for: checked, context: changeContext) {
                try await precondition.check(on: runner, host: change.host.name)
            }
        }
        if change.action != .noop, let intent = try provider.intent(for: change, context: changeContext) {
            try await recordIntent(change, intent, context: context)
        }
        var request = ApplyRequest(
            stack: stack, host: change.host, runner: runner, change: change, logger: context.logger,
            fileLocks: fileLocks)
        request.journalIntent = { try await recordIntent(change, $0, context: context) }
        return try await provider.perform(request)
    }

    /// Makes the destroy step of each replace wait for the apply steps of the replacement's new dependencies (the
    /// dependencies created or updated in this plan: an image being built, a new network), so that a dependency
    /// that fails skips the whole replace and the old object stays in place.
    ///
    /// A wait that would close a cycle is left out: a dependency that is itself replaced destroys after its
    /// dependents, so its new object cannot come first (the provider's preconditions still run before the
    /// destroy).
    static func waitForNewDependencies(_ waits: inout [Step: Set<Step>], actions: [Change], steps: Set<Step>) {
        let actionOf = Dictionary(actions.map { ($0.address, $0.action) }, uniquingKeysWith: { a, _ in a })
        for change in actions where change.action == .replace {
            let destroy = Step(address: change.address, phase: .destroy)
            for dependency in change.dependencies
            where actionOf[dependency] == .create || actionOf[dependency] == .update {
                let apply = Step(address: dependency, phase: .apply)
                guard steps.contains(apply), !reaches(apply, destroy, waits: waits) else { continue }
                waits[destroy, default: []].insert(apply)
            }
        }
    }

    /// Whether `from` waits, directly or not, for `to`.
    private static func reaches(_ from: Step, _ to: Step, waits: [Step: Set<Step>]) -> Bool {
        var seen: Set<Step> = [from]
        var stack = [from]
        while let step = stack.popLast() {
            if step == to { return true }
            for next in waits[step] ?? [] where seen.insert(next).inserted { stack.append(next) }
        }
        return false
    }

    /// Writes the provider's intent for `change` to the journal before it runs (see
    /// ``Provider/intent(for:context:)``): a kill between the action and the journal write then leaves a
    /// record that the next plan reads as the stack's, with the original value to restore.
    private static func recordIntent(_ change: Change, _ intent: Value, context: EngineContext) async throws {
        guard change.action != .delete, change.action != .noop, let after = change.after else { return }
        let existing = await context.journal.entry(change.address)
        try await context.journal.record(
            change.address,
            journalEntry(change, applied: after, observed: existing?.observed, privateState: intent, pending: true))
    }

    /// The journal entry for `change` once `applied` is in place (or, `pending`, about to be).
    private static func journalEntry(
        _ change: Change, applied: Value, observed: Value?, privateState: Value?, pending: Bool? = nil,
        outputs: Value? = nil
    ) -> JournalEntry {
        JournalEntry(
            provider: change.provider, host: change.host, applied: applied, observed: observed,
            privateState: privateState, dependencies: change.dependencies,
            sensitivePaths: change.sensitivePaths.isEmpty ? nil : change.sensitivePaths, pending: pending,
            outputs: outputs)
    }

    private func record(_ change: Change, _ response: ApplyResponse) async throws {
        if change.action == .delete {
            // A moved resource is journaled under its former address until its new placement is recorded.
            try await context.journal.remove(change.move?.address ?? change.address)
            return
        }
        guard let applied = change.after else { return }
        try await context.journal.record(
            change.address,
            Self.journalEntry(
                change, applied: applied, observed: response.observed, privateState: response.privateState,
                outputs: response.outputs))
        if let former = change.move?.formerAddress(of: change.address) { try await context.journal.remove(former) }
    }

    /// Marks in the journal that `change` did not converge.
    ///
    /// The next plan then says so instead of calling the difference drift. The entry keeps what it knew (the applied tree is not updated); a resource the journal did
    /// not know is recorded as an unconfirmed intent (`pending`) of the change, since the object now exists.
    private func markNotConverged(_ change: Change, _ response: ApplyResponse, _ drift: [AttributeChange]) async {
        guard change.action != .delete, let after = change.after else { return }
        let paths = Self.driftPaths(drift)
        let journal = context.journal
        var entry =
            await journal.entry(change.address)
            ?? Self.journalEntry(
                change, applied: after, observed: response.observed, privateState: response.privateState, pending: true)
        entry.notConverged = paths
        try? await journal.record(change.address, entry)
    }

    /// The error of an action whose read-back does not show its effect.
    static func notConvergedMessage(_ drift: [AttributeChange]) -> String {
        "the tool reported success, but reading it back shows \(driftPaths(drift).joined(separator: ", ")) still "
            + "differing from the plan, so the action failed (not recorded in the state journal). The tool may have "
            + "done nothing, or normalise the value differently; check the host and the manifest."
    }

    /// The paths of what still differs after an action, `(whole resource)` for the root.
    static func driftPaths(_ drift: [AttributeChange]) -> [String] {
        drift.map { $0.path.description.isEmpty ? "(whole resource)" : $0.path.description }
    }

    /// The attributes still differing after an action, or `nil` when it converged.
    private func divergence(_ change: Change, _ response: ApplyResponse) -> [AttributeChange]? {
        guard let provider = context.registry.provider(named: change.provider) else { return nil }
        let schema = provider.schema(for: change.address.section)
        if change.action == .delete {
            // Reviewed as left in place (a forget: the stack did not create it, or its spec keeps it): it stays.
            if change.forgets { return nil }
            return response.observed == nil
                ? nil : [AttributeChange(path: .root, before: response.observed, after: nil)]
        }
        guard let observed = response.observed else {
            return [AttributeChange(path: .root, before: nil, after: change.after)]
        }
        let remaining = Differ.diff(observed, change.after, schema: schema)
        return remaining.isEmpty ? nil : remaining
    }
}
