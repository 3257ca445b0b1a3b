import OCCore

extension ContainerSpec {
    /// The keys of a `containers` entry.
    package static let schema = ObjectSchema(
        "A container run by Podman (or Apple's `container` with `runtime: apple`).",
        fields: [
            FieldSchema(
                "host", .reference("hosts"),
                doc: "The host whose container runtime runs the container.", default: "local", update: .replace),
            FieldSchema(
                "runtime", .enumeration(ContainerRuntime.allCases.map(\.rawValue)),
                doc: "The container engine: Podman, or Apple's `container` CLI on macOS 26 (fewer options).",
                default: "podman", update: .replace),
            FieldSchema(
                "image", .string(), required: true,
                doc: "The image reference (`docker.io/ubuntu/squid:6.6`), or the name of an `images` resource, "
                    + "which the container then depends on. A new image ID replaces the container.",
                update: .replace),
            FieldSchema(
                "command", .oneOf([.strings, .string()]),
                doc: "The arguments after the image: an argv list, or one string split into words as compose "
                    + "splits it (quotes and backslashes as in a POSIX shell, nothing expanded; never run through a "
                    + "shell).",
                default: "the image's CMD", update: .replace),
            FieldSchema(
                "entrypoint", .oneOf([.strings, .string()]),
                doc: "The entrypoint argv, as a list or one string split like `command`. Setting it drops the "
                    + "image's CMD (as Docker does): give `command` too.",
                default: "the image's ENTRYPOINT",
                update: .replace),
            FieldSchema(
                "env", .stringMap,
                doc: "Environment variables. The running container's are compared without those the image sets "
                    + "(to the same value) and those Podman adds (`HOME`, `HOSTNAME`, `PATH`, `TERM`, `container`).",
                default: "{}", update: .replace),
            FieldSchema(
                "envFiles", .list(.string(.path)), doc: "Files of KEY=VALUE lines, relative to the manifest file.",
                default: "[]", update: .replace),
            FieldSchema(
                "networks", .oneOf([.list(.string(.name)), .map(.object(attachmentSchema))]),
                doc: "The networks to join: a list of names, or a mapping of name to `{aliases, ipv4, ipv6}`. "
                    + "Names may be `networks` resources, Podman's `podman` or existing networks; a mode (`host`, "
                    + "`none`, `container:NAME`, which shares that container's network and depends on it) alone.",
                default: "the runtime's default network", update: .inPlace),
            FieldSchema(
                "ports", .list(.oneOf([.string(.portMapping), .object(portSchema)])),
                doc: "Published ports: `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp]` strings (protocol in any case) "
                    + "(`127.0.0.1:3478:3478/udp`, ranges `8000-8010:8000-8010`) or objects.",
                default: "[]", update: .replace),
            FieldSchema(
                "addHosts", .strings,
                doc:
                    "Extra /etc/hosts entries, `NAME:IP` or `NAME:host-gateway` (the host as seen from the container).",
                default: "[]", update: .replace),
            FieldSchema(
                "capAdd", .list(.string(.name)),
                doc: "Capabilities to add: `NET_ADMIN`, `CAP_NET_ADMIN` or `ALL`, any case.",
                default: "[]", update: .replace),
            FieldSchema(
                "capDrop", .list(.string(.name)), doc: "Capabilities to drop, e.g. `[ALL]`.", default: "[]",
                update: .replace),
            FieldSchema(
                "readOnly", .boolean, doc: "Whether the root file system is mounted read-only.", default: "false",
                update: .replace),
            FieldSchema(
                "user", .string(.name), doc: "The user (`name`, `uid` or `uid:gid`) the process runs as.",
                default: "the image's USER", update: .replace),
            FieldSchema(
                "volumes", .list(.oneOf([.string(.path), .object(mountSchema)])),
                doc: "Mounts: `SOURCE:TARGET[:OPTIONS]` strings or objects. A source starting with `/`, `./`, "
                    + "`../` or `~` is a bind mount (relative to the manifest file); other sources name volumes. Paths "
                    + "are compared cleaned (`./data//` is `./data`). An anonymous volume removed from the list is "
                    + "removed; the image's own `VOLUME`s are not compared.",
                default: "[]", update: .replace),
            FieldSchema(
                "tmpfs", .list(.string(.path)), doc: "tmpfs mounts, `PATH[:OPTIONS]` (`/var/run/headscale`).",
                default: "[]",
                update: .replace),
            FieldSchema(
                "restart", .string(.name),
                doc: "The restart policy: `no`, `always`, `on-failure[:N]` or `unless-stopped`.", default: "no",
                update: .replace),
            FieldSchema(
                "labels", .stringMap,
                doc: "Labels; keys starting with `io.ocplan.` are reserved for ocplan's own marks. Only the keys "
                    + "set here (or at the last apply) are compared: labels from the image or from other tools "
                    + "(`PODMAN_SYSTEMD_UNIT`) are not.",
                default: "{}", update: .replace),
            FieldSchema(
                "healthcheck", .object(healthCheckSchema), doc: "The health check.", default: "the image's",
                update: .replace),
            FieldSchema(
                "securityOpt", .strings,
                doc: "Security options: `no-new-privileges`, `label=…`, `seccomp=…`, `apparmor=…`, `mask=…`, "
                    + "`unmask=…`.",
                default: "[]", update: .replace),
            FieldSchema(
                "workdir", .string(.path), doc: "The absolute working directory inside the container.",
                default: "the image's WORKDIR", update: .replace),
            FieldSchema(
                "dns", .list(.string(.ipAddress)), doc: "DNS servers for the container.",
                default: "the network's resolver", update: .replace),
            FieldSchema(
                "memory", .string(.size),
                doc: "The memory limit (`512m`, `2G`); at least 6 MiB. Podman 4.3's `podman update` changes only the "
                    + "running cgroup (inspect and the next start keep the old limit), so a change replaces.",
                default: "unlimited", update: .replace),
            FieldSchema(
                "cpus", .string(.name), doc: "The CPU limit as a decimal number of CPUs (`1.5`); a change replaces.",
                default: "unlimited", update: .replace),
            FieldSchema(
                "state", .enumeration(State.allCases.map(\.rawValue)),
                doc: "Whether the container should be running or created and stopped.", default: "running",
                update: .inPlace),
            FieldSchema(
                "ulimits", .map(.oneOf([.integer(), .string(), .object(ulimitSchema)])),
                doc: "Resource limits by name (`nofile: 1024`, `nproc: \"4096:8192\"`, `{soft, hard}`); -1 is "
                    + "unlimited. Setting any replaces the containers.conf defaults, so give `nofile` and `nproc`.",
                default: "containers.conf defaults", update: .replace),
            FieldSchema(
                "privileged", .boolean,
                doc: "Whether the container runs privileged: every capability, every host device, no seccomp or "
                    + "SELinux confinement (validation warns). Prefer `capAdd` with the capabilities it needs.",
                default: "false", update: .replace),
            FieldSchema(
                "hostname", .string(.name), doc: "The host name inside the container.",
                default: "the short container ID", update: .replace),
            FieldSchema(
                "stopSignal", .oneOf([.string(.name), .integer(min: 1, max: 64)]),
                doc: "The signal that stops the container: `SIGINT`, `INT` or `2` (compared as its number).",
                default: "the image's STOPSIGNAL, else SIGTERM", update: .replace),
            FieldSchema(
                "stopTimeout", .integer(min: 0),
                doc: "Seconds to wait after the stop signal before killing the container; also the wait of "
                    + "ocplan's own stop, `restartOn` restart and removal.",
                default: "10", update: .replace),
            FieldSchema(
                "tty", .boolean, doc: "Whether a pseudo-terminal is allocated.", default: "false",
                update: .replace),
            FieldSchema(
                "shmSize", .string(.size), doc: "The size of `/dev/shm` (`128m`, `1g`), compared in bytes.",
                default: "Podman's 64 MB (65536000 bytes)", update: .replace),
            FieldSchema(
                "pidsLimit", .integer(min: -1),
                doc: "The most processes the container may run; 0 or -1 is unlimited (compared as 0).",
                default: "containers.conf's pids_limit (2048)", update: .replace),
            FieldSchema(
                "groupAdd", .list(.string(.name)),
                doc: "Extra groups of the process: names from the image's /etc/group, GIDs, or `keep-groups`. "
                    + "Compared as a set.",
                default: "[]", update: .replace),
            FieldSchema(
                "sysctls", .stringMap,
                doc: "Kernel parameters of the container's namespaces (`net.*`, `kernel.shm*`, `kernel.msg*`, "
                    + "`kernel.sem`, `fs.mqueue.*`). Podman 4.3 does not report them, so they are compared through "
                    + "the spec hash: a change by hand is not seen.",
                default: "{}", update: .replace),
        ]
    )

