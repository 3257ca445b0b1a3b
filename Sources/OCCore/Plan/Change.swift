/// What a plan does to one resource.
package enum Action: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nothing: desired and observed agree.
    case noop = "no-op"
    /// Create the resource.
    case create
    /// Change it in place.
    case update
    /// Destroy it and create it again (a field that cannot change in place changed).
    case replace
    /// Destroy it.
    case delete
}

/// Why a change is needed.
package enum Cause: String, Sendable, Hashable, Codable {
    /// The manifest changed since the last apply (or the resource is new to the stack).
    case manifest
    /// The world changed by hand since the last apply.
    case drift
    /// The last apply of the resource ran but its read-back still differed (``JournalEntry/notConverged``): the
    /// difference is ocplan's own (a value the tool normalises differently), not a change by hand.
    case notConverged = "not-converged"
}

/// One attribute that differs between observed and desired state.
package struct AttributeChange: Sendable, Hashable, Codable {
    /// Where in the tree.
    package var path: ValuePath
    /// The observed value (`nil`: absent).
    package var before: Value?
    /// The desired value (`nil`: to be removed).
    package var after: Value?
    /// Whether this attribute forces a replace.
    package var forcesReplace: Bool
    /// Whether the values are secrets.
    package var sensitive: Bool

    /// Creates an attribute change.
    package init(path: ValuePath, before: Value?, after: Value?, forcesReplace: Bool = false, sensitive: Bool = false) {
        self.path = path
        self.before = before
        self.after = after
        self.forcesReplace = forcesReplace
        self.sensitive = sensitive
    }
}

/// Where a resource was last applied, when that is not where it is declared now: another host (`host: a -> b`), or
/// another address of the same declaration (`sysctl.ttl` became `sysctl.ttl[a]`).
///
/// A move to another host is a replace across hosts: the destroy runs on ``host`` with what the journal kept
/// there, then the create runs on the new host with nothing carried over (a setting's original value belongs to
/// the host it was read on).
package struct Move: Sendable, Hashable, Codable {
    /// The host it was applied on.
    package var host: Host
    /// The provider that applied it (another one when a container's `runtime` changed).
    package var provider: String
    /// The address the journal holds it under.
    package var address: Address
    /// What was observed there (`nil`: it is gone there, so only the journal entry is dropped).
    package var before: Value?
    /// What the provider recorded there at the last apply.
    package var privateState: Value?
    /// The fingerprint of what was observed there (``Planner/fingerprint(_:)``), checked again before a saved plan
    /// runs: the destroy there must not act on something that changed since.
    package var fingerprint: String?

    /// Creates a move.
    package init(
        host: Host, provider: String, address: Address, before: Value?, privateState: Value?,
        fingerprint: String? = nil
    ) {
        self.host = host
        self.provider = provider
        self.address = address
        self.before = before
        self.privateState = privateState
        self.fingerprint = fingerprint
    }

    /// The journal address the change's result replaces, when it differs from `address`.
    package func formerAddress(of address: Address) -> Address? { self.address == address ? nil : self.address }
}

