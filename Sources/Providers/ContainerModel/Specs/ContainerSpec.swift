import OCCore

/// A container: one entry of the `containers` section.
///
/// Podman fixes almost everything when a container is created, so most changes replace it; `state` and
/// `networks` (connect/disconnect) change in place. (`podman update` of `cpus`/`memory` is not used: Podman 4.3
/// changes only the running cgroup, and inspect and the next start keep the create-time limits.)
/// With `runtime: apple` the container is run by Apple's `container` CLI, which supports fewer options
/// (validation names each unsupported field).
package struct ContainerSpec: ResourceSpec, Equatable, Codable {
    /// Whether the container should be running.
    package enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Created and started.
        case running
        /// Created and kept stopped.
        case stopped
    }

    package static let section = "containers"

    /// A `transport: podman-exec` host runs its commands inside the container named by its `container` (or its
    /// own name).
    package static func backingName(for host: OCCore.Host) -> String? {
        host.transport == .podmanExec ? (host.container ?? host.name) : nil
    }

    /// The host whose container runtime runs the container.
    package var host: String
    /// Podman or Apple's `container`.
    package var runtime: ContainerRuntime
    /// The image reference, or the name of an `images` resource.
    package var image: String
    /// The arguments after the image (the image's `CMD` when `nil`).
    package var command: [String]?
    /// The entrypoint argv (the image's when `nil`).
    package var entrypoint: [String]?
    /// Environment variables.
    package var env: [String: String]
    /// Files of `KEY=VALUE` lines read into the environment.
    package var envFiles: [String]
    /// The networks, in the order written; empty means the runtime's default network.
    package var networks: [NetworkAttachment]
    /// Published ports.
    package var ports: [PortMapping]
    /// Extra `/etc/hosts` entries.
    package var addHosts: [HostEntry]
    /// Capabilities added, as written (see ``LinuxCapability``).
    package var capAdd: [String]
    /// Capabilities dropped, as written.
    package var capDrop: [String]
    /// Whether the root file system is read-only.
    package var readOnly: Bool
    /// The user (and group) the process runs as.
    package var user: String?
    /// Volume and bind mounts.
    package var volumes: [VolumeMount]
    /// tmpfs mounts, `PATH[:OPTIONS]`.
    package var tmpfs: [String]
    /// The restart policy.
    package var restart: RestartPolicy
    /// Labels (ocplan adds its own `io.ocplan.*` ownership labels).
    package var labels: [String: String]
    /// The health check.
    package var healthcheck: HealthCheck?
    /// Security options (`no-new-privileges`, `label=…`, `seccomp=…`).
    package var securityOpt: [String]
    /// The working directory inside the container.
    package var workdir: String?
    /// DNS servers for the container.
    package var dns: [String]
    /// The memory limit as written (`512m`, `2G`); see ``memoryBytes``.
    package var memory: String?
    /// The CPU limit (`1.5`).
    package var cpus: Double?
    /// Running or stopped.
    package var state: State
    /// Resource limits by name (`nofile`, `nproc`).
    package var ulimits: [String: Ulimit]
    /// Whether the container runs privileged (every capability and device, no confinement).
    package var privileged: Bool
    /// The host name inside the container (the short container ID when `nil`).
    package var hostname: String?
    /// The signal that stops the container, as written (`SIGINT`, `INT`, `2`); see ``stopSignalNumber``.
    package var stopSignal: String?
    /// Seconds to wait after the stop signal before killing the container (10 when `nil`).
    package var stopTimeout: Int?
    /// Whether a pseudo-terminal is allocated.
    package var tty: Bool
    /// The size of `/dev/shm` as written (`128m`); see ``shmBytes``.
    package var shmSize: String?
    /// The most processes the container may run (0 or -1: unlimited; containers.conf's 2048 when `nil`).
    package var pidsLimit: Int?
    /// Extra groups of the process (names, GIDs, or `keep-groups`).
    package var groupAdd: [String]
    /// Namespaced kernel parameters of the container (`net.ipv4.ip_unprivileged_port_start: 80`).
    package var sysctls: [String: String]

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(
        host: String = "local",
        runtime: ContainerRuntime = .podman,
        image: String,
        command: [String]? = nil,
        entrypoint: [String]? = nil,
        env: [String: String] = [:],
        envFiles: [String] = [],
        networks: [NetworkAttachment] = [],
        ports: [PortMapping] = [],
        addHosts: [HostEntry] = [],
        capAdd: [String] = [],
        capDrop: [String] = [],
        readOnly: Bool = false,
        user: String? = nil,
        volumes: [VolumeMount] = [],
        tmpfs: [String] = [],
        restart: RestartPolicy = .no,
        labels: [String: String] = [:],
        healthcheck: HealthCheck? = nil,
        securityOpt: [String] = [],
        workdir: String? = nil,
        dns: [String] = [],
        memory: String? = nil,
        cpus: Double? = nil,
        state: State = .running,
        ulimits: [String: Ulimit] = [:],
        privileged: Bool = false,
        hostname: String? = nil,
        stopSignal: String? = nil,
        stopTimeout: Int? = nil,
        tty: Bool = false,
        shmSize: String? = nil,
        pidsLimit: Int? = nil,
        groupAdd: [String] = [],
        sysctls: [String: String] = [:]
    ) {
        self.host = host
        self.runtime = runtime
        self.image = image
        self.command = command
        self.entrypoint = entrypoint
        self.env = env
        self.envFiles = envFiles
        self.networks = networks
        self.ports = ports
        self.addHosts = addHosts
        self.capAdd = capAdd
        self.capDrop = capDrop
        self.readOnly = readOnly
        self.user = user
        self.volumes = volumes
        self.tmpfs = tmpfs
        self.restart = restart
        self.labels = labels
        self.healthcheck = healthcheck
        self.securityOpt = securityOpt
        self.workdir = workdir
        self.dns = dns
        self.memory = memory
        self.cpus = cpus
        self.state = state
        self.ulimits = ulimits
        self.privileged = privileged
        self.hostname = hostname
        self.stopSignal = stopSignal
        self.stopTimeout = stopTimeout
        self.tty = tty
        self.shmSize = shmSize
        self.pidsLimit = pidsLimit
        self.groupAdd = groupAdd
        self.sysctls = sysctls
    }

    package var hostNames: [String] { [host] }

    package static let outputs = [
        OutputField("id", doc: "The container's ID (a new one when it is replaced)."),
        OutputField(
            "ipv4", doc: "Its IPv4 address on a network it joins: ipv4.NETWORK (known while it runs).", keyed: true),
    ]

    /// The stop signal's number (Linux numbering), or `nil` when unset or not a signal.
    package var stopSignalNumber: Int? { stopSignal.flatMap(StopSignal.number) }

    /// The seconds a stop, restart or removal waits before it kills the container.
    package var stopSeconds: Int { stopTimeout ?? StopSignal.defaultTimeout }

    /// The `/dev/shm` size in bytes, or `nil` when unset or not a size.
    package var shmBytes: Int64? { shmSize.flatMap(ByteSizeText.bytes) }

    /// The memory limit in bytes, or `nil` when unset or not a size.
    package var memoryBytes: Int64? { memory.flatMap(ByteSizeText.bytes) }

    /// `capAdd` in Podman's canonical form (`CAP_NET_RAW`, `ALL`), unknown names left out.
    package var normalizedCapAdd: [String] { capAdd.compactMap(LinuxCapability.normalized) }

    /// `capDrop` in Podman's canonical form, unknown names left out.
    package var normalizedCapDrop: [String] { capDrop.compactMap(LinuxCapability.normalized) }

    /// Depends on the declared networks, named volumes and `images` resource it names, when they exist.
    ///
    /// None is required: `podman` and other existing networks, volumes Podman creates on first use and plain
    /// image references are all valid without a declaration.
    package func references() -> [SpecReference] {
        var references = networks.map { attachment -> SpecReference in
            // `container:NAME` shares that container's network namespace: it must exist first.
            if attachment.name.hasPrefix("container:") {
                return SpecReference(
                    Address("containers", String(attachment.name.dropFirst("container:".count))),
                    at: "networks.\(attachment.name)", required: false)
            }
            return SpecReference(
                Address("networks", attachment.name), at: "networks.\(attachment.name)", required: false)
        }
        for (index, mount) in volumes.enumerated() where mount.kind == .named {
            if let source = mount.source {
                references.append(SpecReference(Address("volumes", source), at: "volumes[\(index)]", required: false))
            }
        }
        references.append(SpecReference(Address("images", image), at: "image", required: false))
        return references
    }

    // MARK: - Codable

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, runtime, image, command, entrypoint, env, envFiles, networks, ports, addHosts, capAdd, capDrop
        case readOnly, user, volumes, tmpfs, restart, labels, healthcheck, securityOpt, workdir, dns, memory, cpus
        case state, ulimits, privileged, hostname, stopSignal, stopTimeout, tty, shmSize, pidsLimit, groupAdd
        case sysctls
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(image: try c.decode(String.self, forKey: .image))
        host = try c.decode(.host, default: "local")
        runtime = try c.decode(.runtime, default: .podman)
        command = try c.decodeArgvIfPresent(.command)
        entrypoint = try c.decodeArgvIfPresent(.entrypoint)
        env = try c.decode(.env, default: [:])
        envFiles = try c.decode(.envFiles, default: [])
        networks = try Self.decodeNetworks(c)
        ports = try c.decode(.ports, default: [])
        addHosts = try c.decode(.addHosts, default: [])
        capAdd = try c.decode(.capAdd, default: [])
        capDrop = try c.decode(.capDrop, default: [])
        readOnly = try c.decode(.readOnly, default: false)
        user = try c.decodeIfPresent(String.self, forKey: .user)
        volumes = try c.decode(.volumes, default: [])
        tmpfs = try c.decode(.tmpfs, default: [])
        restart = try c.decode(.restart, default: .no)
        labels = try c.decode(.labels, default: [:])
        healthcheck = try c.decodeIfPresent(HealthCheck.self, forKey: .healthcheck)
        securityOpt = try c.decode(.securityOpt, default: [])
        workdir = try c.decodeIfPresent(String.self, forKey: .workdir)
        dns = try c.decode(.dns, default: [])
        memory = try c.decodeIfPresent(String.self, forKey: .memory)
        cpus = try c.decodeNumberIfPresent(.cpus)
        state = try c.decode(.state, default: .running)
        ulimits = try c.decode(.ulimits, default: [:])
        privileged = try c.decode(.privileged, default: false)
        hostname = try c.decodeIfPresent(String.self, forKey: .hostname)
        stopSignal = try Self.decodeStopSignal(c)
        stopTimeout = try c.decodeIfPresent(Int.self, forKey: .stopTimeout)
        tty = try c.decode(.tty, default: false)
        shmSize = try c.decodeIfPresent(String.self, forKey: .shmSize)
        pidsLimit = try c.decodeIfPresent(Int.self, forKey: .pidsLimit)
        groupAdd = try c.decode(.groupAdd, default: [])
        sysctls = try c.decode(.sysctls, default: [:])
    }

    /// Reads `stopSignal` as a name or a number (compose writes both).
    private static func decodeStopSignal(_ c: KeyedDecodingContainer<CodingKeys>) throws -> String? {
        if let number = try? c.decodeIfPresent(Int.self, forKey: .stopSignal) { return String(number) }
        return try c.decodeIfPresent(String.self, forKey: .stopSignal)
    }

    /// Reads `networks` as a list of names or as a mapping of name to attachment options.
    private static func decodeNetworks(_ c: KeyedDecodingContainer<CodingKeys>) throws -> [NetworkAttachment] {
        if let attachments = try c.decodeOrderedMapIfPresent(
            .networks, body: { try NetworkAttachment(name: $0, body: $1) })
        {
            return attachments
        }
        return try c.decode(.networks, default: [String]()).map { NetworkAttachment(name: $0) }
    }

    /// Encodes the canonical form: networks as a list of names when no attachment has options, else a mapping.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(host, forKey: .host)
        try c.encode(runtime, forKey: .runtime)
        try c.encode(image, forKey: .image)
        try c.encodeIfPresent(command, forKey: .command)
        try c.encodeIfPresent(entrypoint, forKey: .entrypoint)
        try c.encode(env, forKey: .env)
        try c.encode(envFiles, forKey: .envFiles)
        if networks.allSatisfy(\.isPlain) {
            try c.encode(networks.map(\.name), forKey: .networks)
        } else {
            var map = c.nestedContainer(keyedBy: DynamicCodingKey.self, forKey: .networks)
            for attachment in networks {
                try attachment.encodeBody(to: map.superEncoder(forKey: DynamicCodingKey(attachment.name)))
            }
        }
        try c.encode(ports, forKey: .ports)
        try c.encode(addHosts, forKey: .addHosts)
        try c.encode(capAdd, forKey: .capAdd)
        try c.encode(capDrop, forKey: .capDrop)
        try c.encode(readOnly, forKey: .readOnly)
        try c.encodeIfPresent(user, forKey: .user)
        try c.encode(volumes, forKey: .volumes)
        try c.encode(tmpfs, forKey: .tmpfs)
        try c.encode(restart, forKey: .restart)
        try c.encode(labels, forKey: .labels)
        try c.encodeIfPresent(healthcheck, forKey: .healthcheck)
        try c.encode(securityOpt, forKey: .securityOpt)
        try c.encodeIfPresent(workdir, forKey: .workdir)
        try c.encode(dns, forKey: .dns)
        try c.encodeIfPresent(memory, forKey: .memory)
        try c.encodeIfPresent(cpus, forKey: .cpus)
        try c.encode(state, forKey: .state)
        try c.encode(ulimits, forKey: .ulimits)
        try c.encode(privileged, forKey: .privileged)
        try c.encodeIfPresent(hostname, forKey: .hostname)
        try c.encodeIfPresent(stopSignal, forKey: .stopSignal)
        try c.encodeIfPresent(stopTimeout, forKey: .stopTimeout)
        try c.encode(tty, forKey: .tty)
        try c.encodeIfPresent(shmSize, forKey: .shmSize)
        try c.encodeIfPresent(pidsLimit, forKey: .pidsLimit)
        try c.encode(groupAdd, forKey: .groupAdd)
        try c.encode(sysctls, forKey: .sysctls)
    }
}
