import Foundation
import Logging

/// Options that shape a plan.
package struct PlanOptions: Sendable {
    /// Limit the plan to these resources and what they depend on (empty: everything).
    package var targets: [Address]
    /// Plan the deletion of everything the stack manages.
    package var destroy: Bool
    /// Resources whose unmanaged look-alikes may be taken over.
    package var adopt: Set<Address>

    /// Creates options.
    package init(targets: [Address] = [], destroy: Bool = false, adopt: Set<Address> = []) {
        self.targets = targets
        self.destroy = destroy
        self.adopt = adopt
    }
}

/// Everything the engine needs to reach the world: providers, runners per host, the journal, a logger.
package struct EngineContext: Sendable {
    /// The providers.
    package var registry: ProviderRegistry
    /// The runner for a host (transport already bound).
    package var runner: @Sendable (Host) -> any CommandRunner
    /// The stack's state journal.
    package var journal: StateJournal
    /// A logger.
    package var logger: Logger

    /// Creates a context.
    package init(
        registry: ProviderRegistry,
        runner: @escaping @Sendable (Host) -> any CommandRunner,
        journal: StateJournal,
        logger: Logger
    ) {
        self.registry = registry
        self.runner = runner
        self.journal = journal
        self.logger = logger
    }
}

/// Observes, diffs and classifies: turns a manifest into a ``Plan``.
package struct Planner: Sendable {
    /// Where the engine reaches the world.
    package var context: EngineContext
    /// The environment templates read (`${env:NAME}`).
    package var environment: [String: String]

    /// Creates a planner.
    package init(context: EngineContext, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.context = context
        self.environment = environment
    }

    /// One resource as the planner sees it before classification.
    private struct Item {
        var address: Address
        var provider: any Provider
        var host: Host
        var desired: Value?
        var dependencies: [Address]
        var entry: JournalEntry?
        /// Where the desired tree holds secrets.
        var sensitive = SensitivePaths()
        /// The journal entry of the resource's last placement, when it was applied on another host (or under
        /// another address of the same declaration): the move is planned as a replace across hosts.
        var moved: Moved?

        struct Moved {
            var entry: JournalEntry
            var address: Address
        }
    }

    /// Plans `manifest`.
    ///
    /// - Returns: the plan (or `nil` when errors prevent one) and every diagnostic found.
    package func plan(_ manifest: Manifest, options: PlanOptions = PlanOptions()) async -> (Plan?, Diagnostics) {
        var diagnostics = Diagnostics()
        let journalEntries = await context.journal.entries

        // Desired state.
        var items: [Address: Item] = [:]
        var order: [Address] = []
        // The environment of every sensitivity probe, made once when a resource reads a secret.
        let probeEnvironment =
            manifest.resources.contains(where: \.usesSecrets) ? ManifestLoader.probeEnvironment(environment) : [:]
        // By instance address, and by declaration (its first instance) for a field that names a resource.
        var specs: [Address: any ResourceSpec] = [:]
        for declaration in manifest.resources {
            for address in [declaration.address, declaration.address.resource] where specs[address] == nil {
                specs[address] = declaration.spec
            }
        }
        let declared = Set(manifest.resources.map(\.address))
        var claimed = Set<Address>()
        for declaration in manifest.resources {
            guard let provider = context.registry.provider(for: declaration) else {
                diagnostics.append(
                    Diagnostic(
                        .error, "Section '\(declaration.address.section)' has no provider yet",
                        detail: "This version of ocplan validates '\(declaration.address.section)' but cannot plan or "
                            + "apply it. Remove the section (or keep it in a file you do not pass) to plan the rest; "
                            + "`ocplan validate` checks it.",
                        at: declaration.location, keyPath: declaration.address.description,
                        address: declaration.address))
                continue
            }
            guard let host = manifest.hosts[declaration.host] else { continue }
            do {
                let marks = SensitivityMarks()
                let desired = try provider.desiredState(
                    of: declaration,
                    context: DesiredStateContext(
                        stack: manifest.stack, host: host, variables: manifest.variables,
                        environment: environment, sensitive: marks, specs: specs))
                var sensitive = marks.all
                if declaration.usesSecrets {
                    sensitive.formUnion(
                        sensitivity(
                            of: declaration, desired: desired, provider: provider, host: host, manifest: manifest,
                            specs: specs, probeEnvironment: probeEnvironment))
                }
                var item = Item(
                    address: declaration.address, provider: provider, host: host, desired: desired,
                    dependencies: declaration.dependencies.sorted(), entry: journalEntries[declaration.address],
                    sensitive: sensitive)
                if let moved = Self.previousPlacement(
                    of: declaration.address, host: host, provider: provider.name, entries: journalEntries,
                    declared: declared, claimed: claimed)
                {
                    claimed.insert(moved.address)
                    if moved.entry.host.name == host.name && moved.entry.provider == provider.name {
                        item.entry = moved.entry  // the same object under its new address
                        item.moved = Item.Moved(entry: moved.entry, address: moved.address)
                    } else {
                        item.entry = nil  // the new host knows nothing of it
                        item.moved = Item.Moved(entry: moved.entry, address: moved.address)
                    }
                }
                items[declaration.address] = item
                order.append(declaration.address)
            } catch {
                // A local file named by a key of the resource (`source`, `envFiles[0]`) is located at that key.
                let key = (error as? LocalFile.Failure)?.keyPath
                diagnostics.append(
                    Diagnostic(
                        .error, "Cannot compute the desired state of \(declaration.address)", detail: "\(error)",
                        at: key.map { declaration.node.location(of: $0) } ?? declaration.location,
                        keyPath: key.map { "\(declaration.address).\($0)" }, address: declaration.address))
            }
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }

        // Resources known only from the journal: removed from the manifest since the last apply.
        for (address, entry) in journalEntries.sorted(by: { $0.key < $1.key })
        where items[address] == nil && !claimed.contains(address) {
            guard let provider = context.registry.provider(named: entry.provider) else {
                diagnostics.append(
                    .warning(
                        "\(address) was applied by provider '\(entry.provider)', which this ocplan does not have",
                        detail: "It is left alone."))
                continue
            }
            items[address] = Item(
                address: address, provider: provider, host: entry.host, desired: nil,
                dependencies: entry.dependencies, entry: entry, sensitive: entry.sensitivePaths ?? SensitivePaths())
            order.append(address)
        }

        // Scope: --target and its dependencies.
        var scope: Set<Address>?
        if !options.targets.isEmpty {
            // A target naming a declaration selects all of its instances.
            var targets: [Address] = []
            for target in options.targets {
                let selected =
                    items[target] != nil
                    ? [target] : target.key == nil ? items.keys.filter { $0.resource == target }.sorted() : []
                if selected.isEmpty {
                    diagnostics.append(
                        .error(
                            "Target '\(target)' is not a resource of this stack"
                                + NearMiss.hint(for: target.description, among: items.keys.map(\.description))))
                }
                targets += selected
            }
            scope =
                options.destroy
                ? Set(targets).union(manifest.graph.dependentsClosure(of: targets))
                : manifest.graph.closure(of: targets).union(targets)
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }

        // Observe, batched per provider × host, in parallel.
        let inScope = order.filter { scope?.contains($0) ?? true }
        // Marks: what the provider and the probe found in the desired tree, what the journal kept from the last
        // apply (a rotated or removed secret), and the provider's schema on the desired and last applied trees.
        // The secrets an observation error must not quote: the manifest's, and every marked value.
        var known = manifest.secrets
        for (address, item) in items {
            let schema = item.provider.schema(for: address.section)
            var marks = item.sensitive.union(item.entry?.sensitivePaths ?? SensitivePaths())
            for tree in [item.desired, item.entry?.applied] {
                marks.formUnion(SensitivePaths.paths(in: tree, where: schema.isSensitive))
            }
            items[address]?.sensitive = marks
            known.formUnion(marks.secrets(in: item.desired).union(marks.secrets(in: item.entry?.applied)))
        }
        // A moved resource is observed where it was too (with what the journal knew there), to destroy it there.
        var toObserve = inScope.compactMap { items[$0] }
        for item in toObserve {
            guard let moved = item.moved,
                moved.entry.host.name != item.host.name || moved.entry.provider != item.provider.name,
                let previous = context.registry.provider(named: moved.entry.provider)
            else { continue }
            toObserve.append(
                Item(
                    address: item.address, provider: previous, host: moved.entry.host, desired: nil,
                    dependencies: moved.entry.dependencies, entry: moved.entry, sensitive: item.sensitive))
        }
        let observed = await observe(toObserve, manifest: manifest, secrets: known, diagnostics: &diagnostics)
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }

        // Classify, producers before the resources that read their outputs.
        var changes: [Change] = []
        var classified: [Address: Change] = [:]
        let position = Dictionary(inScope.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let ranked = manifest.graph.topologicalOrder().filter { position[$0] != nil }
        let rankedSet = Set(ranked)
        let walk = ranked + inScope.filter { !rankedSet.contains($0) }
        for address in walk {
            guard var item = items[address] else { continue }
            if !manifest.outputReferences.isEmpty, let desired = item.desired {
                let (resolved, marks) = Self.resolveOutputs(
                    in: desired, references: manifest.outputReferences, classified: classified,
                    outputs: { producer in
                        guard let other = items[producer] else { return nil }
                        return observed.observations[Placed(producer, other.host, provider: other.provider.name)]?
                            .outputs ?? other.entry?.outputs
                    })
                item.desired = resolved
                item.sensitive.formUnion(marks)
            }
            let observation = observed.observations[Placed(address, item.host, provider: item.provider.name)] ?? .absent
            let schema = item.provider.schema(for: address.section)
            var change = classify(
                item, observation: observation, schema: schema, options: options, manifest: manifest,
                unreachable: observed.unreachable[ObserveKey(item)],
                diagnostics: &diagnostics)
            if let moved = item.moved {
                Self.plan(
                    move: moved, of: &change,
                    found: observed.observations[Placed(address, moved.entry.host, provider: moved.entry.provider)],
                    schema: schema, destroying: options.destroy)
            }
            changes.append(change)
            classified[address] = change
        }
        changes.sort { (position[$0.address] ?? 0) < (position[$1.address] ?? 0) }
        // Objects carrying our mark that neither the manifest nor the journal knows.
        for (address, found) in observed.discovered.sorted(by: { $0.key < $1.key })
        where items[address] == nil && scope == nil {
            changes.append(
                Change(
                    address: address, provider: found.provider.name, host: found.host, action: .delete,
                    cause: .manifest, before: found.observation.value, after: nil,
                    attributes: [], planData: found.observation.planData,
                    fingerprint: Self.fingerprint(found.observation),
                    notes: ["found with this stack's ownership mark but not in the manifest or the state journal"],
                    sensitivePaths: SensitivePaths.paths(
                        in: found.observation.value, where: found.provider.schema(for: address.section).isSensitive)))
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }

        Self.cascadeReplacements(&changes, graph: manifest.graph, registry: context.registry)
        Self.planRestarts(
            &changes, manifest: manifest, registry: context.registry,
            owed: journalEntries.compactMapValues(\.restartPending), diagnostics: &diagnostics)
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }

        // The providers' reviews: notes, refusals and typed reasons (a delete that leaves the object in place).
        for index in changes.indices where changes[index].action != .noop {
            let change = changes[index]
            guard let provider = context.registry.provider(named: change.provider) else { continue }
            let context = ChangeContext(stack: manifest.stack, host: change.host, privateState: change.privateState)
            let review = provider.review(change, context: context)
            changes[index].notes += review.notes
            if let reason = review.reason { Self.give(reason, to: &changes[index]) }
            for refusal in review.refusals {
                diagnostics.append(
                    Diagnostic(
                        .error, "\(change.address) cannot be \(Self.participle(change.action))", detail: refusal,
                        at: manifest.resource(change.address)?.location, address: change.address))
            }
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }

        // The secrets the plan holds: the values at marked paths (and the manifest's, for messages).
        var secrets = manifest.secrets
        for change in changes { secrets.formUnion(change.secretValues) }

        // The references still unresolved (their producer changes in this run): the applier resolves them.
        var unresolved: [String: OutputReference] = [:]
        for change in changes {
            for token in change.after?.tokens(among: manifest.outputReferences) ?? [] {
                unresolved[token] = manifest.outputReferences[token]
            }
        }
        var plan = Plan(
            stack: manifest.stack, manifestFiles: manifest.files, destroy: options.destroy,
            targets: options.targets, changes: changes,
            warnings: manifest.warnings + diagnostics.warnings, secrets: secrets,
            manifestDigest: Plan.manifestDigest(of: manifest.files))
        plan.outputReferences = unresolved
        return (plan, diagnostics)
    }

    // MARK: - Classification

    /// Sets `reason` on `change`, with the note it explains itself by.
    static func give(_ reason: ActionReason, to change: inout Change) {
        change.reason = reason
        if let line = reason.explanation, !change.notes.contains(line) { change.notes.append(line) }
    }

    /// `attributes` with each join or leave marked as undoing what was done outside ocplan when the last applied
    /// tree has it the other way (a network left that the last apply did not join: joined by hand).
    static func markingOutside(_ attributes: [AttributeChange], applied: Value?) -> [AttributeChange] {
        guard let applied else { return attributes }
        return attributes.map { attribute in
            guard let membership = attribute.membership else { return attribute }
            let wasApplied = applied.value(at: attribute.path).map { $0 != .null } ?? false
            var marked = attribute
            marked.membership?.outsideOcplan = wasApplied == (membership.kind == .join)
            return marked
        }
    }

    /// `created`, `updated`, … for a refusal's summary.
    static func participle(_ action: Action) -> String {
        switch action {
        case .create: return "created"
        case .update: return "updated in place"
        case .replace: return "replaced"
        case .delete: return "destroyed"
        case .noop: return "left as it is"
        }
    }

    private func classify(
        _ item: Item,
        observation: Observation,
        schema: ResourceSchema,
        options: PlanOptions,
        manifest: Manifest,
        unreachable: String?,
        diagnostics: inout Diagnostics
    ) -> Change {
        let fingerprint = unreachable != nil ? "unreachable" : Self.fingerprint(observation)
        var change = Change(
            address: item.address, provider: item.provider.name, host: item.host, action: .noop, cause: nil,
            before: observation.value, after: item.desired, dependencies: item.dependencies,
            privateState: item.entry?.privateState, fingerprint: fingerprint)
        change.planData = observation.planData
        if item.desired != nil { change.formerDependencies = item.entry?.dependencies ?? [] }
        if let unreachable { change.notes.append(unreachable) }
        // The item's marks (see `plan`), and the schema's on what was observed.
        let sensitive = item.sensitive.union(SensitivePaths.paths(in: observation.value, where: schema.isSensitive))
        change.sensitivePaths = sensitive
        let managed: Bool
        switch observation.ownership {
        case .ours: managed = true
        case .unmarked: managed = item.entry != nil || schema.lifecycle == .setting
        case .foreign: managed = false
        }
        let ownership: Classification.Ownership =
            managed
            ? .managed : options.adopt.contains(item.address) && observation.exists ? .adopting : .foreign
        let deleting = options.destroy || item.desired == nil
        if deleting { change.after = nil }
        let attributes = Self.markingOutside(
            observation.exists || !deleting
                ? Differ.diff(observation.value, deleting ? nil : item.desired, schema: schema, sensitive: sensitive)
                : [],
            applied: item.entry?.applied)
        let facts = Classification.Facts(
            deleting: deleting, exists: observation.exists, ownership: ownership, journaled: item.entry != nil,
            pending: item.entry?.pending == true, appliedIsDesired: item.entry?.applied == item.desired,
            isSetting: schema.lifecycle == .setting, differs: !attributes.isEmpty,
            forcesReplace: attributes.contains(where: \.forcesReplace), notConverged: item.entry?.notConverged != nil)

        switch Classification.decide(facts) {
        case .noop:
            if !deleting { change.attributes = attributes }
        case .act(let action, let cause, let note):
            change.action = action
            change.cause = cause
            change.attributes = attributes
            if action == .replace { change.reason = .replaceBecauseOf(change.replaceReasons) }
            if action == .create, !observation.exists, let found = observation.note { change.notes.append(found) }
            switch note {
            case .deletedOutside?: change.notes.append("it was deleted outside ocplan")
            case .unfinished?: change.notes.append("the last apply stopped before it finished this resource")
            case .adopted?:
                change.notes.append("adopted: the existing object becomes part of stack '\(manifest.stack)'")
            case .takenOver?:
                change.notes.append("taken over: the value found now is restored when the resource is deleted")
            case nil: break
            }
        case .leaveForeign:
            if item.desired == nil {
                diagnostics.append(
                    Diagnostic(
                        .warning, "\(item.address) was replaced by an object this stack does not own",
                        detail: "It is removed from the manifest, but what exists now was not created by stack "
                            + "\(manifest.stack), so it is left alone.", address: item.address))
            }
        case .refuseForeign:
            let location = manifest.resource(item.address)?.location
            diagnostics.append(
                Diagnostic(
                    .error,
                    "\(item.address) already exists on \(item.host.name) but was not created by stack "
                        + "'\(manifest.stack)'",
                    detail: (observation.note.map { $0 + ". " } ?? "")
                        + "ocplan never changes or deletes what it did not create. Rename the resource, remove the "
                        + "existing object, or take it over with --adopt \(item.address).",
                    at: location, address: item.address))
        }
        return change
    }

    /// `desired` with each output reference replaced by its value where the producer does not change in this run
    /// (its current outputs), and the paths that now hold a sensitive output.
    ///
    /// A reference whose producer is created, updated or replaced stays a token: `(known after apply)`.
    static func resolveOutputs(
        in desired: Value, references: [String: OutputReference], classified: [Address: Change],
        outputs: (Address) -> Value?
    ) -> (Value, SensitivePaths) {
        let tokens = desired.tokens(among: references)
        guard !tokens.isEmpty else { return (desired, SensitivePaths()) }
        var known: [String: String] = [:]
        var marks = SensitivePaths()
        for token in tokens {
            guard let reference = references[token] else { continue }
            if reference.sensitive {
                for path in desired.paths(containing: [token]) { marks.insert(path) }
            }
            let producer = classified[reference.producer]
            guard producer.map({ $0.action == .noop && $0.after != nil }) ?? true,
                let value = reference.value(in: outputs(reference.producer))
            else { continue }
            known[token] = value
        }
        return (desired.replacingTokens(known), marks)
    }

    /// The journal entry of `address`'s last placement, when the journal holds it under this address on another
    /// host, or under another address of the same declaration on this host (`ADDRESS` became `ADDRESS[KEY]` or
    /// the reverse) that the manifest no longer declares.
    static func previousPlacement(
        of address: Address, host: Host, provider: String, entries: [Address: JournalEntry], declared: Set<Address>,
        claimed: Set<Address>
    ) -> (address: Address, entry: JournalEntry)? {
        if let entry = entries[address] {
            return entry.host.name != host.name || entry.provider != provider ? (address, entry) : nil
        }
        let candidates = entries.filter { other, entry in
            other != address && other.resource == address.resource && !declared.contains(other)
                && !claimed.contains(other) && entry.provider == provider
        }
        // Prefer the same host (a rename); otherwise a single former placement elsewhere is a move.
        if let same = candidates.filter({ $0.value.host.name == host.name }).min(by: { $0.key < $1.key }) {
            return (same.key, same.value)
        }
        return nil
    }

    /// Turns a moved resource's change into a replace across hosts: destroy where it was (from the journal), then
    /// create where it is declared; or, under `--destroy`, a delete where it was.
    private static func plan(
        move moved: Item.Moved, of change: inout Change, found: Observation?, schema: ResourceSchema,
        destroying: Bool
    ) {
        let previous = moved.entry.host
        let provider = moved.entry.provider
        guard previous.name != change.host.name || provider != change.provider else {
            change.move = Move(
                host: previous, provider: provider, address: moved.address, before: nil, privateState: nil)
            return
        }
        let there = found?.value
        let move = Move(
            host: previous, provider: provider, address: moved.address, before: there,
            privateState: moved.entry.privateState, fingerprint: Planner.fingerprint(found ?? .absent))
        let from = previous.name != change.host.name ? "host \(previous.name)" : "provider \(provider)"
        if destroying {
            change = Change(
                address: change.address, provider: provider, host: previous,
                action: there == nil ? .noop : .delete,
                cause: there == nil ? nil : .manifest, before: there, after: nil,
                attributes: there == nil
                    ? [] : Differ.diff(there, nil, schema: schema, sensitive: change.sensitivePaths),
                dependencies: moved.entry.dependencies, privateState: moved.entry.privateState,
                fingerprint: found.map(Planner.fingerprint) ?? change.fingerprint, notes: change.notes,
                sensitivePaths: change.sensitivePaths)
            change.move = Move(
                host: previous, provider: provider, address: moved.address, before: nil, privateState: nil)
            return
        }
        change.move = move
        change.privateState = nil
        guard there != nil else {
            change.notes.append("it was applied by \(from), where it no longer exists")
            return
        }
        change.action = .replace
        change.cause = .manifest
        change.notes.insert("moves from \(from): destroyed there first", at: 0)
    }

    /// Replaces what depends on a replaced resource when its schema says so (`replacedWith`), in
    /// dependency order so that cascades propagate.
    static func cascadeReplacements(_ changes: inout [Change], graph: DependencyGraph, registry: ProviderRegistry) {
        var index: [Address: Int] = [:]
        for (i, change) in changes.enumerated() { index[change.address] = i }
        for address in graph.topologicalOrder() {
            guard let i = index[address], let provider = registry.provider(named: changes[i].provider) else {
                continue
            }
            let change = changes[i]
            guard change.after != nil, change.before != nil, change.action == .noop || change.action == .update
            else { continue }
            let schema = provider.schema(for: address.section)
            let replaced = change.dependencies.compactMap { index[$0].map { changes[$0] } }.first {
                $0.action == .replace && schema.replacedWith.contains($0.address.section)
            }
            guard let replaced else { continue }
            changes[i].action = .replace
            changes[i].cause = change.cause ?? replaced.cause
            give(.replaceBecauseReplaced(replaced.address), to: &changes[i])
        }
    }

    /// Where a secret read with `${env:…}` flowed into the desired tree of `declaration`.
    ///
    /// The paths where the tree computed from its ``ResourceDeclaration/sensitivityProbe`` differs. Without a
    /// probe (its tokens did not decode, or the provider refused them) every string containing a secret value
    /// is marked.
    private func sensitivity(
        of declaration: ResourceDeclaration, desired: Value, provider: any Provider, host: Host,
        manifest: Manifest, specs: [Address: any ResourceSpec], probeEnvironment: [String: String]
    ) -> SensitivePaths {
        if let probe = declaration.sensitivityProbe {
            var probing = declaration
            probing.spec = probe
            let context = DesiredStateContext(
                stack: manifest.stack, host: host, variables: manifest.variables,
                environment: probeEnvironment, specs: specs)
            if let tokenised = try? provider.desiredState(of: probing, context: context) {
                return SensitivePaths.differences(between: desired, and: tokenised)
            }
        }
        return SensitivePaths.containing(manifest.secrets, in: desired)
    }

    /// A stable hash of an observation (its plan data included), to detect that the world changed since a plan
    /// was made.
    package static func fingerprint(_ observation: Observation) -> String {
        var data = Data(observation.ownership.rawValue.utf8)
        data.append(observation.value?.canonicalJSON ?? Data("absent".utf8))
        if let planData = observation.planData {
            data.append(Data("\u{0}".utf8))
            data.append(planData.canonicalJSON)
        }
        return ContentDigest.sha256(data)
    }

    // MARK: - Observation

    private struct ObserveKey: Hashable {
        var provider: String
        var host: String
        init(_ item: Item) {
            provider = item.provider.name
            host = item.host.name
        }
        init(provider: String, host: String) {
            self.provider = provider
            self.host = host
        }
    }

    private struct Discovered {
        var provider: any Provider
        var host: Host
        var observation: Observation
    }

    /// A resource on one host (a moved resource is observed on two).
    private struct Placed: Hashable {
        var address: Address
        var host: String
        var provider: String
        init(_ address: Address, _ host: Host, provider: String) {
            self.address = address
            self.host = host.name
            self.provider = provider
        }
    }

    private struct Observed {
        var observations: [Placed: Observation] = [:]
        var discovered: [Address: Discovered] = [:]
        var unreachable: [ObserveKey: String] = [:]
    }

    /// A provider's diagnostic about a resource, located in the manifest: at its key path when that is in the
    /// resource's YAML, else at the resource.
    static func located(_ diagnostic: Diagnostic, in manifest: Manifest) -> Diagnostic {
        guard diagnostic.location == nil, let address = diagnostic.address,
            let declaration = manifest.resource(address)
        else { return diagnostic }
        var located = diagnostic
        let prefix = address.description + "."
        let relative = diagnostic.keyPath.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
        located.location = relative.flatMap { declaration.node.location(of: $0) } ?? declaration.location
        return located
    }

    /// The detail of an observation error: the failure (host, tool, exit status, output head) without the
    /// manifest's secrets, and that nothing was read as absent.
    static func observationDetail(_ error: any Error, secrets: Set<String>) -> String {
        var error = error
        if var failure = error as? CommandFailure {
            failure.result = failure.result.map { DisplayText.redact($0, secrets: secrets) }
            error = failure
        }
        return "\(error)\nThe resource's state is unknown, so nothing is planned for it; fix the cause and plan again."
    }

    /// The detail of a missing-prerequisites error: each tool, the machine it is needed on and how to install it.
    static func missingDetail(_ prerequisites: [Prerequisite]) -> String {
        let lines = Set(prerequisites).sorted { $0.description < $1.description }.map { "  - \($0)" }
        return "Not installed:\n" + lines.joined(separator: "\n")
            + "\nThe resources' state cannot be read, so nothing is planned for them. Install the tools and plan again."
    }

    /// One observation request of the round: a provider's resources on one host.
    struct ObserveGroup: Sendable {
        var provider: any Provider
        var host: Host
        var targets: [ObserveTarget]
    }

    /// What one request of the round found.
    enum ObserveResult: Sendable {
        /// The provider answered (missing tools included, in the response).
        case observed(ObserveResponse)
        /// The provider's tool is not installed on the host.
        case missing([Prerequisite])
        /// The request failed as a whole.
        case failed(any Error)
    }

    /// The one observation round, shared by planning and by the stale-plan check of a saved plan: every request
    /// runs in parallel, through the runner bound to its host.
    static func observeRound(
        _ groups: [String: ObserveGroup], stack: String, context: EngineContext
    ) async -> [String: ObserveResult] {
        await withTaskGroup(of: (String, ObserveResult).self) { group in
            for (key, request) in groups {
                group.addTask {
                    let provider = request.provider
                    let host = request.host
                    let observeRequest = ObserveRequest(
                        stack: stack, host: host, runner: context.runner(host), targets: request.targets,
                        logger: context.logger)
                    do {
                        let response = try await provider.observe(observeRequest)
                        if !response.missingTools.isEmpty { return (key, .missing(response.missingTools)) }
                        return (key, .observed(response))
                    } catch let failure as CommandFailure where failure.reason == .toolMissing {
                        // The transport's own tool (multipass, ssh) is needed where the transport starts: the
                        // runner names it; a tool the provider runs is needed on the host.
                        if let prerequisite = failure.prerequisite { return (key, .missing([prerequisite])) }
                        let known = provider.prerequisites(on: host).filter { $0.tool == failure.command.program }
                        let prerequisites =
                            known.isEmpty
                            ? [Prerequisite(tool: failure.command.program, host: host.name, install: "install it")]
                            : known
                        return (key, .missing(prerequisites))
                    } catch {
                        return (key, .failed(error))
                    }
                }
            }
            var all: [String: ObserveResult] = [:]
            for await (key, result) in group { all[key] = result }
            return all
        }
    }

    private func observe(
        _ items: [Item], manifest: Manifest, secrets: Set<String>, diagnostics: inout Diagnostics
    ) async -> Observed {
        var groups: [ObserveKey: [Item]] = [:]
        for item in items { groups[ObserveKey(item), default: []].append(item) }
        var requests: [String: ObserveGroup] = [:]
        var keys: [String: ObserveKey] = [:]
        for (key, members) in groups {
            guard let first = members.first else { continue }
            let name = "\(key.provider) \(key.host)"
            keys[name] = key
            requests[name] = ObserveGroup(
                provider: first.provider, host: first.host,
                targets: members.map {
                    ObserveTarget(
                        address: $0.address, desired: $0.desired, lastApplied: $0.entry?.applied,
                        privateState: $0.entry?.privateState)
                })
        }
        let outcomes = await Self.observeRound(requests, stack: manifest.stack, context: context)
        var result = Observed()
        for (name, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
            guard let key = keys[name], let request = requests[name] else { continue }
            let host = request.host
            switch outcome {
            case .observed(let response):
                for (address, observation) in response.observations {
                    result.observations[Placed(address, host, provider: request.provider.name)] = observation
                }
                diagnostics.append(contentsOf: response.diagnostics.map { Self.located($0, in: manifest) })
                for (address, failure) in response.failures.sorted(by: { $0.key < $1.key }) {
                    diagnostics.append(
                        Self.located(
                            Diagnostic(
                                .error, "Cannot observe \(address) on host '\(host.name)'",
                                detail: Self.observationDetail(failure, secrets: secrets), address: address),
                            in: manifest))
                }
                for (address, observation) in response.discovered {
                    result.discovered[address] = Discovered(
                        provider: request.provider, host: host, observation: observation)
                }
            case .missing(let prerequisites):
                // An error for the resources it covers: their state is unknown, so nothing is planned for them.
                let covered = (groups[key] ?? []).map(\.address.description)
                diagnostics.append(
                    Diagnostic(
                        .error,
                        "Missing prerequisites for \(key.provider) resources on host '\(key.host)' "
                            + "(\(covered.joined(separator: ", ")))",
                        detail: Self.missingDetail(prerequisites),
                        at: (groups[key]?.first).flatMap { manifest.resource($0.address)?.location },
                        address: groups[key]?.first?.address))
            case .failed(let error):
                if let backing = manifest.backing[host.name].flatMap({ manifest.resource($0) }) {
                    result.unreachable[key] =
                        "host \(host.name) is not reachable yet (\(backing.address) is created by this stack), so this "
                        + "is planned as new"
                    continue
                }
                let covered = (groups[key] ?? []).map(\.address.description)
                diagnostics.append(
                    .error(
                        "Cannot observe \(key.provider) resources on host '\(key.host)' (\(covered.joined(separator: ", ")))",
                        detail: Self.observationDetail(error, secrets: secrets)))
            }
        }
        return result
    }
}

