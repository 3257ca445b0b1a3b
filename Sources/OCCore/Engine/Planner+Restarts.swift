import Foundation

extension Planner {
    /// Whether a trigger's planned change really changes it, so that what restarts on it must restart: a
    /// create, an update or a replace; never a no-op or a delete.
    static func changesTrigger(_ change: Change) -> Bool {
        [.create, .update, .replace].contains(change.action) && change.after != nil
    }

    /// Marks a restart (``Change/triggeredBy``) on each resource whose `restartOn` triggers change in this plan.
    ///
    /// A consumer restarts when it exists and stays (a no-op, or an in-place update), at least one of its
    /// triggers changes (``changesTrigger(_:)``), and its provider's ``Provider/restartCommands(for:context:)``
    /// has something to run (not when it is stopped, or when its update starts it anyway). A consumer that is
    /// created or replaced starts fresh and needs no restart. The triggers are dependencies of the consumer,
    /// so the apply restarts it only after their changes finished, and skips it when one fails. A restart an
    /// earlier apply owed and did not finish (``JournalEntry/restartPending``: it failed, was skipped or killed)
    /// is planned again, with a note, as long as the trigger is still in `restartOn`.
    ///
    /// - Parameters:
    ///   - changes: the classified changes (after ``cascadeReplacements(_:graph:registry:)``).
    ///   - manifest: the manifest, whose declarations carry `restartOn`.
    ///   - registry: the providers.
    ///   - owed: the restarts earlier applies did not finish, by consumer (from the journal).
    ///   - diagnostics: an error when a provider cannot restart a resource its spec calls restartable.
    static func planRestarts(
        _ changes: inout [Change], manifest: Manifest, registry: ProviderRegistry, owed: [Address: [Address]],
        diagnostics: inout Diagnostics
    ) {
        var index: [Address: Int] = [:]
        for (i, change) in changes.enumerated() { index[change.address] = i }
        for declaration in manifest.resources where !declaration.restartOn.isEmpty {
            guard let i = index[declaration.address] else { continue }
            var candidate = changes[i]
            guard candidate.before != nil, candidate.after != nil,
                candidate.action == .noop || candidate.action == .update
            else { continue }
            let unfinished = Set(owed[declaration.address] ?? [])
            let triggers = declaration.restartOn.filter {
                unfinished.contains($0) || index[$0].map { changesTrigger(changes[$0]) } ?? false
            }
            guard !triggers.isEmpty, let provider = registry.provider(named: candidate.provider) else { continue }
            candidate.triggeredBy = triggers
            if triggers.contains(where: unfinished.contains) {
                candidate.notes.append("an earlier apply did not finish restarting it")
            }
            let context = ChangeContext(
                stack: manifest.stack, host: candidate.host, privateState: candidate.privateState)
            let commands: [Command]?
            do {
                commands = try provider.restartCommands(for: candidate, context: context)
            } catch {
                diagnostics.append(
                    Diagnostic(
                        .error, "Cannot plan the restart of \(declaration.address)", detail: "\(error)",
                        at: declaration.location, address: declaration.address))
                continue
            }
            guard let commands else {
                diagnostics.append(
                    Diagnostic(
                        .error, "Provider \(provider.name) cannot restart \(declaration.address)",
                        detail: "Its section takes restartOn, but this provider has no restart. Remove restartOn.",
                        at: declaration.location, address: declaration.address))
                continue
            }
            if !commands.isEmpty { changes[i] = candidate }
        }
    }
}
