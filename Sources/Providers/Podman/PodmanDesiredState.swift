import Foundation
import OCContainerModel
import OCCore

/// Maps the container model's specs to the Podman provider's attribute trees.
///
/// Values are written in the canonical forms of ``PodmanTree`` so that the observed tree of an object
/// created from the spec is equal to it field by field.
package enum PodmanDesiredState {
    /// The ulimits a container gets when its spec sets some ulimits but not these.
    ///
    /// Podman drops containers.conf's `default_ulimits` as soon as one `--ulimit` is given and then asks runc for
    /// 1048576, which fails without `CAP_SYS_RESOURCE` (reference §1). The values are the ones
    /// scripts/install-deps configures as containers.conf defaults.
    package static let ulimitDefaults: [String: Ulimit] = [
        "nofile": Ulimit(soft: 1_024, hard: 1_024), "nproc": Ulimit(soft: 4_096, hard: 4_096),
    ]

    /// The network modes that replace the container's network list (`--network host`).
    /// (`bridge` is not one here: it means Podman's default network, `podman`.)
    static let networkModes: Set<String> = ["host", "none", "private", "slirp4netns", "pasta"]

    /// Podman's default network.
    static let defaultNetwork = "podman"

    // MARK: - Networks

    /// The tree of a network.
    ///
    /// `subnet`, `gateway` and `ipv6Subnet` are present only when the manifest sets a subnet (an omitted
    /// subnet is whatever Podman picked); an omitted gateway is the subnet's first address, as Podman does.
    package static func network(_ spec: NetworkSpec, stack: String) -> Value {
        typealias Key = PodmanTree.Network
        let subnet = spec.subnet.map(PodmanTree.cidr)
        let gateway =
            spec.gateway.flatMap { Formats.IPAddress($0)?.description } ?? subnet.flatMap(PodmanTree.firstHost)
        return [
            Key.owner: .string(stack),
            Key.driver: .string(spec.driver.rawValue),
            Key.isInternal: .bool(spec.isInternal),
            Key.subnet: .string(subnet),
            Key.gateway: .string(gateway),
            Key.ipRange: .string(spec.ipRange.map(PodmanTree.cidr)),
            Key.ipv6: .bool(spec.ipv6),
            Key.ipv6Subnet: .string(spec.ipv6Subnet.map(PodmanTree.cidr)),
            Key.dns: .bool(spec.dns),
            Key.labels: PodmanTree.stringMap(spec.labels),
            Key.options: PodmanTree.stringMap(spec.options),
        ]
    }

    // MARK: - Volumes

    /// The tree of a volume.
    package static func volume(_ spec: VolumeSpec, stack: String) -> Value {
        typealias Key = PodmanTree.Volume
        return [
            Key.driver: .string(spec.driver),
            Key.options: PodmanTree.stringMap(spec.options),
            Key.labels: PodmanTree.stringMap(spec.labels),
            Key.deleteData: .bool(spec.deleteData),
        ]
    }

    // MARK: - Images

    /// The tree of an image: its reference and source, and the hash of what it is built or imported from.
    ///
    /// - Throws: an ``OCError`` when the build context or the tarball cannot be read.
    package static func image(_ spec: ImageSpec, resolve: (String) -> String) throws -> Value {
        typealias Key = PodmanTree.Image
        var tree: Value = [
            Key.reference: .string(spec.reference),
            Key.pull: .string(spec.pull.rawValue),
            Key.current: true,
        ]
        if let build = spec.build {
            let context = resolve(build.context)
            var buildTree: Value = [
                "context": .string(context),
                "args": PodmanTree.stringMap(build.args),
            ]
            if let file = build.file {
                // Relative to the context (ImageSpec), while `podman build -f` reads it relative to the working
                // directory.
                buildTree["file"] = .string(file.hasPrefix("/") ? file : context + "/" + file)
            }
            if let target = build.target { buildTree["target"] = .string(target) }
            let extra = String(decoding: buildTree.canonicalJSON, as: UTF8.self)
                .replacingOccurrences(of: context, with: ".")
            tree[Key.source] = "build"
            tree[Key.build] = buildTree
            tree[Key.buildHash] = .string(try ContentHash.directory(context, extra: extra))
        } else if let importFrom = spec.importFrom {
            let path = resolve(importFrom)
            tree[Key.source] = "import"
            tree[Key.importFrom] = .string(path)
            tree[Key.importHash] = .string(try ContentHash.file(path))
        } else {
            tree[Key.source] = "pull"
        }
        return tree
    }

    // MARK: - Containers

    /// The tree of a container.
    ///
    /// - Parameters:
    ///   - spec: the validated spec.
    ///   - stack: the stack name (the `owner`).
    ///   - imageReference: the reference to run (an `images` resource's, when `image` names one).
    ///   - resolve: turns a manifest path into an absolute one (bind mounts, env files).
    ///   - environment: the environment a bare `KEY` line of an env file reads.
    ///   - sensitive: receives the marks of the values read from env files (`env.KEY`).
    /// - Returns: the tree.
    /// - Throws: a `LocalFile.Failure` naming the path and its `envFiles` key when an env file cannot be read.
    package static func container(
        _ spec: ContainerSpec,
        stack: String,
        imageReference: String,
        resolve: (String) -> String,
        environment: [String: String] = [:],
        sensitive: SensitivityMarks? = nil
    ) throws -> Value {
        typealias Key = PodmanTree.Container
        var env: [String: String] = [:]
        for (index, file) in spec.envFiles.enumerated() {
            let values: [String: String]
            do {
                values = try envFile(resolve(file), environment: environment)
            } catch let error as LocalFile.Failure {
                throw error.at(key: "envFiles[\(index)]")
            }
            for key in values.keys { sensitive?.mark(ValuePath([.key(Key.env), .key(key)])) }
            env.merge(values) { $1 }
        }
        env.merge(spec.env) { $1 }

        var tree: Value = [
            Key.owner: .string(stack),
            Key.image: .string(imageReference),
            Key.imageCurrent: true,
            Key.command: spec.command.map(Value.strings) ?? .null,
            Key.entrypoint: spec.entrypoint.map(Value.strings) ?? .null,
            Key.env: PodmanTree.stringMap(env),
            Key.ports: .strings(ports(spec.ports)),
            Key.addHosts: .strings(spec.addHosts.map(addHost)),
            Key.capAdd: PodmanTree.capabilities(spec.capAdd),
            Key.capDrop: PodmanTree.capabilities(spec.capDrop),
            Key.readOnly: .bool(spec.readOnly),
            Key.user: .string(spec.user),
            Key.volumes: .strings(mounts(spec.volumes, resolve: resolve)),
            Key.tmpfs: .strings(spec.tmpfs.map(tmpfs).sorted()),
            Key.restart: .string(PodmanTree.restart(name: spec.restart.name, retries: spec.restart.maxRetries)),
            Key.labels: PodmanTree.stringMap(spec.labels),
            Key.healthcheck: spec.healthcheck.map(healthcheck) ?? .null,
            Key.securityOpt: .strings(spec.securityOpt.compactMap(PodmanTree.securityOption).sorted()),
            Key.workdir: .string(spec.workdir.map(path)),
            Key.dns: .strings(spec.dns.map { Formats.IPAddress($0)?.description ?? $0 }),
            Key.memory: spec.memoryBytes.map { .int(Int($0)) } ?? .null,
            Key.cpus: spec.cpus.map { .string(PodmanTree.cpus(nano: PodmanTree.nanoCPUs($0))) } ?? .null,
            Key.ulimits: ulimits(spec.ulimits),
            Key.privileged: .bool(spec.privileged),
            Key.hostname: .string(spec.hostname),
            Key.stopSignal: spec.stopSignalNumber.map { .int($0) } ?? .null,
            Key.stopTimeout: .int(spec.stopSeconds),
            Key.tty: .bool(spec.tty),
            Key.shmSize: spec.shmBytes.map { .int(Int($0)) } ?? .null,
            Key.pidsLimit: spec.pidsLimit.map { .int(max($0, 0)) } ?? .null,
            Key.groupAdd: .strings(Set(spec.groupAdd).sorted()),
            Key.sysctls: PodmanTree.stringMap(spec.sysctls),
            Key.state: .string(spec.state.rawValue),
        ]
        var attachments = spec.networks.isEmpty ? [NetworkAttachment(name: defaultNetwork)] : spec.networks
        for index in attachments.indices where attachments[index].name == "bridge" {
            attachments[index].name = defaultNetwork
        }
        if let mode = attachments.first(where: { isNetworkMode($0.name) })?.name {
            tree[Key.networkMode] = .string(mode)
            tree[Key.networks] = .map([:])
            tree[Key.networkOrder] = .strings([])
        } else {
            tree[Key.networkMode] = "bridge"
            tree[Key.networks] = .map(
                Dictionary(attachments.map { ($0.name, attachment($0)) }, uniquingKeysWith: { first, _ in first }))
            tree[Key.networkOrder] = .strings(attachments.map(\.name))
        }
        return tree
    }

    /// The values Podman cannot report faithfully, taken from a container tree: the spec hash covers them.
    ///
    /// Podman 4.3 reports dropped capabilities as `null` with `ALL` and as a computed list otherwise, no sysctls, an
    /// `addHosts` entry `NAME:host-gateway` as the address it stood for, and no mount options.
    static func hashedFields(ofContainer tree: Value) -> Value {
        typealias Key = PodmanTree.Container
        var options: [String: Value] = [:]
        for text in tree[Key.volumes].listValue ?? [] {
            guard let mount = text.stringValue.flatMap(MountText.init(parsing:)), !mount.options.isEmpty else {
                continue
            }
            options[mount.target] = .strings(mount.options)
        }
        var fields: Value = [
            Key.capAdd: tree[Key.capAdd],
            Key.capDrop: tree[Key.capDrop],
            Key.addHosts: tree[Key.addHosts],
            "mountOptions": .map(options),
        ]
        // Only when set: the hash of every container created before the field existed stays the same.
        if let sysctls = tree[Key.sysctls].mapValue, !sysctls.isEmpty { fields[Key.sysctls] = .map(sysctls) }
        return fields
    }

    /// The spec hash label value of a container tree.
    static func containerHash(_ tree: Value) -> String { PodmanLabels.hash(hashedFields(ofContainer: tree)) }

    // MARK: - Canonical pieces

    /// Whether a `networks` entry is a network mode (`host`, `none`, `container:NAME`) rather than a network.
    static func isNetworkMode(_ name: String) -> Bool { networkModes.contains(name) || name.contains(":") }

    /// One attachment as `{aliases, ipv4, ipv6}`.
    static func attachment(_ attachment: NetworkAttachment) -> Value {
        typealias Key = PodmanTree.Attachment
        return [
            Key.aliases: .strings(Set(attachment.aliases).sorted()),
            Key.ipv4: .string(attachment.ipv4.map { Formats.IPAddress($0)?.description ?? $0 }),
            Key.ipv6: .string(attachment.ipv6.map { Formats.IPAddress($0)?.description ?? $0 }),
        ]
    }

    /// Published ports, one entry per port of a range, sorted.
    static func ports(_ mappings: [PortMapping]) -> [String] {
        var out = Set<String>()
        for mapping in mappings {
            for offset in 0..<max(1, mapping.containerPort.count) {
                out.insert(
                    PodmanTree.port(
                        hostIP: mapping.hostIP, hostPort: mapping.hostPort.map { $0.lower + offset },
                        containerPort: mapping.containerPort.lower + offset, proto: mapping.proto))
            }
        }
        return out.sorted()
    }

    /// `NAME:ADDRESS` with the address in canonical form.
    static func addHost(_ entry: HostEntry) -> String {
        if entry.isHostGateway { return entry.description }
        return "\(entry.hostname):\(Formats.IPAddress(entry.address)?.description ?? entry.address)"
    }

    /// Mounts in canonical form, sorted by target.
    static func mounts(_ mounts: [VolumeMount], resolve: (String) -> String) -> [String] {
        mounts.map { mount in
            let source: String
            switch mount.kind {
            case .bind: source = path(resolve(mount.source ?? ""))
            case .named: source = mount.source ?? ""
            case .anonymous: source = ""
            }
            return MountText(
                source: source, target: path(mount.target), readOnly: mount.readOnly, options: mount.options.sorted()
            ).description
        }.sorted { (MountText(parsing: $0)?.target ?? $0) < (MountText(parsing: $1)?.target ?? $1) }
    }

    /// A tmpfs entry `PATH[:OPTIONS]` in canonical form.
    static func tmpfs(_ entry: String) -> String {
        let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        return PodmanTree.tmpfs(path: path(String(parts[0])), options: parts.count == 2 ? String(parts[1]) : nil)
    }

    /// The health check with durations in canonical Go form.
    static func healthcheck(_ check: HealthCheck) -> Value {
        func duration(_ text: String) -> Value {
            .string(PodmanTree.nanoseconds(text).map { PodmanTree.duration(nanoseconds: $0) } ?? text)
        }
        return [
            "test": .strings(check.test),
            "interval": duration(check.interval),
            "timeout": duration(check.timeout),
            "retries": .int(check.retries),
            "startPeriod": duration(check.startPeriod),
        ]
    }

    /// Ulimits as `{name: "SOFT:HARD"}`, with `nofile` and `nproc` added when the spec sets others only.
    static func ulimits(_ limits: [String: Ulimit]) -> Value {
        guard !limits.isEmpty else { return .map([:]) }
        let merged = ulimitDefaults.merging(limits) { $1 }
        return .map(merged.mapValues { .string($0.description) })
    }

    /// A path cleaned as Podman (Go's `filepath.Clean`) reports it: repeated and trailing slashes, `.` and `..`
    /// components resolved lexically (`/srv//data/` → `/srv/data`, `/a/./b/../c` → `/a/c`).
    static func path(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        let absolute = text.hasPrefix("/")
        var parts: [Substring] = []
        for part in text.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute {
                continue
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// Reads an env file as Podman's `--env-file` does: `KEY=VALUE` lines, `#` comments and blank lines
    /// skipped, a bare `KEY` taken from `environment` when set there.
    ///
    /// - Throws: a `LocalFile.Failure` when the file is missing, is not a regular file or cannot be read.
    static func envFile(_ path: String, environment: [String: String]) throws -> [String: String] {
        let data = try LocalFile.readRegular(path: path)
        var values: [String: String] = [:]
        for raw in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            if parts.count == 2 {
                values[key] = String(parts[1])
            } else if let value = environment[key] {
                values[key] = value
            }
        }
        return values
    }
}

/// A mount in the provider's canonical text form `SOURCE:TARGET:MODE[,OPTION…]` (`MODE` is `ro` or `rw`;
/// `SOURCE` is empty for an anonymous volume).
struct MountText: Hashable, CustomStringConvertible {
    var source: String
    var target: String
    var readOnly: Bool
    var options: [String]

    init(source: String, target: String, readOnly: Bool, options: [String]) {
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.options = options
    }

    /// Parses the canonical form (splitting from the end, so a source may contain colons).
    init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3 else { return nil }
        let flags = parts[parts.count - 1].split(separator: ",").map(String.init)
        guard let mode = flags.first, mode == "ro" || mode == "rw" else { return nil }
        source = parts[..<(parts.count - 2)].joined(separator: ":")
        target = parts[parts.count - 2]
        readOnly = mode == "ro"
        options = Array(flags.dropFirst())
    }

    var description: String {
        "\(source):\(target):" + ([readOnly ? "ro" : "rw"] + options).joined(separator: ",")
    }

    /// Podman's `-v` value: `SOURCE:TARGET[:ro,OPTIONS]`, or `TARGET` for an anonymous volume (which takes no
    /// options in this form).
    var argument: String {
        if source.isEmpty { return target }
        let flags = (readOnly ? ["ro"] : []) + options
        let head = "\(source):\(target)"
        return flags.isEmpty ? head : head + ":" + flags.joined(separator: ",")
    }
}
