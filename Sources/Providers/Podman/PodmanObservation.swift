import Foundation
import OCContainerModel
import OCCore

/// Turns Podman's JSON into observed attribute trees of the same shape as the desired ones.
///
/// Normalisation needs the desired tree (or, for a resource being deleted, the last applied one): a value
/// the manifest leaves to Podman or to the image (a subnet, the image's command, an environment variable
/// the image sets) is observed as "unset" when it is what Podman or the image would give. See the
/// normalisation table in docs/providers/podman.md.
enum PodmanObservation {
    /// What a container publishes (``ContainerSpec/outputs``): its ID and, per network it is attached to while
    /// running, its IPv4 address there (Podman reports empty addresses for a stopped container).
    static func outputs(of container: PodmanJSON.Container) -> Value {
        var ipv4: [String: Value] = [:]
        for (network, attachment) in container.networkSettings?.networks ?? [:] {
            if let address = attachment.ipAddress, !address.isEmpty { ipv4[network] = .string(address) }
        }
        return ["id": .string(container.id), "ipv4": .map(ipv4)]
    }

    /// Environment variables Podman adds to a container, with their values (`nil`: any value).
    ///
    /// `HOME` is the user's home directory from the image's /etc/passwd (or `/`), added when the container starts.
    static let podmanEnvironment: [String: String?] = [
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "TERM": "xterm",
        "container": "podman",
        "HOSTNAME": nil,
        "HOME": nil,
    ]

    /// The tmpfs mounts Podman adds to a `--read-only` container (`read_only_tmpfs`).
    static let readOnlyTmpfs: Set<String> = ["/run", "/tmp", "/var/tmp"]

    // MARK: - Networks

    /// The observed tree of a network.
    ///
    /// - Parameters:
    ///   - network: the `network inspect` element.
    ///   - reference: the desired (or last applied) tree; subnets it leaves unset are observed as unset.
    /// - Returns: the tree.
    static func network(_ network: PodmanJSON.Network, reference: Value?) -> Value {
        typealias Key = PodmanTree.Network
        let subnets = network.subnets ?? []
        let v4 = subnets.first { $0.subnet.flatMap(Formats.CIDRBlock.init)?.isIPv4 == true }
        let v6 = subnets.first { $0.subnet.flatMap(Formats.CIDRBlock.init).map { !$0.isIPv4 } == true }
        func wanted(_ key: String) -> Bool { reference.map { !$0[key].isNull } ?? true }
        return [
            Key.owner: .string(network.labels?[PodmanLabels.stack]),
            Key.driver: .string(network.driver ?? "bridge"),
            Key.isInternal: .bool(network.isInternal ?? false),
            Key.subnet: wanted(Key.subnet) ? .string(v4?.subnet.map(PodmanTree.cidr)) : .null,
            Key.gateway: wanted(Key.gateway)
                ? .string(v4?.gateway.flatMap { Formats.IPAddress($0)?.description }) : .null,
            Key.ipRange: .string(v4?.leaseRange.map { PodmanTree.block(first: $0.startIP, last: $0.endIP) }),
            Key.ipv6: .bool(network.ipv6Enabled ?? false),
            Key.ipv6Subnet: wanted(Key.ipv6Subnet) ? .string(v6?.subnet.map(PodmanTree.cidr)) : .null,
            Key.dns: .bool(network.dnsEnabled ?? false),
            Key.labels: PodmanTree.stringMap(PodmanLabels.userLabels(network.labels)),
            Key.options: PodmanTree.stringMap(network.options ?? [:]),
        ]
    }

    // MARK: - Volumes

    /// The observed tree of a volume; `deleteData` (policy, not state) is the value given, which the caller
    /// takes from the last apply.
    static func volume(_ volume: PodmanJSON.Volume, deleteData: Bool) -> Value {
        typealias Key = PodmanTree.Volume
        return [
            Key.driver: .string(volume.driver ?? "local"),
            Key.options: PodmanTree.stringMap(volume.options ?? [:]),
            Key.labels: PodmanTree.stringMap(PodmanLabels.userLabels(volume.labels)),
            Key.deleteData: .bool(deleteData),
        ]
    }

    // MARK: - Images

