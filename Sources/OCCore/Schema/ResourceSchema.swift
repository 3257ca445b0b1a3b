/// How the engine treats a resource type's attribute tree.
public struct ResourceSchema: Sendable {
    /// How a resource of this type comes to exist and be owned.
    public enum Lifecycle: Sendable, Hashable, Codable {
        /// An object that is created and deleted (a container, a file, a chain).
        case object
        /// A setting that always exists (a sysctl): managing it starts with "create", which records the
        /// value found so that delete can restore it.
        case setting
    }

    /// Changes under these paths force a replace; all others are updated in place.
    public var replaceOn: [PathPattern]
    /// Values under these paths are secrets and are shown as `(sensitive)`.
    public var sensitive: [PathPattern]
    /// Paths that are informational only (observed but never diffed).
    public var ignored: [PathPattern]
    /// Object or setting.
    public var lifecycle: Lifecycle
    /// Sections whose replacement forces this resource to be replaced too when it depends on the replaced
    /// resource (a container on a network that is recreated).
    public var replacedWith: Set<String>

    /// Creates a schema.
    public init(
        replaceOn: [PathPattern] = [],
        sensitive: [PathPattern] = [],
        ignored: [PathPattern] = [],
        lifecycle: Lifecycle = .object,
        replacedWith: Set<String> = []
    ) {
        self.replaceOn = replaceOn
        self.sensitive = sensitive
        self.ignored = ignored
        self.lifecycle = lifecycle
        self.replacedWith = replacedWith
    }

    /// Whether a change at `path` forces a replace.
    public func forcesReplace(_ path: ValuePath) -> Bool { replaceOn.contains { $0.covers(path) } }
    /// Whether `path` holds a secret.
    public func isSensitive(_ path: ValuePath) -> Bool { sensitive.contains { $0.covers(path) } }
    /// Whether `path` is ignored by the diff.
    public func isIgnored(_ path: ValuePath) -> Bool { ignored.contains { $0.covers(path) } }
}
