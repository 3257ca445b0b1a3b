import Foundation

/// One declared resource after loading: its typed spec, where it was written, and what it depends on.
package struct ResourceDeclaration: Sendable {
    /// `SECTION.NAME`.
    package var address: Address
    /// The decoded spec (cast it to the provider's type).
    package var spec: any ResourceSpec
    /// The resource's YAML node after variable interpolation.
    package var node: SourceNode
    /// Where the resource's key is written.
    package var location: SourceLocation
    /// The directory of the file that declares it (relative paths in the spec resolve against it).
    package var baseDirectory: String
    /// The host it lives on.
    package var host: String
    /// Everything it depends on: references, `dependsOn` and its host's backing resource.
    package var dependencies: Set<Address>
    /// Whether the resource's values contain a secret (`${env:…}`).
    package var usesSecrets: Bool
    /// The spec decoded once more with every `${env:…}` value replaced by a unique token.
    ///
    /// The planner computes the desired tree from it too, and the attributes that differ are the ones a secret
    /// flowed into.
    /// `nil` when the resource reads no secret, or when the tokens do not decode (a port read from the
    /// environment); the planner then marks every attribute that contains a secret value.
    package var sensitivityProbe: (any ResourceSpec)? = nil
    /// The resources whose change restarts this one (`restartOn`; each is also in ``dependencies``).
    package var restartOn: [Address] = []

    /// The spec as the provider's concrete type.
    package func spec<T: ResourceSpec>(as type: T.Type) throws -> T {
        guard let typed = spec as? T else {
            throw OCError(.internalError, "\(address) has spec \(Swift.type(of: spec)), expected \(T.self)")
        }
        return typed
    }

    /// Resolves a path written in the manifest against the declaring file's directory.
    package func resolvePath(_ path: String) -> String { Self.resolve(path, in: baseDirectory) }

    /// Resolves a path written in the manifest against `baseDirectory` (`~/` is the home folder).
    package static func resolve(_ path: String, in baseDirectory: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") {
            return FileManager.default.homeDirectoryForCurrentUser.path + String(path.dropFirst(1))
        }
        return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
    }
}

/// A loaded, validated manifest: the stack, its hosts and resources, and their dependency graph.
package struct Manifest: Sendable {
    /// The manifest format version (1).
    package var version: Int
    /// The stack name; owns everything it creates.
    package var stack: String
    /// Hosts by name (always includes `local`).
    package var hosts: [String: Host]
    /// Resolved variables by name (detected values included when resolution ran).
    package var variables: [String: String]
    /// Resources in declaration order.
    package var resources: [ResourceDeclaration]
    /// Dependencies between resources.
    package var graph: DependencyGraph
    /// Secret values read from the environment; redacted wherever they would be shown.
    package var secrets: Set<String>
    /// The files that were read.
    package var files: [String]
    /// Warnings found while loading (they travel with the plan).
    package var warnings: [Diagnostic] = []
    /// For each host whose commands run inside a declared resource (a VM, a container), that resource.
    package var backing: [String: Address] = [:]
    /// The `${SECTION.NAME.OUTPUT}` references of every resource, by the token written in their place.
    package var outputReferences: [String: OutputReference] = [:]

    /// The resource at `address`.
    package func resource(_ address: Address) -> ResourceDeclaration? {
        resources.first { $0.address == address }
    }
}