    /// The observed tree of an image found under its reference.
    ///
    /// Source, pull policy and build parameters are not properties of an image and are copied from
    /// `reference`; the build and import hashes come from the image's labels.
    static func image(_ image: PodmanJSON.ImageListEntry, reference: Value) -> Value {
        typealias Key = PodmanTree.Image
        var tree = reference
        tree[Key.current] = .bool(reference[Key.pull].stringValue != "always")
        if !reference[Key.buildHash].isNull {
            tree[Key.buildHash] = .string(image.labels?[PodmanLabels.buildHash])
        }
        if !reference[Key.importHash].isNull {
            tree[Key.importHash] = .string(image.labels?[PodmanLabels.importHash])
        }
        return tree
    }

    // MARK: - Containers

    /// What a container's tree is compared with.
    struct ContainerContext: Sendable {
        /// The desired tree (`nil` when the resource is being deleted or was discovered).
        var desired: Value?
        /// The tree last applied (from the state journal).
        var lastApplied: Value?
        /// The image the container runs, for the defaults it inherits.
        var image: PodmanJSON.Image?
        /// The ID the container's image reference points at now (`nil`: not present).
        var currentImageID: String?
        /// The ID of the container whose network namespace the reference tree joins (`container:NAME`), when it
        /// exists.
        var sharedNamespaceID: String?

        /// Creates a context.
        init(desired: Value?, lastApplied: Value?, image: PodmanJSON.Image?, currentImageID: String?) {
            self.desired = desired
            self.lastApplied = lastApplied
            self.image = image
            self.currentImageID = currentImageID
        }

        /// The tree that says which values were left to the image or to Podman.
        var reference: Value? { desired ?? lastApplied }
    }