/// A planned change to one resource, with everything `ocapply` needs to perform it.
package struct Change: Sendable, Hashable, Codable {
    /// The resource.
    package var address: Address
    /// The provider that performs it.
    package var provider: String
    /// The host it runs on.
    package var host: Host
    /// What happens.
    package var action: Action
    /// Why (`nil` for no-ops).
    package var cause: Cause?
    /// The observed tree (`nil`: absent).
    package var before: Value?
    /// The desired tree (`nil`: to be deleted).
    package var after: Value?
    /// The attributes that differ.
    package var attributes: [AttributeChange]
    /// The resources this one depends on (creation order; deletes run in reverse).
    package var dependencies: [Address]
    /// What it depended on at the last apply (from the journal): a destroy of one of these that the change
    /// no longer depends on waits for the change, which detaches from it (a container leaving a network).
    package var formerDependencies: [Address] = []
    /// What the provider recorded at the last apply.
    package var privateState: Value?
    /// What the provider read at plan time for the change's program (``Observation/planData``): kept in the saved
    /// plan, never diffed or shown.
    package var planData: Value?
    /// Why the action is what it is (a replace's attributes, a delete that leaves the object in place).
    package var reason: ActionReason?
    /// Where the resource was last applied, when it moved (see ``Move``).
    package var move: Move?
    /// A hash of what was observed, to refuse a saved plan when the world changed since.
    package var fingerprint: String
    /// Notes shown under the change (adoption, missing tools, replace cascades).
    package var notes: [String]
    /// The paths of ``before`` and ``after`` that hold secrets: shown as `(sensitive)` on both sides,
    /// everywhere.
    package var sensitivePaths: SensitivePaths
    /// The `restartOn` triggers of this resource that change in the plan: when not empty, the resource is
    /// restarted in place after its own action (a no-op or an update) and after those changes have finished.
    package var triggeredBy: [Address] = []

    /// Creates a change.
    package init(
        address: Address,
        provider: String,
        host: Host,
        action: Action,
        cause: Cause?,
        before: Value?,
        after: Value?,
        attributes: [AttributeChange] = [],
        dependencies: [Address] = [],
        privateState: Value? = nil,
        planData: Value? = nil,
        fingerprint: String = "",
        notes: [String] = [],
        sensitivePaths: SensitivePaths = SensitivePaths(),
        triggeredBy: [Address] = []
    ) {
        self.address = address
        self.provider = provider
        self.host = host
        self.action = action
        self.cause = cause
        self.before = before
        self.after = after
        self.attributes = attributes
        self.dependencies = dependencies
        self.privateState = privateState
        self.planData = planData
        self.fingerprint = fingerprint
        self.notes = notes
        self.sensitivePaths = sensitivePaths
        self.triggeredBy = triggeredBy
    }

    /// The secret values this change carries (the scalars at its marked paths, before and after): marked on
    /// every command it runs and removed from every message about it.
    package var secretValues: Set<String> {
        sensitivePaths.secrets(in: before).union(sensitivePaths.secrets(in: after))
    }

    /// Whether the change restarts the resource (see ``triggeredBy``).
    package var restarts: Bool { !triggeredBy.isEmpty }

    /// Whether the change does anything: an action, or a restart.
    package var doesSomething: Bool { action != .noop || restarts }

    /// The attributes that force a replace.
    package var replaceReasons: [ValuePath] { attributes.filter(\.forcesReplace).map(\.path) }

    private enum CodingKeys: String, CodingKey {
        case address, provider, host, action, cause, before, after, attributes, dependencies, privateState
        case fingerprint, notes, sensitivePaths, formerDependencies, move, planData, reason, triggeredBy
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        address = try container.decode(Address.self, forKey: .address)
        provider = try container.decode(String.self, forKey: .provider)
        host = try container.decode(Host.self, forKey: .host)
        action = try container.decode(Action.self, forKey: .action)
        cause = try container.decodeIfPresent(Cause.self, forKey: .cause)
        before = try container.decodeIfPresent(Value.self, forKey: .before)
        after = try container.decodeIfPresent(Value.self, forKey: .after)
        attributes = try container.decodeIfPresent([AttributeChange].self, forKey: .attributes) ?? []
        dependencies = try container.decodeIfPresent([Address].self, forKey: .dependencies) ?? []
        privateState = try container.decodeIfPresent(Value.self, forKey: .privateState)
        fingerprint = try container.decodeIfPresent(String.self, forKey: .fingerprint) ?? ""
        notes = try container.decodeIfPresent([String].self, forKey: .notes) ?? []
        sensitivePaths = try container.decodeIfPresent(SensitivePaths.self, forKey: .sensitivePaths) ?? SensitivePaths()
        formerDependencies = try container.decodeIfPresent([Address].self, forKey: .formerDependencies) ?? []
        planData = try container.decodeIfPresent(Value.self, forKey: .planData)
        reason = try container.decodeIfPresent(ActionReason.self, forKey: .reason)
        move = try container.decodeIfPresent(Move.self, forKey: .move)
        triggeredBy = try container.decodeIfPresent([Address].self, forKey: .triggeredBy) ?? []
    }

    /// Whether the change moves the resource to another host or provider (a replace across them).
    package var movesHost: Bool { move.map { $0.host.name != host.name || $0.provider != provider } ?? false }
}