    /// The options of one network attachment.
    static let attachmentSchema = ObjectSchema(
        "How the container joins one network.",
        fields: [
            FieldSchema(
                "aliases", .list(.string(.name)), doc: "Extra DNS names of the container on this network.",
                default: "[]",
                update: .inPlace),
            FieldSchema(
                "ipv4", .string(.ipAddress), doc: "A static IPv4 address inside the network's subnet.",
                default: "assigned by the network", update: .inPlace),
            FieldSchema(
                "ipv6", .string(.ipAddress), doc: "A static IPv6 address inside the network's IPv6 subnet.",
                default: "assigned by the network", update: .inPlace),
        ]
    )

    /// The object form of a published port.
    static let portSchema = ObjectSchema(
        "A published port.",
        fields: [
            FieldSchema(
                "hostIP", .string(.ipAddress), doc: "The host address to bind.", default: "every address",
                update: .replace),
            FieldSchema(
                "hostPort", .oneOf([.port, .string()]), doc: "The host port or range (`8000-8010`).",
                default: "a free port chosen by the runtime", update: .replace),
            FieldSchema(
                "containerPort", .oneOf([.port, .string()]), required: true,
                doc: "The container port or range.", update: .replace),
            FieldSchema(
                "protocol", .enumeration(["tcp", "udp", "sctp", "TCP", "UDP", "SCTP"]),
                doc: "The transport protocol (in either case, as Podman takes it; stored in lower case).",
                default: "tcp", update: .replace),
        ]
    )