    /// The observed tree of a container.
    ///
    /// - Parameters:
    ///   - container: the `container inspect` element.
    ///   - context: the desired and last applied trees and the image's defaults.
    /// - Returns: the tree.
    static func container(_ container: PodmanJSON.Container, context: ContainerContext) -> Value {
        typealias Key = PodmanTree.Container
        let config = container.config
        let host = container.hostConfig
        let imageConfig = context.image?.config
        let reference = context.reference
        let hashed = hashedReference(container, context: context)

        var tree: Value = [
            Key.owner: .string(config?.labels?[PodmanLabels.stack]),
            Key.image: .string(image(of: container, context: context)),
            Key.imageCurrent: .bool(context.currentImageID != nil && container.image == context.currentImageID),
            Key.readOnly: .bool(host?.readonlyRootfs ?? false),
            Key.restart: .string(
                PodmanTree.restart(name: host?.restartPolicy?.name, retries: host?.restartPolicy?.maximumRetryCount)),
            Key.securityOpt: .strings((host?.securityOpt ?? []).compactMap(PodmanTree.securityOption).sorted()),
            Key.dns: .strings((host?.dns ?? []).map { Formats.IPAddress($0)?.description ?? $0 }),
            Key.memory: (host?.memory ?? 0) > 0 ? .int(host?.memory ?? 0) : .null,
            Key.cpus: (host?.nanoCpus ?? 0) > 0 ? .string(PodmanTree.cpus(nano: host?.nanoCpus ?? 0)) : .null,
            Key.state: .string(state(container.state?.status)),
            Key.privileged: .bool(host?.privileged ?? false),
            Key.stopTimeout: config?.stopTimeout.map { .int($0) } ?? .null,
            Key.tty: .bool(config?.tty ?? false),
            Key.groupAdd: .strings(Set(host?.groupAdd ?? []).sorted()),
        ]
        // Omitted means Podman's /dev/shm size and containers.conf's pids limit.
        tree[Key.shmSize] = inherited(
            host?.shmSize.map { .int($0) } ?? .null, key: Key.shmSize, reference: reference,
            defaults: [.null, .int(PodmanTree.defaultShmBytes)])
        tree[Key.pidsLimit] = inherited(
            host?.pidsLimit.map { .int(max($0, 0)) } ?? .null, key: Key.pidsLimit, reference: reference,
            defaults: [.null, .int(PodmanTree.defaultPidsLimit)])
        // Omitted means the short container ID, and the image's STOPSIGNAL (else SIGTERM).
        tree[Key.hostname] = inherited(
            .string(config?.hostname ?? ""), key: Key.hostname, reference: reference,
            defaults: ["", .string(String(container.id.prefix(12)))])
        let imageSignal = (imageConfig?.stopSignal).flatMap(StopSignal.number) ?? StopSignal.defaultNumber
        tree[Key.stopSignal] = inherited(
            config?.stopSignal.map { .int($0) } ?? .null, key: Key.stopSignal, reference: reference,
            defaults: [.null, .int(imageSignal)])

        // Values the image provides unless the manifest sets them.
        let command = config?.cmd ?? []
        tree[Key.command] = inherited(
            .strings(command), key: Key.command, reference: reference,
            defaults: [[], imageConfig?.cmd ?? []].map(Value.strings))
        let entrypoint = entrypoint(of: container)
        tree[Key.entrypoint] = inherited(
            .strings(entrypoint), key: Key.entrypoint, reference: reference,
            defaults: [[], imageConfig?.entrypoint ?? []].map(Value.strings))
        tree[Key.user] = inherited(
            .string(config?.user ?? ""), key: Key.user, reference: reference,
            defaults: ["", .string(imageConfig?.user ?? "")])
        // Omitted means the image's WORKDIR (`/` for an image without one), not whatever the container has.
        let imageWorkdir = (imageConfig?.workingDir).flatMap { $0.isEmpty ? nil : PodmanDesiredState.path($0) } ?? "/"
        tree[Key.workdir] = inherited(
            .string(PodmanDesiredState.path(config?.workingDir ?? "")), key: Key.workdir, reference: reference,
            defaults: imageWorkdir == "/" ? ["", "/"] : [.string(imageWorkdir)])
        let check = healthcheck(config?.healthcheck)
        tree[Key.healthcheck] = inherited(
            check, key: Key.healthcheck, reference: reference,
            defaults: [.null, healthcheck(imageConfig?.healthcheck ?? context.image?.healthCheck)])

        tree[Key.env] = environment(container, context: context)
        tree[Key.labels] = labels(container, context: context)
        tree[Key.ports] = .strings(ports(container, reference: reference))
        tree[Key.tmpfs] = .strings(tmpfs(container, reference: reference))
        tree[Key.ulimits] = ulimits(container, context: context)
        tree[Key.volumes] = .strings(
            mounts(
                container, reference: reference, hashed: hashed,
                imageVolumes: Set((imageConfig?.volumes ?? [:]).keys.map(PodmanDesiredState.path))))
        tree[Key.addHosts] = .strings(addHosts(container, hashed: hashed))
        tree[Key.capAdd] = hashed?[Key.capAdd] ?? PodmanTree.unknown
        tree[Key.capDrop] = hashed?[Key.capDrop] ?? PodmanTree.unknown
        tree[Key.sysctls] = hashed.map { $0[Key.sysctls].isNull ? .map([:]) : $0[Key.sysctls] } ?? PodmanTree.unknown

        let mode = host?.networkMode ?? "bridge"
        if mode.isEmpty || mode == "bridge" || mode == "default" {
            tree[Key.networkMode] = "bridge"
            let attachments = networks(container, context: context)
            tree[Key.networks] = .map(attachments)
            tree[Key.networkOrder] = reference?[Key.networkOrder] ?? .strings(attachments.keys.sorted())
        } else {
            // Podman reports `container:<64-hex ID>`: the name the manifest gives reads as itself while it names
            // that very container (a re-created one has another ID, which replaces this container too).
            let wanted = reference?[Key.networkMode]
            let joined = mode.hasPrefix("container:") ? String(mode.dropFirst("container:".count)) : nil
            if let joined, let id = context.sharedNamespaceID,
                id == joined || (joined.count >= 12 && id.hasPrefix(joined)),
                let wanted, sharedNamespace(wanted) != nil
            {
                tree[Key.networkMode] = wanted
            } else {
                tree[Key.networkMode] = .string(mode)
            }
            tree[Key.networks] = .map([:])
            tree[Key.networkOrder] = .strings([])
        }
        return tree
    }

    /// The container `NAME` of a `container:NAME` network mode, or `nil`.
    static func sharedNamespace(_ mode: Value?) -> String? {
        guard let text = mode?.stringValue, text.hasPrefix("container:") else { return nil }
        let name = String(text.dropFirst("container:".count))
        return name.isEmpty ? nil : name
    }

