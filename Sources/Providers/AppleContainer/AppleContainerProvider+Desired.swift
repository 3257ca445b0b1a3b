import Foundation
import OCContainerModel
import OCCore

extension AppleContainerProvider {
    /// The tree of a network: `{internal, subnet?, ipv6Subnet?, labels}`.
    ///
    /// - Parameter spec: the validated spec.
    /// - Returns: the desired tree.
    package static func desiredTree(of spec: NetworkSpec) -> Value {
        typealias Key = AppleContainerTree.NetworkKey
        var tree: Value = [
            Key.isInternal: .bool(spec.isInternal),
            Key.labels: AppleContainerTree.stringMap(spec.labels),
        ]
        if let subnet = spec.subnet { tree[Key.subnet] = .string(AppleContainerTree.cidr(subnet)) }
        if let subnet = spec.ipv6Subnet { tree[Key.ipv6Subnet] = .string(AppleContainerTree.cidr(subnet)) }
        return tree
    }

    /// The tree of a container, with every value in the form the CLI reports it.
    ///
    /// Paths are resolved with `resolve` (bind mount sources and env files are relative to the manifest file);
    /// the image gets its registry and tag; ports get their host address; lists whose order does not matter
    /// are sorted. Keys for values left to the image or runtime are present only when the manifest sets them.
    ///
    /// - Parameters:
    ///   - spec: the validated spec.
    ///   - resolve: turns a path written in the manifest into an absolute one.
    /// - Returns: the desired tree.
    package static func desiredTree(of spec: ContainerSpec, resolve: (String) -> String = { $0 }) -> Value {
        typealias Key = AppleContainerTree.ContainerKey
        let ports = spec.ports.map {
            AppleContainerTree.portText(
                hostIP: $0.hostIP, hostPort: ($0.hostPort ?? $0.containerPort).lower,
                containerPort: $0.containerPort.lower, count: $0.containerPort.count, proto: $0.proto)
        }
        let volumes = spec.volumes.map { mount in
            let source: String
            switch mount.kind {
            case .bind: source = resolve(mount.source ?? "")
            case .named: source = mount.source ?? ""
            case .anonymous: source = ""
            }
            return AppleContainerTree.mountText(source: source, target: mount.target, readOnly: mount.readOnly)
        }
        var tree: Value = [
            Key.image: .string(ImageName.qualified(spec.image)),
            Key.env: AppleContainerTree.stringMap(spec.env),
            Key.networks: .strings(
                spec.networks.isEmpty ? [AppleContainerTree.defaultNetwork] : spec.networks.map(\.name)),
            Key.ports: .strings(ports.sorted()),
            Key.volumes: .strings(volumes.sorted()),
            Key.tmpfs: .strings(spec.tmpfs.map(AppleContainerTree.path).sorted()),
            Key.readOnly: .bool(spec.readOnly),
            Key.capAdd: .strings(Set(spec.normalizedCapAdd).sorted()),
            Key.capDrop: .strings(Set(spec.normalizedCapDrop).sorted()),
            Key.labels: AppleContainerTree.stringMap(spec.labels),
            Key.state: .string(spec.state.rawValue),
        ]
        if let command = spec.command { tree[Key.command] = .strings(command) }
        if let entrypoint = spec.entrypoint { tree[Key.entrypoint] = .strings(entrypoint) }
        if !spec.envFiles.isEmpty { tree[Key.envFiles] = .strings(spec.envFiles.map(resolve)) }
        if let user = spec.user { tree[Key.user] = .string(user) }
        if let workdir = spec.workdir { tree[Key.workdir] = .string(AppleContainerTree.path(workdir)) }
        if !spec.dns.isEmpty {
            tree[Key.dns] = .strings(spec.dns.map { Formats.IPAddress($0)?.description ?? $0 })
        }
        if let cpus = spec.cpus.flatMap({ Int(exactly: $0.rounded()) }) { tree[Key.cpus] = .int(cpus) }
        if let bytes = spec.memoryBytes { tree[Key.memory] = .int(Int(bytes)) }
        return tree
    }
}
