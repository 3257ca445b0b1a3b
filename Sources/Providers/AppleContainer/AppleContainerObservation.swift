import Foundation
import OCCore

/// Parses the JSON Apple's `container` CLI prints (0.5 – 1.2), accepting both the 0.x and the 1.x shapes.
///
/// The shapes (reference §3): 0.x containers are `{status: "running", configuration, networks, startedDate}`
/// and 0.x networks `{id, state, config, status}`; 1.x containers are `{id, configuration, status: {state,
/// networks, startedDate}}` and 1.x networks `{id, configuration, status}`. Every field that matters is read
/// from whichever place the shape puts it; fields a shape lacks are reported as `nil` (not reported) rather
/// than as a default, so the provider can fall back on the spec-hash label for them.
package enum AppleContainerObservation {
    /// A network as `container network list --format json` reports it.
    package struct NetworkRecord: Sendable, Hashable {
        /// The network's name (its id).
        package var id: String
        /// `nat` or `hostOnly`.
        package var mode: String
        /// The IPv4 subnet, configured or allocated.
        package var ipv4Subnet: String?
        /// The IPv6 subnet, when the network has one.
        package var ipv6Subnet: String?
        /// All labels, ownership labels included.
        package var labels: [String: String]

        /// Whether the network is host-only (what `--internal` creates).
        package var isInternal: Bool { mode == "hostOnly" }
    }

    /// A container as `container list --all --format json` reports it.
    package struct ContainerRecord: Sendable, Hashable {
        /// The process as the runtime will start it (image defaults merged in).
        package struct Process: Sendable, Hashable {
            /// The environment, by name (image variables included).
            package var environment: [String: String]
            /// The working directory.
            package var workingDirectory: String?
            /// The user as `uid:gid` or as the name given to `-u`.
            package var user: String?
            /// The program (entrypoint and command merged with the image's).
            package var executable: String?
            /// Its arguments.
            package var arguments: [String]

            /// Creates a process description.
            package init(
                environment: [String: String], workingDirectory: String?, user: String?, executable: String?,
                arguments: [String]
            ) {
                self.environment = environment
                self.workingDirectory = workingDirectory
                self.user = user
                self.executable = executable
                self.arguments = arguments
            }
        }

        /// The container's name (its id).
        package var id: String
        /// `running`, `stopped`, `stopping` or `unknown`.
        package var state: String
        /// The image reference as stored.
        package var image: String
        /// All labels, ownership labels included.
        package var labels: [String: String]
        /// The networks the container was created on, in order.
        package var networks: [String]
        /// Each attached network's IPv4 address as a CIDR (`192.168.64.3/24`), by network name.
        package var addresses: [String: String]
        /// Published ports in the tree's text form, sorted.
        package var ports: [String]
        /// Bind and volume mounts in the tree's text form, sorted.
        package var volumes: [String]
        /// tmpfs mount paths, sorted.
        package var tmpfs: [String]
        /// Whether the root file system is read-only (`nil`: the shape has no such field, 0.x).
        package var readOnly: Bool?
        /// Added capabilities, normalised (`nil`: not reported).
        package var capAdd: [String]?
        /// Dropped capabilities, normalised (`nil`: not reported).
        package var capDrop: [String]?
        /// The init process (`nil`: not reported).
        package var process: Process?
        /// DNS servers (`nil`: not reported; empty for `--no-dns`).
        package var dns: [String]?
        /// Whole CPUs allocated.
        package var cpus: Int?
        /// Memory allocated, in bytes.
        package var memoryBytes: Int?

        /// Creates a record (the parser fills every field; tests build records directly).
        package init(
            id: String, state: String, image: String, labels: [String: String], networks: [String],
            addresses: [String: String], ports: [String], volumes: [String], tmpfs: [String], readOnly: Bool?,
            capAdd: [String]?, capDrop: [String]?, process: Process?, dns: [String]?, cpus: Int?, memoryBytes: Int?
        ) {
            self.id = id
            self.state = state
            self.image = image
            self.labels = labels
            self.networks = networks
            self.addresses = addresses
            self.ports = ports
            self.volumes = volumes
            self.tmpfs = tmpfs
            self.readOnly = readOnly
            self.capAdd = capAdd
            self.capDrop = capDrop
            self.process = process
            self.dns = dns
            self.cpus = cpus
            self.memoryBytes = memoryBytes
        }

        /// Whether the container is running (`stopping` and `unknown` count as not running).
        package var isRunning: Bool { state == "running" }
    }

    /// Why JSON output could not be read.
    package struct ParseError: Error, Sendable, CustomStringConvertible {
        /// What was being read.
        package var what: String
        /// The decoder's complaint.
        package var reason: String

        package var description: String { "cannot read the JSON of `\(what)`: \(reason)" }
    }

    // MARK: - Entry points

    /// The networks in `container network list --format json` output.
    ///
    /// - Parameter output: the command's standard output (an empty output is no network).
    /// - Returns: the networks in the order printed.
    /// - Throws: ``ParseError`` when the output is not one of the known shapes.
    package static func networks(_ output: Data) throws -> [NetworkRecord] {
        try decode([RawNetwork].self, output, what: "container network list --format json").map(\.record)
    }

    /// The containers in `container list --all --format json` output.
    ///
    /// - Parameter output: the command's standard output (an empty output is no container).
    /// - Returns: the containers in the order printed.
    /// - Throws: ``ParseError`` when the output is not one of the known shapes.
    package static func containers(_ output: Data) throws -> [ContainerRecord] {
        try decode([RawContainer].self, output, what: "container list --all --format json").map(\.record)
    }

    /// Whether `container system status` says the API server answers.
    ///
    /// The command exits 0 when it does and 1 with `apiserver is not running` (or `… and not registered with
    /// launchd`) on standard output when it does not.
    ///
    /// - Parameter result: what the command produced.
    /// - Returns: `true` when the service is running.
    package static func serviceIsRunning(_ result: CommandResult) -> Bool {
        result.succeeded && !serviceIsDown(result)
    }

    /// Whether `container system status` says the API server is not running (`apiserver is not running`, `… and
    /// not registered with launchd`); a status that fails without saying so is a failure of the command.
    ///
    /// - Parameter result: what the command produced.
    /// - Returns: `true` when the service is down.
    package static func serviceIsDown(_ result: CommandResult) -> Bool {
        (result.stdoutText + result.stderrText).contains("is not running")
    }

    /// The text that explains a failed `container system status`, without the `Error: ` prefix.
    static func statusText(_ result: CommandResult) -> String {
        let text =
            [result.stdoutText, result.stderrText]
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .first { !$0.isEmpty } ?? "exit status \(result.exitStatus)"
        return text.hasPrefix("Error: ") ? String(text.dropFirst(7)) : text
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ output: Data, what: String) throws -> T {
        let trimmed = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let data = trimmed.isEmpty ? Data("[]".utf8) : Data(trimmed.utf8)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw ParseError(what: what, reason: "\(error)")
        }
    }
}