    /// The image reference as the reference tree writes it, when the container runs that image.
    ///
    /// That is: it runs the image the reference resolves to now, or is listed under one of its spellings (`busybox:test` for `localhost/busybox:test`, `x` for `x:latest`, an
    /// image ID): image identity is the resolved image, not the name (``PodmanTree/Container/imageCurrent`` tells
    /// a rebuilt one). Otherwise the name Podman reports.
    static func image(of container: PodmanJSON.Container, context: ContainerContext) -> String {
        let reported = container.imageName ?? container.config?.image ?? ""
        guard let wanted = context.reference?[PodmanTree.Container.image].stringValue else { return reported }
        if let id = container.image, id == context.currentImageID { return wanted }
        if ImageReference.candidates(wanted).contains(reported) { return wanted }
        return reported
    }

    /// The tree whose hashed values (capabilities, `host-gateway` entries, mount options) the container
    /// carries: the desired one when the `io.ocplan.spec-hash` label matches it, else the last applied one
    /// when it matches that, else `nil` (the values are unknown).
    static func hashedReference(_ container: PodmanJSON.Container, context: ContainerContext) -> Value? {
        guard let label = container.config?.labels?[PodmanLabels.specHash] else { return nil }
        if let desired = context.desired, PodmanDesiredState.containerHash(desired) == label { return desired }
        if let applied = context.lastApplied, PodmanDesiredState.containerHash(applied) == label { return applied }
        return nil
    }

    /// `value`, or `null` when the reference leaves the field unset and `value` is one of the defaults.
    static func inherited(_ value: Value, key: String, reference: Value?, defaults: [Value]) -> Value {
        guard let reference, reference[key].isNull else { return value }
        return defaults.contains(value) ? .null : value
    }

    /// `running`, `paused` or `stopped` (created, exited, stopped, configured and the rest).
    static func state(_ status: String?) -> String {
        switch status {
        case "running": return "running"
        case "paused": return "paused"
        default: return "stopped"
        }
    }

    /// The entrypoint argv: a list in Podman 5; in Podman 4 (where `Config.Entrypoint` is the words joined
    /// by spaces) the process argv `Path` + `Args` without the trailing command.
    static func entrypoint(of container: PodmanJSON.Container) -> [String] {
        switch container.config?.entrypoint {
        case .list(let argv)?: return argv
        case .string(let text)? where text.isEmpty: return []
        default:
            let argv = (container.path.map { [$0] } ?? []) + (container.args ?? [])
            let command = container.config?.cmd ?? []
            guard argv.count >= command.count, Array(argv.suffix(command.count)) == command else {
                if case .string(let text)? = container.config?.entrypoint {
                    return text.split(separator: " ").map(String.init)
                }
                return []
            }
            return Array(argv.dropLast(command.count))
        }
    }

    /// A health check as `{test, interval, timeout, retries, startPeriod}` (`null` for none).
    static func healthcheck(_ check: PodmanJSON.Healthcheck?) -> Value {
        guard let check, var test = check.test, !test.isEmpty, test != ["NONE"] else { return .null }
        if test.first == "CMD" { test.removeFirst() }
        // Podman runs a one-word `--health-cmd '["X"]'` through the shell and stores `["CMD-SHELL", "X"]`.
        if test.count == 2, test.first == "CMD-SHELL" { test.removeFirst() }
        return [
            "test": .strings(test),
            "interval": .string(PodmanTree.duration(nanoseconds: check.interval ?? 30_000_000_000)),
            "timeout": .string(PodmanTree.duration(nanoseconds: check.timeout ?? 30_000_000_000)),
            "retries": .int(check.retries ?? 3),
            "startPeriod": .string(PodmanTree.duration(nanoseconds: check.startPeriod ?? 0)),
        ]
    }

    /// Proxy variables Podman copies from its own environment into every container (`--http-proxy`).
    static let proxyVariables: Set<String> = [
        "http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY",
    ]

    /// The container's environment without what the image, Podman or the host's proxy settings put there.
    ///
    /// A variable the manifest sets is always shown. Any other is left out when its value is the image's, when
    /// it is one Podman adds (`PATH`, `TERM`, `container`, `HOSTNAME`, `HOME`) with Podman's value, or a proxy
    /// variable, unless the last apply set it to this very value: so a variable removed from the manifest
    /// shows up (and replaces the container) unless the image gives the same value anyway.
    static func environment(_ container: PodmanJSON.Container, context: ContainerContext) -> Value {
        let actual = PodmanTree.environment(container.config?.env ?? [])
        let image = PodmanTree.environment(context.image?.config?.env ?? [])
        let desired = context.reference?[PodmanTree.Container.env].mapValue ?? [:]
        let applied = context.lastApplied?[PodmanTree.Container.env].mapValue ?? [:]
        var out: [String: Value] = [:]
        for (key, value) in actual {
            if desired[key] == nil {
                if image[key] == value { continue }
                let injected =
                    proxyVariables.contains(key) || podmanEnvironment[key].map { $0 == nil || $0 == value } == true
                if injected, applied[key]?.stringValue != value { continue }
            }
            out[key] = .string(value)
        }
        return .map(out)
    }

