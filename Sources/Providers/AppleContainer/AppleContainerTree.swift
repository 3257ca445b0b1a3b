import Foundation
import OCCore

/// The attribute trees of Apple `container` networks and containers: keys, ownership labels and normal forms.
///
/// Desired trees (from the specs) and observed trees (from `container … --format json`) are built with the
/// same keys and the same text forms here, so that a second plan after an apply is empty.
package enum AppleContainerTree {
    /// The labels that mark what a stack created.
    package enum Label {
        /// The prefix every ownership label starts with; user labels may not use it.
        package static let prefix = "io.ocplan."
        /// The stack that created the object.
        package static let stack = "io.ocplan.stack"
        /// The resource address the object belongs to (`containers.web`).
        package static let address = "io.ocplan.address"
        /// A hash of the tree the object was created from (see ``AppleContainerTree/specHash(_:)``).
        package static let specHash = "io.ocplan.spec-hash"
    }

    /// The keys of a network's tree.
    package enum NetworkKey {
        /// Whether the network is host-only (`--internal`, mode `hostOnly`).
        package static let isInternal = "internal"
        /// The IPv4 subnet (only when the manifest sets one).
        package static let subnet = "subnet"
        /// The IPv6 subnet (only when the manifest sets one).
        package static let ipv6Subnet = "ipv6Subnet"
        /// The user's labels, without the ownership labels.
        package static let labels = "labels"
        /// Every key, in the order the plan shows them.
        package static let all = [isInternal, subnet, ipv6Subnet, labels]
        /// Keys left to the runtime when the manifest omits them: observed only when set.
        static let optional: Set<String> = [subnet, ipv6Subnet]
    }

    /// The keys of a container's tree.
    package enum ContainerKey {
        /// The normalised image reference.
        package static let image = "image"
        /// The arguments after the image (only when set).
        package static let command = "command"
        /// The entrypoint override, one program (only when set).
        package static let entrypoint = "entrypoint"
        /// The environment set by the manifest.
        package static let env = "env"
        /// The `--env-file` paths, absolute (only when set).
        package static let envFiles = "envFiles"
        /// The network names, in order (`default` when none is listed).
        package static let networks = "networks"
        /// Published ports as `HOST_IP:HOST_PORT:CONTAINER_PORT/PROTO`, sorted.
        package static let ports = "ports"
        /// Bind and volume mounts as `SOURCE:TARGET[:ro]`, sorted.
        package static let volumes = "volumes"
        /// tmpfs mount paths, sorted.
        package static let tmpfs = "tmpfs"
        /// Whether the root file system is read-only.
        package static let readOnly = "readOnly"
        /// Added capabilities (`CAP_…`), sorted.
        package static let capAdd = "capAdd"
        /// Dropped capabilities (`CAP_…` or `ALL`), sorted.
        package static let capDrop = "capDrop"
        /// The user's labels, without the ownership labels.
        package static let labels = "labels"
        /// The process user (only when set).
        package static let user = "user"
        /// The working directory (only when set).
        package static let workdir = "workdir"
        /// DNS servers (only when set).
        package static let dns = "dns"
        /// Whole CPUs (only when set).
        package static let cpus = "cpus"
        /// Memory in bytes (only when set).
        package static let memory = "memory"
        /// `running` or `stopped`: the only attribute that changes in place.
        package static let state = "state"

        /// Every key, in the order the plan shows them.
        package static let all = [
            image, command, entrypoint, env, envFiles, networks, ports, volumes, tmpfs, readOnly, capAdd, capDrop,
            labels, user, workdir, dns, cpus, memory, state,
        ]
        /// Keys left to the image or runtime when the manifest omits them: observed only when set.
        static let optional: Set<String> = [command, entrypoint, envFiles, user, workdir, dns, cpus, memory]
        /// Keys no JSON shape reports as written (the CLI merges entrypoint and command with the image's):
        /// compared through the spec-hash label.
        static let unreportable: Set<String> = [command, entrypoint, envFiles]
    }

    /// The network every container joins when none is named, created by `container system start`.
    package static let defaultNetwork = "default"
    /// The host address a port is bound to when the manifest names none.
    package static let anyAddress = "0.0.0.0"
    /// The value of an attribute the CLI does not report, for an object whose spec hash matches neither the
    /// manifest nor the last apply.
    package static let unknownValue = "(not reported by container; created from another spec)"

    /// A stable hash of everything a container or network was created from (the tree without `state`).
    ///
    /// The SHA-256 of the tree's canonical JSON (the same digest the Podman provider labels with).
    ///
    /// - Parameter tree: a desired tree.
    /// - Returns: the value of the `io.ocplan.spec-hash` label.
    package static func specHash(_ tree: Value) -> String {
        var hashed = tree
        if var map = tree.mapValue {
            map[ContainerKey.state] = nil
            hashed = .map(map)
        }
        return ContentDigest.sha256(hashed.canonicalJSON)
    }

    /// A published port as the tree shows it: `127.0.0.1:8080:80/tcp`, `[::1]:53:53/udp`, ranges as `a-b`.
    ///
    /// - Parameters:
    ///   - hostIP: the host address (`0.0.0.0` when `nil`).
    ///   - hostPort: the first host port.
    ///   - containerPort: the first container port.
    ///   - count: how many consecutive ports are published.
    ///   - proto: `tcp` or `udp`.
    /// - Returns: the canonical text.
    static func portText(hostIP: String?, hostPort: Int, containerPort: Int, count: Int, proto: String) -> String {
        let address = hostIP.flatMap(Formats.IPAddress.init).map(\.description) ?? hostIP ?? anyAddress
        let host = address.contains(":") ? "[\(address)]" : address
        func range(_ first: Int) -> String { count > 1 ? "\(first)-\(first + count - 1)" : "\(first)" }
        return "\(host):\(range(hostPort)):\(range(containerPort))/\(proto.lowercased())"
    }

    /// A CIDR block in canonical text; text that is not a block is returned unchanged.
    static func cidr(_ text: String) -> String { Formats.CIDRBlock(text)?.description ?? text }

    /// A path without trailing slashes (`/` stays `/`).
    static func path(_ text: String) -> String {
        var path = text
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// A mount as the tree shows it: `SOURCE:TARGET`, with `:ro` for a read-only mount.
    static func mountText(source: String, target: String, readOnly: Bool) -> String {
        "\(path(source)):\(path(target))" + (readOnly ? ":ro" : "")
    }

    /// The labels that are not ownership labels.
    static func userLabels(_ labels: [String: String]) -> [String: String] {
        labels.filter { !$0.key.hasPrefix(Label.prefix) }
    }

    /// A map of strings as a tree value.
    static func stringMap(_ map: [String: String]) -> Value { .map(map.mapValues { .string($0) }) }
}
