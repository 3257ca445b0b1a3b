import Foundation

/// The typed model of one manifest section's resources.
///
/// A spec declares its YAML shape once (``schema``); the loader checks keys, types, formats and
/// references against it (collecting every error with its location) before decoding the spec.
package protocol ResourceSpec: Decodable, Sendable {
    /// The manifest section, for example `containers`.
    static var section: String { get }
    /// Whether the section is one object (`headscale:`) rather than resources keyed by name.
    static var isSingleton: Bool { get }
    /// The keys, types, docs and update modes.
    static var schema: ObjectSchema { get }
    /// The hosts the resource lives on (resources on several hosts are one instance per host).
    var hostNames: [String] { get }
    /// Checks beyond the schema: cross-field rules, cross-resource traps.
    func validate(in context: ValidationContext) -> [Diagnostic]
    /// References the schema cannot express (fields of type `.reference` are found automatically).
    func references() -> [SpecReference]
    /// The name of the resource of this section that `host`'s commands run inside, when the section backs
    /// hosts (a VM for `transport: multipass`, a container for `transport: podman-exec`); `nil` otherwise.
    ///
    /// Everything on such a host depends on that resource, so nothing runs inside it before it exists.
    static func backingName(for host: Host) -> String?
    /// References found by looking at the other declared resources, for example an `iptables` rule that jumps
    /// to a chain another resource owns; by default ``references()``.
    ///
    /// - Parameter specs: every declared resource's spec by address, this one's included (a reference to the
    ///   resource itself is ignored).
    /// - Returns: the references, which become dependency edges like ``references()``'s.
    func references(among specs: [Address: any ResourceSpec]) -> [SpecReference]
    /// The instances this declaration expands into, each with its own address `ADDRESS[KEY]`, host and
    /// dependencies on its siblings.
    ///
    /// By default one per host: a resource on one host is one instance without a key; one on several hosts
    /// (``hostNames``) is one instance per host, keyed by the host's name. A provider may split a declaration
    /// into parts instead (a Headscale server's users, keys and policy), which the journal, the plan and
    /// `--target` then treat one by one.
    func instances() -> [SpecInstance]
    /// The values a resource of this section publishes once applied, read by others as
    /// `${SECTION.NAME.OUTPUT}` (the provider returns them with its observations).
    static var outputs: [OutputField] { get }
    /// Whether a resource of this section can be restarted in place when something it reads changes, so that it
    /// may take `restartOn` (a container can; a file cannot). Its provider then implements
    /// ``Provider/restartCommands(for:context:)``.
    static var restartable: Bool { get }
    /// The paths on its host that applying this resource creates (a managed file's path), as written (relative
    /// ones are relative to the manifest file), so that another resource's check does not call them missing
    /// before the first apply.
    var createdPaths: [String] { get }
}

/// One instance of a declaration (see ``ResourceSpec/instances()``).
package struct SpecInstance: Sendable, Hashable {
    /// The instance key (`nil`: the declaration's only instance).
    package var key: String?
    /// The host it lives on.
    package var host: String
    /// Keys of instances of the same declaration that must exist first.
    package var dependsOn: [String]

    /// Creates an instance.
    package init(key: String?, host: String, dependsOn: [String] = []) {
        self.key = key
        self.host = host
        self.dependsOn = dependsOn
    }
}

/// A reference from one resource to another, which becomes a dependency edge.
package struct SpecReference: Sendable, Hashable {
    /// The resource referred to.
    package var target: Address
    /// Where the reference is written, relative to the referring resource (`networks[0]`).
    package var keyPath: String
    /// Whether a missing target is an error (`false`: the name may be external, for example Podman's `podman`).
    package var required: Bool

    /// Creates a reference.
    package init(_ target: Address, at keyPath: String, required: Bool = true) {
        self.target = target
        self.keyPath = keyPath
        self.required = required
    }
}

extension ResourceSpec {
    package static var isSingleton: Bool { false }
    package var hostNames: [String] { ["local"] }
    package func validate(in context: ValidationContext) -> [Diagnostic] { [] }
    package func references() -> [SpecReference] { [] }
    package static func backingName(for host: Host) -> String? { nil }
    package func references(among specs: [Address: any ResourceSpec]) -> [SpecReference] { references() }
    package static var outputs: [OutputField] { [] }
    package func instances() -> [SpecInstance] {
        let hosts = hostNames.isEmpty ? ["local"] : hostNames
        guard hosts.count > 1 else { return [SpecInstance(key: nil, host: hosts[0])] }
        return hosts.map { SpecInstance(key: $0, host: $0) }
    }
    package static var restartable: Bool { false }
    package var createdPaths: [String] { [] }
}

