import Foundation
import Logging

/// Progress of an apply, sent to an ``ApplyObserver`` (the CLI renders it).
public enum ApplyEvent: Sendable {
    /// An action started.
    case started(Change)
    /// An action finished; `error` is set when it failed.
    case finished(Change, elapsed: Duration, error: String?)
    /// An action was not run because a dependency failed.
    case skipped(Change, because: Address)
}

/// Receives apply progress.
public protocol ApplyObserver: Sendable {
    /// Handles one event.
    func handle(_ event: ApplyEvent) async
}

/// What an apply did.
public struct ApplyReport: Sendable {
    /// Actions that succeeded, in completion order.
    public var applied: [Change] = []
    /// Actions that failed, with the error text.
    public var failed: [(change: Change, error: String)] = []
    /// Actions not run because a dependency failed.
    public var skipped: [(change: Change, because: Address)] = []
    /// Resources that were applied but observed afterwards not to match the plan.
    public var notConverged: [(change: Change, attributes: [AttributeChange])] = []

    /// Whether everything was applied and converged.
    public var succeeded: Bool { failed.isEmpty && skipped.isEmpty && notConverged.isEmpty }
}

/// Walks a plan's actions in dependency order with bounded parallelism.
///
/// Creates and updates wait for their dependencies; deletes wait for the deletes of what depends on
/// them. A failure skips its dependents only; the rest proceed. The journal is updated after each
/// action, so a run killed half-way leaves an accurate record and the next run converges.
public struct Applier: Sendable {
    /// Where the engine reaches the world.
    public var context: EngineContext
    /// At most this many actions at once.
    public var parallelism: Int
    /// Progress receiver.
    public var observer: (any ApplyObserver)?

    /// Creates an applier.
    public init(context: EngineContext, parallelism: Int = 10, observer: (any ApplyObserver)? = nil) {
        self.context = context
        self.parallelism = max(1, parallelism)
        self.observer = observer
    }

    private enum Outcome: Sendable {
        case done(Change, ApplyResponse, Duration)
        case failed(Change, String, Duration)
    }

    /// Applies the plan's actions.
    public func apply(_ plan: Plan) async -> ApplyReport {
        var report = ApplyReport()
        let actions = plan.actions
        let byAddress = Dictionary(actions.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })

        // Forget resources that are already gone.
        for change in plan.changes where change.action == .noop && change.after == nil {
            try? await context.journal.remove(change.address)
        }

        // What each action waits for.
        var waits: [Address: Set<Address>] = [:]
        for change in actions {
            if change.action == .delete {
                waits[change.address] = Set(
                    actions.filter { $0.action == .delete && $0.dependencies.contains(change.address) }.map(\.address))
            } else {
                waits[change.address] = Set(
                    change.dependencies.filter { byAddress[$0] != nil && byAddress[$0]?.action != .delete })
            }
        }

        var pending = actions.map(\.address)
        var finished = Set<Address>()
        var broken: [Address: Address] = [:]  // address → the failed action that blocks it
        let context = self.context
        let stack = plan.stack

        await withTaskGroup(of: Outcome.self) { group in
            var running = 0
            func schedule() async {
                var progress = true
                while progress {
                    progress = false
                    for address in pending {
                        guard let change = byAddress[address], let needs = waits[address] else { continue }
                        if let blocker = needs.first(where: { broken[$0] != nil }) {
                            let root = broken[blocker] ?? blocker
                            broken[address] = root
                            pending.removeAll { $0 == address }
                            report.skipped.append((change, root))
                            await observer?.handle(.skipped(change, because: root))
                            progress = true
                            continue
                        }
                        guard running < parallelism, needs.isSubset(of: finished) else { continue }
                        pending.removeAll { $0 == address }
                        running += 1
                        progress = true
                        await observer?.handle(.started(change))
                        group.addTask {
                            let clock = ContinuousClock()
                            let start = clock.now
                            guard let provider = context.registry.provider(named: change.provider) else {
                                return .failed(change, "no provider named '\(change.provider)'", clock.now - start)
                            }
                            do {
                                try Task.checkCancellation()
                                let response = try await provider.apply(
                                    ApplyRequest(
                                        stack: stack, host: change.host, runner: context.runner(change.host),
                                        change: change, logger: context.logger))
                                return .done(change, response, clock.now - start)
                            } catch {
                                return .failed(change, "\(error)", clock.now - start)
                            }
                        }
                    }
                }
            }
            await schedule()
            while let outcome = await group.next() {
                running -= 1
                switch outcome {
                case .done(let change, let response, let elapsed):
                    do {
                        try await record(change, response)
                        finished.insert(change.address)
                        report.applied.append(change)
                        await observer?.handle(.finished(change, elapsed: elapsed, error: nil))
                        if let drift = divergence(change, response) {
                            report.notConverged.append((change, drift))
                        }
                    } catch {
                        broken[change.address] = change.address
                        report.failed.append((change, "applied, but the state journal could not be written: \(error)"))
                        await observer?.handle(.finished(change, elapsed: elapsed, error: "\(error)"))
                    }
                case .failed(let change, let message, let elapsed):
                    broken[change.address] = change.address
                    report.failed.append((change, message))
                    await observer?.handle(.finished(change, elapsed: elapsed, error: message))
                }
                await schedule()
            }
        }
        return report
    }

    private func record(_ change: Change, _ response: ApplyResponse) async throws {
        if change.action == .delete {
            try await context.journal.remove(change.address)
            return
        }
        guard let applied = change.after else { return }
        try await context.journal.record(
            change.address,
            JournalEntry(
                provider: change.provider, host: change.host, applied: applied, observed: response.observed,
                privateState: response.privateState, dependencies: change.dependencies))
    }

    /// The attributes still differing after an action, or `nil` when it converged.
    private func divergence(_ change: Change, _ response: ApplyResponse) -> [AttributeChange]? {
        guard let provider = context.registry.provider(named: change.provider) else { return nil }
        let schema = provider.schema(for: change.address.section)
        if change.action == .delete {
            let context = ChangeContext(stack: "", host: change.host, privateState: change.privateState)
            if (try? provider.commands(for: change, context: context))?.isEmpty == true { return nil }
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
