import Foundation
import OCContainerModel
import OCCore

/// The keys of the Podman provider's attribute trees and the canonical text forms both sides share.
///
/// Desired trees (from specs) and observed trees (from `inspect`) are built into the same shape with the
/// same helpers, so a value Podman reports differently from how a manifest writes it (`NET_RAW` vs
/// `CAP_NET_RAW`, `1m` vs `60s`, `0.5` CPUs vs `500000000` nano-CPUs) compares equal.
package enum PodmanTree {
    /// Keys of a `networks` tree.
    package enum Network {
        /// The owning stack (`io.ocplan.stack` label); differs for an object the stack did not create.
        package static let owner = "owner"
        /// `bridge`, `macvlan` or `ipvlan`.
        package static let driver = "driver"
        /// Whether the network has no route out.
        package static let isInternal = "internal"
        /// The IPv4 subnet, when the manifest sets one.
        package static let subnet = "subnet"
        /// The IPv4 gateway, when the manifest sets a subnet.
        package static let gateway = "gateway"
        /// The allocation range as `FIRST-LAST` (as Podman reports it), `null`: the whole subnet.
        package static let ipRange = "ipRange"
        /// Whether IPv6 is enabled.
        package static let ipv6 = "ipv6"
        /// The IPv6 subnet, when the manifest sets one.
        package static let ipv6Subnet = "ipv6Subnet"
        /// Whether aardvark-dns serves names on it.
        package static let dns = "dns"
        /// User labels (ocplan's own `io.ocplan.*` marks left out).
        package static let labels = "labels"
        /// Driver options.
        package static let options = "options"
    }

    /// Keys of a `volumes` tree (no owner: adopting a volume must never recreate it, see ``PodmanProvider``).
    package enum Volume {
        /// The volume driver.
        package static let driver = "driver"
        /// Driver options.
        package static let options = "options"
        /// User labels.
        package static let labels = "labels"
        /// Whether a destroy may delete the volume: policy, not Podman state; observed as last applied, so that
        /// a change is an in-place update (running nothing) that the state journal records.
        package static let deleteData = "deleteData"
    }

    /// Keys of an `images` tree.
    package enum Image {
        /// The image reference.
        package static let reference = "reference"
        /// Where the image comes from: `pull`, `build` or `import`.
        package static let source = "source"
        /// The pull policy.
        package static let pull = "pull"
        /// Whether the image is as wanted now (`pull: always` makes it never so: every plan pulls).
        package static let current = "current"
        /// The hash of the build context, Containerfile, arguments and target (label `io.ocplan.build-hash`).
        package static let buildHash = "buildHash"
        /// The hash of the tarball (label `io.ocplan.import-hash`).
        package static let importHash = "importHash"
        /// The build parameters with absolute paths (informational: the hash is what is compared).
        package static let build = "build"
        /// The absolute tarball path (informational).
        package static let importFrom = "importFrom"
    }

    /// Keys of a `containers` tree.
    package enum Container {
        /// The owning stack.
        package static let owner = "owner"
        /// The image reference the container runs (an `images` resource's reference when it names one).
        package static let image = "image"
        /// Whether the container runs the image its reference points at now (a rebuilt or re-pulled image
        /// makes this false, which replaces the container).
        package static let imageCurrent = "imageCurrent"
        /// The command (`null`: the image's).
        package static let command = "command"
        /// The entrypoint (`null`: the image's).
        package static let entrypoint = "entrypoint"
        /// Environment variables (env files merged in; only the keys the manifest sets are observed).
        package static let env = "env"
        /// Network attachments by name: `{aliases, ipv4, ipv6}`.
        package static let networks = "networks"
        /// `bridge` for named networks, or the network mode (`host`, `none`) that replaces them.
        package static let networkMode = "networkMode"
        /// The networks in the order written (the first gives the default route); informational.
        package static let networkOrder = "networkOrder"
        /// Published ports, one entry per port (`127.0.0.1:8080->80/tcp`, `*:8080->80/tcp`), sorted.
        package static let ports = "ports"
        /// Extra `/etc/hosts` entries (`NAME:IP` or `NAME:host-gateway`), in order.
        package static let addHosts = "addHosts"
        /// Added capabilities, canonical and sorted.
        package static let capAdd = "capAdd"
        /// Dropped capabilities, canonical and sorted.
        package static let capDrop = "capDrop"
        /// Whether the root file system is read-only.
        package static let readOnly = "readOnly"
        /// The user (`null`: the image's).
        package static let user = "user"
        /// Mounts (`SOURCE:TARGET[:ro][:OPTIONS]`), sorted by target.
        package static let volumes = "volumes"
        /// tmpfs mounts (`PATH[:OPTIONS]` without Podman's default options), sorted.
        package static let tmpfs = "tmpfs"
        /// The restart policy (`no`, `always`, `on-failure:3`, `unless-stopped`).
        package static let restart = "restart"
        /// User labels (image labels and ocplan's marks left out).
        package static let labels = "labels"
        /// The health check (`null`: the image's).
        package static let healthcheck = "healthcheck"
        /// Security options, canonical and sorted.
        package static let securityOpt = "securityOpt"
        /// The working directory (`null`: the image's).
        package static let workdir = "workdir"
        /// DNS servers, in order.
        package static let dns = "dns"
        /// The memory limit in bytes (`null`: unlimited).
        package static let memory = "memory"
        /// The CPU limit as a decimal string (`null`: unlimited).
        package static let cpus = "cpus"
        /// Resource limits by name (`SOFT:HARD`).
        package static let ulimits = "ulimits"
        /// Whether the container is privileged.
        package static let privileged = "privileged"
        /// The host name (`null`: the short container ID).
        package static let hostname = "hostname"
        /// The stop signal's number (`null`: the image's, else SIGTERM).
        package static let stopSignal = "stopSignal"
        /// Seconds between the stop signal and the kill.
        package static let stopTimeout = "stopTimeout"
        /// Whether a pseudo-terminal is allocated.
        package static let tty = "tty"
        /// The `/dev/shm` size in bytes (`null`: Podman's default).
        package static let shmSize = "shmSize"
        /// The process limit, 0 for unlimited (`null`: containers.conf's).
        package static let pidsLimit = "pidsLimit"
        /// Extra groups, sorted.
        package static let groupAdd = "groupAdd"
        /// Kernel parameters by key (from the spec hash: Podman 4.3 does not report them).
        package static let sysctls = "sysctls"
        /// `running`, `stopped` or `paused`.
        package static let state = "state"
    }

    /// The keys of one network attachment.
    package enum Attachment {
        /// Extra DNS names, sorted.
        package static let aliases = "aliases"
        /// The static IPv4 address (`null`: assigned by the network).
        package static let ipv4 = "ipv4"
        /// The static IPv6 address (`null`: assigned by the network).
        package static let ipv6 = "ipv6"
    }

    /// What an observed tree holds for a field Podman cannot report and whose spec hash matches neither the
    /// manifest nor the last apply: any value differs from it, so the plan replaces the object.
    package static let unknown = Value.string("(unknown: not created from this spec)")

    // MARK: - Canonical forms

    /// A string map as a tree map.
    static func stringMap(_ map: [String: String]) -> Value { .map(map.mapValues { .string($0) }) }

    /// Canonical capability names, sorted and without repeats (unknown names kept upper-cased).
    static func capabilities(_ names: [String]) -> Value {
        .strings(Set(names.map { LinuxCapability.normalized($0) ?? $0.uppercased() }).sorted())
    }

    /// A duration in nanoseconds as the shortest Go duration text (`30s`, `1500ms`, `10ns`).
    static func duration(nanoseconds: Int) -> String {
        if nanoseconds == 0 { return "0s" }
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        if nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)us" }
        return "\(nanoseconds)ns"
    }

    /// A Go duration text in nanoseconds, or `nil` when it is not one.
    static func nanoseconds(_ text: String) -> Int? {
        Formats.seconds(text, syntax: .go).map { Int(($0 * 1e9).rounded()) }
    }

    /// A CPU count in nano-CPUs as a decimal string without trailing zeros (`0.5`, `2`).
    static func cpus(nano: Int) -> String {
        let whole = nano / 1_000_000_000
        var fraction = String(nano % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }

    /// A CPU count in nano-CPUs, as Podman rounds it.
    static func nanoCPUs(_ cpus: Double) -> Int { Int((cpus * 1e9).rounded()) }

    /// One published port as `ss` and `docker ps` show it: `HOST_IP:HOST_PORT->CONTAINER_PORT/PROTO`, with `*` for
    /// every address (`*:8080->80/tcp`) and for a host port the runtime chooses (`127.0.0.1:*->80/tcp`); IPv6 host
    /// addresses in brackets (`[::1]:8080->80/tcp`).
    static func port(hostIP: String?, hostPort: Int?, containerPort: Int, proto: String) -> String {
        var ip = hostIP.flatMap { Formats.IPAddress($0) }.map { $0.isUnspecified ? "*" : $0.description } ?? "*"
        if ip.contains(":") { ip = "[\(ip)]" }
        return "\(ip):\(hostPort.map(String.init) ?? "*")->\(containerPort)/\(proto.lowercased())"
    }

    /// Podman's default tmpfs options, which `inspect` appends to whatever was asked for.
    static let defaultTmpfsOptions: Set<String> = ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]

    /// A tmpfs mount as `PATH` or `PATH:OPTIONS` with Podman's default options left out.
    static func tmpfs(path: String, options: String?) -> String {
        let kept = (options ?? "").split(separator: ",").map(String.init)
            .filter { !$0.isEmpty && !defaultTmpfsOptions.contains($0) }
        return kept.isEmpty ? path : "\(path):\(kept.joined(separator: ","))"
    }

    /// A security option in canonical form; `nil` for one that means "off" (`no-new-privileges:false`).
    static func securityOption(_ option: String) -> String? {
        switch option {
        case "no-new-privileges", "no-new-privileges:true", "no-new-privileges=true": return "no-new-privileges"
        case "no-new-privileges:false", "no-new-privileges=false": return nil
        default: return option
        }
    }

    /// An allocation range as Podman reports it (`lease_range`: the block's network address + 1 to its last
    /// address) written as that block (`10.89.10.128/25`), or `FIRST-LAST` when it is no block.
    static func block(first: String?, last: String?) -> String {
        func number(_ text: String?) -> UInt32? {
            guard let address = text.flatMap(Formats.IPAddress.init), address.isIPv4 else { return nil }
            return address.bytes.reduce(0) { $0 << 8 | UInt32($1) }
        }
        guard let start = number(first), let end = number(last), start > 0, end >= start else {
            return "\(first ?? "")-\(last ?? "")"
        }
        let network = start - 1
        let size = UInt64(end - network) + 1
        guard size & (size - 1) == 0, UInt64(network) % size == 0 else { return "\(first ?? "")-\(last ?? "")" }
        let prefix = 32 - size.trailingZeroBitCount
        let bytes = (0..<4).map { String((network >> (24 - 8 * $0)) & 0xff) }
        return bytes.joined(separator: ".") + "/\(prefix)"
    }

    /// The `/dev/shm` size Podman gives a container without `--shm-size` (65536k, as Podman 4.3 counts it).
    static let defaultShmBytes = 65_536_000

    /// The process limit of a container without `--pids-limit` (containers.conf's default `pids_limit`).
    static let defaultPidsLimit = 2_048

    /// A restart policy as `NAME[:N]`, with Podman's empty name meaning `no`.
    static func restart(name: String?, retries: Int?) -> String {
        let policy = (name ?? "").isEmpty ? "no" : (name ?? "no")
        if policy == "on-failure", let retries, retries > 0 { return "on-failure:\(retries)" }
        return policy
    }

    /// A ulimit name without `RLIMIT_`, lower-cased (`RLIMIT_NOFILE` → `nofile`).
    static func ulimitName(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasPrefix("rlimit_") ? String(lower.dropFirst(7)) : lower
    }

    /// `KEY=VALUE` lines as a map (the first `=` splits; a line without one is a key with an empty value).
    static func environment(_ lines: [String]) -> [String: String] {
        var map: [String: String] = [:]
        for line in lines {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            map[String(parts[0])] = parts.count == 2 ? String(parts[1]) : ""
        }
        return map
    }

    /// The first host address of an IPv4 or IPv6 subnet (Podman's default gateway), or `nil`.
    static func firstHost(of subnet: String) -> String? {
        guard let block = Formats.CIDRBlock(subnet) else { return nil }
        var bytes = block.network.bytes
        guard let last = bytes.indices.last else { return nil }
        bytes[last] = bytes[last] &+ 1
        if block.network.isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
        return Formats.IPAddress(groups.joined(separator: ":"))?.description
    }

    /// A subnet in canonical form (`10.89.0.0/24`, `fd00::/64`).
    static func cidr(_ text: String) -> String { Formats.CIDRBlock(text)?.description ?? text }
}