    /// The labels the stack manages: those the manifest sets now or set at the last apply.
    ///
    /// ocplan's own marks are left out. Labels other machinery adds (`PODMAN_SYSTEMD_UNIT`, the image's own) are not compared, but a
    /// label the last apply set and the manifest no longer does is shown (unless the image gives the same value),
    /// so removing it replaces the container. Without either tree (a discovered container) every user label
    /// not inherited from the image is shown.
    static func labels(_ container: PodmanJSON.Container, context: ContainerContext) -> Value {
        let image = context.image?.config?.labels ?? [:]
        let wanted = context.reference?[PodmanTree.Container.labels].mapValue ?? [:]
        let applied = context.lastApplied?[PodmanTree.Container.labels].mapValue ?? [:]
        let labels = PodmanLabels.userLabels(container.config?.labels).filter { key, value in
            if wanted[key] != nil { return true }
            if context.reference == nil { return image[key] != value }
            return applied[key] != nil && image[key] != value
        }
        return PodmanTree.stringMap(labels)
    }

    /// Published ports, one per port, with a host port the runtime chose left blank when the manifest gives
    /// none.
    static func ports(_ container: PodmanJSON.Container, reference: Value?) -> [String] {
        let wanted = Set((reference?[PodmanTree.Container.ports].listValue ?? []).compactMap(\.stringValue))
        var out = Set<String>()
        for (key, bindings) in container.hostConfig?.portBindings ?? [:] {
            let parts = key.split(separator: "/", maxSplits: 1)
            guard let containerPort = parts.first.flatMap({ Int($0) }) else { continue }
            let proto = parts.count == 2 ? String(parts[1]) : "tcp"
            for binding in bindings ?? [] {
                let ip = binding.hostIP.flatMap { $0.isEmpty ? nil : $0 }
                let text = PodmanTree.port(
                    hostIP: ip, hostPort: binding.hostPort.flatMap { Int($0) }, containerPort: containerPort,
                    proto: proto)
                let random = PodmanTree.port(hostIP: ip, hostPort: nil, containerPort: containerPort, proto: proto)
                out.insert(!wanted.contains(text) && wanted.contains(random) ? random : text)
            }
        }
        return out.sorted()
    }

    /// tmpfs mounts without Podman's default options, and without the ones `--read-only` adds unless the
    /// manifest asks for them itself.
    static func tmpfs(_ container: PodmanJSON.Container, reference: Value?) -> [String] {
        let wanted = Set((reference?[PodmanTree.Container.tmpfs].listValue ?? []).compactMap(\.stringValue))
        let readOnly = container.hostConfig?.readonlyRootfs ?? false
        var out: [String] = []
        for (path, options) in container.hostConfig?.tmpfs ?? [:] {
            let text = PodmanTree.tmpfs(path: path, options: options)
            if readOnly, readOnlyTmpfs.contains(path), text == path, !wanted.contains(path) { continue }
            out.append(text)
        }
        return out.sorted()
    }

    /// The ulimits the manifest sets (now or at the last apply); all of them without either tree.
    static func ulimits(_ container: PodmanJSON.Container, context: ContainerContext) -> Value {
        let desired = context.desired?[PodmanTree.Container.ulimits].mapValue ?? [:]
        let applied = context.lastApplied?[PodmanTree.Container.ulimits].mapValue ?? [:]
        let keys = Set(desired.keys).union(applied.keys)
        var out: [String: Value] = [:]
        for limit in container.hostConfig?.ulimits ?? [] {
            let name = PodmanTree.ulimitName(limit.name)
            if context.reference != nil, !keys.contains(name) { continue }
            out[name] = .string("\(limit.soft):\(limit.hard)")
        }
        return .map(out)
    }