// MARK: - Raw shapes

/// One element of `container network list --format json`, 0.x (`config`) or 1.x (`configuration`).
private struct RawNetwork: Decodable {
    struct Configuration: Decodable {
        var id: String?
        var name: String?
        var mode: String?
        var subnet: String?
        var ipv4Subnet: String?
        var ipv6Subnet: String?
        var labels: [String: String]?
    }
    struct Status: Decodable {
        var address: String?
        var ipv4Subnet: String?
        var ipv6Subnet: String?
    }

    var id: String?
    var config: Configuration?
    var configuration: Configuration?
    var status: Status?

    var record: AppleContainerObservation.NetworkRecord {
        let configuration = self.configuration ?? config
        return AppleContainerObservation.NetworkRecord(
            id: id ?? configuration?.id ?? configuration?.name ?? "",
            mode: configuration?.mode ?? "nat",
            ipv4Subnet: (configuration?.ipv4Subnet ?? configuration?.subnet ?? status?.ipv4Subnet ?? status?.address)
                .map(AppleContainerTree.cidr),
            ipv6Subnet: (configuration?.ipv6Subnet ?? status?.ipv6Subnet).map(AppleContainerTree.cidr),
            labels: configuration?.labels ?? [:])
    }
}

/// One network attachment: `{network, hostname, address|ipv4Address, …}`, or a bare name in early 0.x
/// configurations.
private struct RawAttachment: Decodable {
    var network: String
    var address: String?