/// What a spec's `validate` can see: where its keys were written and the other resources.
package struct ValidationContext: Sendable {
    /// The resource being validated.
    package var address: Address
    /// The resolved hosts of the manifest.
    package var hosts: [String: Host]
    /// Finds the location of a key path inside this resource, for example `ports[0]`.
    package var locate: @Sendable (String) -> SourceLocation?
    /// The other declared resources' specs by address.
    package var specs: [Address: any ResourceSpec]
    /// The scalar at a key path of this resource as written in the manifest, before `${…}` expansion (so a
    /// check can tell a literal from a value read at plan time); `nil` when unknown.
    package var written: @Sendable (String) -> String?
    /// The folder of the manifest file that declares the resource; `nil` when unknown (then the checks of
    /// local files, ``localFileProblem(_:at:)`` and ``hostPathProblem(_:on:at:)``, find nothing).
    package var baseDirectory: String?
    /// The paths the manifest's resources create (``ResourceSpec/createdPaths``), resolved, by host.
    package var createdPaths: [String: Set<String>] = [:]

    /// Creates a context.
    package init(
        address: Address,
        hosts: [String: Host],
        specs: [Address: any ResourceSpec],
        locate: @escaping @Sendable (String) -> SourceLocation?,
        written: @escaping @Sendable (String) -> String? = { _ in nil }
    ) {
        self.address = address
        self.hosts = hosts
        self.specs = specs
        self.locate = locate
        self.written = written
    }

    /// An error located at `keyPath` (relative to this resource).
    package func error(_ summary: String, detail: String? = nil, at keyPath: String) -> Diagnostic {
        var d = Diagnostic.error(summary, detail: detail, at: locate(keyPath), keyPath: fullPath(keyPath))
        d.address = address
        return d
    }

    /// A warning located at `keyPath` (relative to this resource).
    package func warning(_ summary: String, detail: String? = nil, at keyPath: String) -> Diagnostic {
        var d = Diagnostic.warning(summary, detail: detail, at: locate(keyPath), keyPath: fullPath(keyPath))
        d.address = address
        return d
    }

    /// The other declared resources of type `Spec` that live on `host`, sorted by address; the resource being
    /// validated is left out.
    ///
    /// For the cross-resource checks a spec makes against its own kind ("declared twice", overlapping
    /// subnets, the same setting managed twice).
    package func others<Spec: ResourceSpec>(
        _ type: Spec.Type, on host: String
    ) -> [(address: Address, spec: Spec)] {
        specs.compactMap { address, spec -> (address: Address, spec: Spec)? in
            guard address.resource != self.address.resource, let other = spec as? Spec, other.hostNames.contains(host)
            else {
                return nil
            }
            return (address, other)
        }.sorted { $0.address < $1.address }
    }

    /// Why the file `path` on this machine (a `template`, `source` or env file, relative to the manifest
    /// file) cannot be read, or `nil`; `nil` too when the value written at `keyPath` is only known at plan time
    /// (`${…}`) or the manifest's folder is unknown.
    package func localFileProblem(_ path: String, at keyPath: String) -> String? {
        guard let baseDirectory, !(written(keyPath) ?? "").contains("${") else { return nil }
        let resolved = ResourceDeclaration.resolve(path, in: baseDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            return "`\(path)` does not exist (looked for \(resolved))"
        }
        return isDirectory.boolValue ? "`\(path)` is a folder (\(resolved)), not a file" : nil
    }

    /// Why `path` (relative to the manifest file) does not exist on `host`, or `nil`: it exists, a resource of
    /// the manifest creates it (or something inside it), the host is not this machine (local or a network
    /// namespace, and not declared with another `os`), or the value at `keyPath` is only known at plan time.
    package func hostPathProblem(_ path: String, on host: String, at keyPath: String) -> String? {
        let thisOS = Host.OS.current
        guard let baseDirectory, !(written(keyPath) ?? "").contains("${"),
            let transport = hosts[host]?.transport ?? (host == "local" ? .local : nil),
            transport == .local || transport == .netns, (hosts[host]?.os ?? thisOS) == thisOS
        else { return nil }
        let resolved = ResourceDeclaration.resolve(path, in: baseDirectory)
        if FileManager.default.fileExists(atPath: resolved) { return nil }
        let folder = resolved.hasSuffix("/") ? resolved : resolved + "/"
        if let created = createdPaths[host], created.contains(where: { $0 == resolved || $0.hasPrefix(folder) }) {
            return nil
        }
        return
            "`\(path)` does not exist on \(host) (looked for \(resolved)), and no resource of the manifest creates it"
    }

    private func fullPath(_ keyPath: String) -> String {
        let base = address.name.isEmpty ? address.section : "\(address.section).\(address.name)"
        if keyPath.isEmpty { return base }
        return keyPath.hasPrefix("[") ? base + keyPath : base + "." + keyPath
    }
}
