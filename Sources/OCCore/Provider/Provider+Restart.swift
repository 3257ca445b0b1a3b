import Foundation

// MARK: - Handlers: restarting a resource when something it reads changes (`restartOn`)
//
// The engine decides *when* (``Planner`` marks ``Change/triggeredBy`` on a consumer whose `restartOn`
// triggers change in the plan; ``Applier`` runs the restart once the triggers' changes have finished); the
// provider says *what* a restart is, keeping the resource's identity:
//
// | provider | restart |
// | --- | --- |
// | Podman | `podman restart --time 10 -- NAME` |
// | Apple `container` | `container stop NAME`, then `container start NAME` |
// | services (no provider yet) | systemd: `systemctl restart UNIT`; launchd: `launchctl kickstart -k DOMAIN/LABEL` |
//
// A new family plugs in with two steps: its spec type says `static let restartable = true` (so the loader
// accepts `restartOn` on it), and its provider implements ``Provider/restartCommands(for:context:)`` (and
// ``Provider/restart(_:)`` only when running those commands in order is not enough).

extension Provider {
    package func restartCommands(for change: Change, context: ChangeContext) throws -> [Command]? { nil }

    /// Runs ``restartCommands(for:context:)`` in order, then observes the resource again.
    ///
    /// - Throws: ``OCError`` `.unsupported` when the provider cannot restart the resource; ``CommandFailure``
    ///   when a command fails.
    package func restart(_ request: ApplyRequest) async throws -> ApplyResponse {
        let context = ChangeContext(stack: request.stack, host: request.host, privateState: request.change.privateState)
        guard let commands = try restartCommands(for: request.change, context: context) else {
            throw OCError(.unsupported, "provider \(name) cannot restart \(request.change.address)")
        }
        try await request.runner.checkAll(commands, host: request.host.name)
        return try await request.reobserve(self)
    }

    /// Performs `request.change`: its action through ``apply(_:)``, then, when it restarts (``Change/triggeredBy``),
    /// the restart through ``restart(_:)``, whose read-back is the response.
    ///
    /// - Throws: what either method throws.
    package func perform(_ request: ApplyRequest) async throws -> ApplyResponse {
        let change = request.change
        let restarts = change.restarts && (change.action == .noop || change.action == .update)
        guard restarts else { return try await apply(request) }
        var restart = request
        if change.action != .noop {
            restart.change.privateState = try await apply(request).privateState
        }
        return try await self.restart(restart)
    }
}

extension Applier {
    /// Writes, before anything runs, the restarts the plan owes (``JournalEntry/restartPending``) into each
    /// consumer's journal entry: a trigger's change is journaled as soon as it is done, so without this a
    /// failed or killed restart would be forgotten (the next plan sees the trigger unchanged).
    static func recordRestartIntents(_ plan: Plan, journal: StateJournal) async {
        for change in plan.changes where change.restarts {
            guard var entry = await journal.entry(change.address) else { continue }
            entry.restartPending = change.triggeredBy
            try? await journal.record(change.address, entry)
        }
    }
}