extension Planner {
    /// The changes of a saved plan whose resources no longer look as they did when it was made: each is observed
    /// again, in the same observation round as planning, where it is and, for a move, where it was.
    ///
    /// - Returns: the stale changes' addresses, in plan order (empty: the plan may run).
    package func staleChanges(in changes: [Change], stack: String) async throws -> [Address] {
        let entries = await context.journal.entries
        var requests: [String: ObserveGroup] = [:]
        /// Each observation with the fingerprint it must match and the change it belongs to.
        var expected: [String: [(address: Address, fingerprint: String, change: Address)]] = [:]
        func add(
            _ address: Address, of change: Address, journaled: Address, provider name: String, host: Host,
            fingerprint: String, desired: Value?
        ) throws {
            guard let provider = context.registry.provider(named: name) else {
                throw OCError(.unsupported, "the plan uses provider '\(name)', which this ocapply lacks")
            }
            let key = "\(name) \(host.name)"
            let entry = entries[journaled]
            let target = ObserveTarget(
                address: address, desired: desired ?? entry?.applied, lastApplied: entry?.applied,
                privateState: entry?.privateState)
            requests[key, default: ObserveGroup(provider: provider, host: host, targets: [])].targets.append(target)
            expected[key, default: []].append((address, fingerprint, change))
        }
        for change in changes {
            let journaled = change.move?.address ?? change.address
            try add(
                change.address, of: change.address, journaled: journaled, provider: change.provider,
                host: change.host, fingerprint: change.fingerprint, desired: change.after)
            if let move = change.move, let fingerprint = move.fingerprint, change.movesHost {
                // Where it was: another host or provider, so another observation group.
                try add(
                    journaled, of: change.address, journaled: journaled, provider: move.provider, host: move.host,
                    fingerprint: fingerprint, desired: nil)
            }
        }
        var stale = Set<Address>()
        for (key, result) in await Self.observeRound(requests, stack: stack, context: context) {
            let members = expected[key] ?? []
            var now: [Address: String] = [:]
            switch result {
            case .observed(let response):
                if let (_, failure) = response.failures.min(by: { $0.key < $1.key }) { throw failure }
                for member in members {
                    now[member.address] = Planner.fingerprint(response.observations[member.address] ?? .absent)
                }
            case .missing:
                for member in members { now[member.address] = "tool-missing" }
            case .failed(let error):
                // Matches the plan's "unreachable" when the host's VM or container did not exist yet.
                guard members.allSatisfy({ $0.fingerprint == "unreachable" }) else { throw error }
                for member in members { now[member.address] = "unreachable" }
            }
            for member in members where now[member.address] != member.fingerprint { stale.insert(member.change) }
        }
        return changes.map(\.address).filter(stale.contains)
    }
}
