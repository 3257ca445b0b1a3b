/// How the engine treats a resource type's attribute tree.
package struct ResourceSchema: Sendable {
    /// How a resource of this type comes to exist and be owned.
    package enum Lifecycle: Sendable, Hashable, Codable {
        /// An object that is created and deleted (a container, a file, a chain).
        case object
        /// A setting that always exists (a sysctl): managing it starts with "create", which records the
        /// value found so that delete can restore it.
        case setting
    }

    /// Changes under these paths force a replace; all others are updated in place.
    package var replaceOn: [PathPattern]
    /// Values under these paths are secrets and are shown as `(sensitive)`.
    package var sensitive: [PathPattern]
    /// Paths that are informational only (observed but never diffed).
    package var ignored: [PathPattern]
    /// Object or setting.
    package var lifecycle: Lifecycle
    /// Sections whose replacement forces this resource to be replaced too when it depends on the replaced
    /// resource (a container on a network that is recreated).
    package var replacedWith: Set<String>
    /// Maps whose keys are memberships (a container's `networks`): an entry that appears or goes whole is one
    /// change, a join or a leave (``AttributeChange/membership``), not the attributes inside it.
    package var memberships: [PathPattern]

    /// Creates a schema.
    package init(
        replaceOn: [PathPattern] = [],
        sensitive: [PathPattern] = [],
        ignored: [PathPattern] = [],
        lifecycle: Lifecycle = .object,
        replacedWith: Set<String> = [],
        memberships: [PathPattern] = []
    ) {
        self.memberships = memberships
        self.replaceOn = replaceOn
        self.sensitive = sensitive
        self.ignored = ignored
        self.lifecycle = lifecycle
        self.replacedWith = replacedWith
    }

    /// Whether a change at `path` forces a replace.
    package func forcesReplace(_ path: ValuePath) -> Bool { replaceOn.contains { $0.covers(path) } }
    /// Whether `path` holds a secret.
    package func isSensitive(_ path: ValuePath) -> Bool { sensitive.contains { $0.covers(path) } }
    /// Whether `path` is a membership map (``memberships``).
    package func isMembership(_ path: ValuePath) -> Bool { memberships.contains { $0.matches(path) } }
    /// Whether `path` is ignored by the diff.
    package func isIgnored(_ path: ValuePath) -> Bool { ignored.contains { $0.covers(path) } }
}