    /// The object form of a mount.
    static let mountSchema = ObjectSchema(
        "A volume or bind mount.",
        fields: [
            FieldSchema(
                "source", .string(.path), doc: "A host path (bind mount) or a volume name.",
                default: "none (an anonymous volume)", update: .replace),
            FieldSchema(
                "target", .string(.path), required: true, doc: "The absolute path inside the container.",
                update: .replace),
            FieldSchema(
                "readOnly", .boolean, doc: "Whether the mount is read-only.", default: "false", update: .replace),
            FieldSchema(
                "options", .strings, doc: "Other mount options (`z`, `Z`, `U`, `nocopy`).", default: "[]",
                update: .replace),
        ]
    )

    /// The keys of `healthcheck`.
    static let healthCheckSchema = ObjectSchema(
        "A container health check.",
        fields: [
            FieldSchema(
                "test", .strings, required: true,
                doc: "The check command as an argv list, run without a shell (`[headscale, health]`).",
                update: .replace),
            FieldSchema(
                "interval", .string(.duration), doc: "Time between checks.", default: "30s", update: .replace),
            FieldSchema("timeout", .string(.duration), doc: "Time a check may take.", default: "30s", update: .replace),
            FieldSchema(
                "retries", .integer(min: 0), doc: "Consecutive failures before the container is unhealthy.",
                default: "3", update: .replace),
            FieldSchema(
                "startPeriod", .string(.duration), doc: "Grace period after start during which failures do not count.",
                default: "0s", update: .replace),
        ]
    )

    /// The object form of a ulimit.
    static let ulimitSchema = ObjectSchema(
        "A soft and hard resource limit.",
        fields: [
            FieldSchema(
                "soft", .integer(min: -1), required: true, doc: "The soft limit (-1: unlimited).", update: .replace),
            FieldSchema(
                "hard", .integer(min: -1), doc: "The hard limit (-1: unlimited).", default: "the soft limit",
                update: .replace),
        ]
    )
}