    /// Mounts in canonical form, sorted by target; mount options come from the hashed tree; anonymous
    /// volumes the image declares (its `VOLUME`s, `imageVolumes`) and the manifest does not are left out, any
    /// other anonymous volume is shown (one removed from the manifest replaces the container).
    static func mounts(
        _ container: PodmanJSON.Container, reference: Value?, hashed: Value?, imageVolumes: Set<String>
    ) -> [String] {
        func parse(_ tree: Value?) -> [String: MountText] {
            var byTarget: [String: MountText] = [:]
            for text in tree?[PodmanTree.Container.volumes].listValue ?? [] {
                if let mount = text.stringValue.flatMap(MountText.init(parsing:)) { byTarget[mount.target] = mount }
            }
            return byTarget
        }
        let wanted = parse(reference)
        let options = parse(hashed)
        var out: [MountText] = []
        for mount in container.mounts ?? [] {
            let target = PodmanDesiredState.path(mount.destination)
            var source: String
            if mount.type == "volume" {
                source = mount.name ?? ""
                let anonymous = source.count == 64 && source.allSatisfy(\.isHexDigit)
                if anonymous {
                    if let expected = wanted[target] {
                        if expected.source.isEmpty { source = "" }
                    } else if reference != nil, imageVolumes.contains(target) {
                        continue
                    } else {
                        source = ""
                    }
                }
            } else {
                source = PodmanDesiredState.path(mount.source ?? "")
            }
            var text = MountText(source: source, target: target, readOnly: mount.readWrite == false, options: [])
            if let hashedMount = options[target], hashedMount.source == source, hashedMount.readOnly == text.readOnly {
                text.options = hashedMount.options
            }
            out.append(text)
        }
        return out.sorted { $0.target < $1.target }.map(\.description)
    }

    /// `/etc/hosts` entries in order; an address that a hashed `NAME:host-gateway` entry stood for is shown as
    /// `host-gateway` (Podman before 5.3 has no `host-gateway`, so the provider resolves it; 5.3+ keeps it).
    static func addHosts(_ container: PodmanJSON.Container, hashed: Value?) -> [String] {
        let expected = (hashed?[PodmanTree.Container.addHosts].listValue ?? []).compactMap(\.stringValue)
        return (container.hostConfig?.extraHosts ?? []).enumerated().map { index, entry in
            let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let address = parts.count == 2 ? String(parts[1]) : ""
            if index < expected.count, expected[index] == "\(name):\(HostGateway.keyword)" {
                return expected[index]
            }
            return "\(name):\(Formats.IPAddress(address)?.description ?? address)"
        }
    }

    /// The attachments by network name: aliases without the ones Podman adds (the short ID, the name);
    /// static addresses only where the manifest asks for one (the last applied one while the container is
    /// stopped, when Podman 4.3 reports no address).
    static func networks(_ container: PodmanJSON.Container, context: ContainerContext) -> [String: Value] {
        typealias Key = PodmanTree.Attachment
        let automatic: Set<String> = [String(container.id.prefix(12)), container.name]
        var out: [String: Value] = [:]
        for (name, attachment) in container.networkSettings?.networks ?? [:] {
            let wanted = context.reference?[PodmanTree.Container.networks][name]
            let applied = context.lastApplied?[PodmanTree.Container.networks][name].nonNull
            func address(_ key: String, _ actual: String?) -> Value {
                if let wanted, wanted[key].isNull { return .null }
                if let actual, !actual.isEmpty { return .string(Formats.IPAddress(actual)?.description ?? actual) }
                if wanted == nil { return .null }
                // Stopped: Podman 4.3 reports no address; trust the last apply, then the manifest.
                return applied?[key] ?? wanted?[key] ?? .null
            }
            out[name] = [
                Key.aliases: .strings(Set(attachment.aliases ?? []).subtracting(automatic).sorted()),
                Key.ipv4: address(Key.ipv4, attachment.ipAddress),
                Key.ipv6: address(Key.ipv6, attachment.globalIPv6Address),
            ]
        }
        return out
    }
}

extension Value {
    /// `nil` for `.null`, the value otherwise.
    var nonNull: Value? { isNull ? nil : self }
}

/// Podman's `host-gateway` keyword in `--add-host`.
enum HostGateway {
    /// The keyword.
    static let keyword = "host-gateway"
    /// The message Podman before 5.3 prints when it does not know the keyword.
    static let unsupportedMessage = "invalid IP address in add-host: \"host-gateway\""
}