    private enum CodingKeys: String, CodingKey {
        case network, address, ipv4Address
    }

    init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            network = name
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        network = try c.decode(String.self, forKey: .network)
        address =
            try c.decodeIfPresent(String.self, forKey: .ipv4Address) ?? c.decodeIfPresent(String.self, forKey: .address)
    }
}

/// `status`: a string in 0.x, `{state, networks, startedDate}` in 1.x.
private struct RawStatus: Decodable {
    var state: String?
    var networks: [RawAttachment]?

    private enum CodingKeys: String, CodingKey {
        case state, networks
    }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            state = text
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        state = try c.decodeIfPresent(String.self, forKey: .state)
        networks = try c.decodeIfPresent([RawAttachment].self, forKey: .networks)
    }
}

/// A published port: `{hostAddress, hostPort, containerPort, proto, count?}`.
private struct RawPort: Decodable {
    var hostAddress: String?
    var hostPort: Int
    var containerPort: Int
    var proto: String?
    var count: Int?

    var text: String {
        AppleContainerTree.portText(
            hostIP: hostAddress, hostPort: hostPort, containerPort: containerPort, count: max(1, count ?? 1),
            proto: proto ?? "tcp")
    }
}

/// A mount: `{type: {virtiofs: {}} | {volume: {name, …}} | {tmpfs: {}} | {block: {…}}, source, destination,
/// options}`.
private struct RawMount: Decodable {
    struct Kind: Decodable {
        var name: String?
    }

    var type: [String: Kind]?
    var source: String?
    var destination: String
    var options: [String]?

    private enum CodingKeys: String, CodingKey {
        case type, source, destination, options
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // An unknown encoding of `type` is read as a bind mount rather than failing the whole list.
        type = try? c.decodeIfPresent([String: Kind].self, forKey: .type)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        destination = try c.decode(String.self, forKey: .destination)
        options = try c.decodeIfPresent([String].self, forKey: .options)
    }

    var isTmpfs: Bool { type?["tmpfs"] != nil }

    var text: String {
        let source = type?["volume"]?.name ?? self.source ?? ""
        return AppleContainerTree.mountText(
            source: source, target: destination, readOnly: options?.contains("ro") ?? false)
    }
}

/// The init process: `{executable, arguments, environment: ["K=V"], workingDirectory, user: {id: {uid, gid}} |
/// {raw: {userString}}}`.
private struct RawProcess: Decodable {
    struct User: Decodable {
        struct ID: Decodable {
            var uid: Int
            var gid: Int
        }
        struct Raw: Decodable {
            var userString: String
        }
        var id: ID?
        var raw: Raw?

        var text: String? { raw?.userString ?? id.map { "\($0.uid):\($0.gid)" } }
    }

    var executable: String?
    var arguments: [String]?
    var environment: [String]?
    var workingDirectory: String?
    var user: User?

    var process: AppleContainerObservation.ContainerRecord.Process {
        var environment: [String: String] = [:]
        for entry in self.environment ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return .init(
            environment: environment, workingDirectory: workingDirectory.map(AppleContainerTree.path),
            user: user?.text, executable: executable, arguments: arguments ?? [])
    }
}

/// `configuration` of a container, in every shape: fields a release lacks decode as `nil`.
private struct RawConfiguration: Decodable {
    struct Image: Decodable {
        var reference: String
    }
    struct Resources: Decodable {
        var cpus: Double?
        var memoryInBytes: Double?
    }
    struct DNS: Decodable {
        var nameservers: [String]?
    }

    var id: String?
    var image: Image?
    var labels: [String: String]?
    var publishedPorts: [RawPort]?
    var networks: [RawAttachment]?
    var mounts: [RawMount]?
    var resources: Resources?
    var initProcess: RawProcess?
    var readOnly: Bool?
    var capAdd: [String]?
    var capDrop: [String]?
    /// `nil`: no `dns` key; `.some(nil)`: `"dns": null` (`--no-dns`).
    var dns: DNS??

    private enum CodingKeys: String, CodingKey {
        case id, image, labels, publishedPorts, networks, mounts, resources, initProcess, readOnly, capAdd, capDrop
        case dns
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        image = try c.decodeIfPresent(Image.self, forKey: .image)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
        publishedPorts = try c.decodeIfPresent([RawPort].self, forKey: .publishedPorts)
        networks = try c.decodeIfPresent([RawAttachment].self, forKey: .networks)
        mounts = try c.decodeIfPresent([RawMount].self, forKey: .mounts)
        resources = try c.decodeIfPresent(Resources.self, forKey: .resources)
        initProcess = try c.decodeIfPresent(RawProcess.self, forKey: .initProcess)
        readOnly = try c.decodeIfPresent(Bool.self, forKey: .readOnly)
        capAdd = try c.decodeIfPresent([String].self, forKey: .capAdd)
        capDrop = try c.decodeIfPresent([String].self, forKey: .capDrop)
        if c.contains(.dns) {
            dns = .some(try c.decodeNil(forKey: .dns) ? nil : try c.decode(DNS.self, forKey: .dns))
        }
    }
}

/// One element of `container list --all --format json`.
private struct RawContainer: Decodable {
    var id: String?
    var status: RawStatus?
    var configuration: RawConfiguration
    var networks: [RawAttachment]?

    var record: AppleContainerObservation.ContainerRecord {
        let attachments = status?.networks ?? networks ?? []
        var addresses: [String: String] = [:]
        for attachment in attachments {
            if let address = attachment.address { addresses[attachment.network] = address }
        }
        let mounts = configuration.mounts ?? []
        let configured = configuration.networks?.map(\.network) ?? []
        return AppleContainerObservation.ContainerRecord(
            id: id ?? configuration.id ?? "",
            state: status?.state ?? "unknown",
            image: configuration.image?.reference ?? "",
            labels: configuration.labels ?? [:],
            networks: configured.isEmpty ? attachments.map(\.network) : configured,
            addresses: addresses,
            ports: (configuration.publishedPorts ?? []).map(\.text).sorted(),
            volumes: mounts.filter { !$0.isTmpfs }.map(\.text).sorted(),
            tmpfs: mounts.filter(\.isTmpfs).map { AppleContainerTree.path($0.destination) }.sorted(),
            readOnly: configuration.readOnly,
            capAdd: configuration.capAdd.map(Self.capabilities),
            capDrop: configuration.capDrop.map(Self.capabilities),
            process: configuration.initProcess?.process,
            dns: configuration.dns.map { ($0?.nameservers ?? []).map { Formats.IPAddress($0)?.description ?? $0 } },
            cpus: configuration.resources?.cpus.flatMap { Int(exactly: $0.rounded()) },
            memoryBytes: configuration.resources?.memoryInBytes.flatMap { Int(exactly: $0.rounded()) })
    }

    /// Capability names as the tree writes them (`CAP_NET_RAW`, `ALL`), sorted, unknown names kept upper-cased.
    static func capabilities(_ names: [String]) -> [String] {
        Set(
            names.map { name in
                let upper = name.uppercased()
                if upper == "ALL" || upper == "CAP_ALL" { return "ALL" }
                return upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
            }
        ).sorted()
    }
}
