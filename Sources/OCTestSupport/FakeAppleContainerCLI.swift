import Foundation
import OCContainerModel
import OCCore
import Synchronization

/// A fake of Apple's `container` CLI (macOS 26), for tests on machines where the real tool cannot run.
///
/// It is a stateful test double, not the tool: networks and containers live in memory behind a `Mutex`, and
/// the commands the provider runs change them and print what the real CLI prints (reference §3 and §12.3):
///
/// - `container system status|start|stop`; every other command fails like the real CLI while the service is
///   stopped (exit 1, `Error: … Ensure container system service has been started with `container system start`.`).
/// - `container list|ls [--all] --format json` and `container network list|ls --format json`, in the 1.x shape
///   (`{id, configuration, status: {state, networks}}`) or the 0.x shape (`{status: "running", configuration,
///   networks}`), chosen with ``JSONShape``.
/// - `container run|create`, `start`, `stop`, `delete|rm [--force]`, `network create|delete|rm`, with the real exit
///   status 1 and messages such as `Error: container with id web already exists` and `Error: container web not
///   found`.
///
/// Any other argv, or an option the fake does not know, throws ``UnknownCommand`` naming the argv, so a test
/// fails on a command the provider should not run. Tests change the world "by hand" with ``byHand(_:)``
/// (a command a user types, not recorded) and inspect it with ``containers`` and ``networks``.
package final class FakeAppleContainerCLI: CommandRunner {
    /// Which JSON shape the list commands print.
    package enum JSONShape: Sendable {
        /// 1.0 and later: `{id, configuration, status: {state, networks, startedDate}}`, networks
        /// `{id, configuration, status}`.
        case v1
        /// 0.5 – 0.12: `{status: "running", configuration, networks, startedDate}`, networks
        /// `{id, state, config, status}`; no `readOnly` or capabilities in the configuration.
        case v0
    }

    /// What an image contributes to a container's process.
    package struct Image: Sendable, Hashable {
        /// The image's `ENTRYPOINT`.
        package var entrypoint: [String]
        /// The image's `CMD`.
        package var cmd: [String]
        /// The image's `ENV`, as `K=V`.
        package var env: [String]
        /// The image's `WORKDIR`.
        package var workdir: String

        /// Creates an image description.
        package init(
            entrypoint: [String] = [], cmd: [String] = ["/bin/sh"],
            env: [String] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            workdir: String = "/"
        ) {
            self.entrypoint = entrypoint
            self.cmd = cmd
            self.env = env
            self.workdir = workdir
        }
    }

    /// A network the fake holds.
    package struct Network: Sendable, Hashable {
        /// The name (its id).
        package var id: String
        /// `nat` or `hostOnly`.
        package var mode: String
        /// The IPv4 subnet.
        package var ipv4Subnet: String
        /// The IPv6 subnet, if any.
        package var ipv6Subnet: String?
        /// Labels.
        package var labels: [String: String]
    }

    /// A published port as the CLI stores it.
    package struct Port: Sendable, Hashable {
        /// The host address.
        package var hostAddress: String
        /// The first host port.
        package var hostPort: Int
        /// The first container port.
        package var containerPort: Int
        /// `tcp` or `udp`.
        package var proto: String
        /// How many ports.
        package var count: Int
    }

    /// A mount as the CLI stores it.
    package struct Mount: Sendable, Hashable {
        /// The volume name for a named volume, `nil` for a bind mount or tmpfs.
        package var volume: String?
        /// Whether it is a tmpfs.
        package var isTmpfs: Bool
        /// The host path (or `tmpfs`).
        package var source: String
        /// The path inside the container.
        package var destination: String
        /// Whether it is read-only.
        package var readOnly: Bool
    }

    /// A container the fake holds.
    package struct Container: Sendable, Hashable {
        /// The name (its id).
        package var id: String
        /// The image reference as stored (fully qualified).
        package var image: String
        /// Labels.
        package var labels: [String: String]
        /// The networks, in order.
        package var networks: [String]
        /// IPv4 addresses by network, as CIDRs.
        package var addresses: [String: String]
        /// The process environment as `K=V` (image first, then env files, then `-e`).
        package var environment: [String]
        /// Published ports.
        package var ports: [Port]
        /// Mounts, tmpfs included.
        package var mounts: [Mount]
        /// Whether the root file system is read-only.
        package var readOnly: Bool
        /// Added capabilities as given.
        package var capAdd: [String]
        /// Dropped capabilities as given.
        package var capDrop: [String]
        /// The `-u` value, if given.
        package var user: String?
        /// The working directory.
        package var workdir: String
        /// DNS servers.
        package var dns: [String]
        /// CPUs.
        package var cpus: Int
        /// Memory in bytes.
        package var memoryBytes: Int
        /// The program the process runs.
        package var executable: String
        /// Its arguments.
        package var arguments: [String]
        /// Whether it runs.
        package var running: Bool
    }

    /// The error for a command the fake does not implement.
    package struct UnknownCommand: Error, CustomStringConvertible {
        /// The argv that was run.
        package var argv: [String]
        /// What was not understood.
        package var reason: String

        package var description: String {
            "FakeAppleContainerCLI cannot run \(argv.map { "\"\($0)\"" }.joined(separator: ", ")): \(reason)"
        }
    }

    private struct World {
        var serviceRunning: Bool
        var networks: [Network]
        var containers: [Container]
        var calls: [Command] = []
        var nextHost: [String: Int] = [:]
        var nextSubnet = 65
        /// The environment of the command being answered: `-e KEY` without a value reads it, as the CLI reads
        /// its own environment (apple/container `Parser.env(envList:)`).
        var callerEnvironment: [String: String] = [:]
    }

    private let shape: JSONShape
    private let images: [String: Image]
    private let world: Mutex<World>

    /// Creates a fake with the built-in `default` network (192.168.64.0/24) and no containers.
    ///
    /// - Parameters:
    ///   - shape: the JSON shape the list commands print.
    ///   - serviceRunning: whether `container system start` has been run.
    ///   - images: image configurations by fully qualified reference; other images get ``Image/init(entrypoint:cmd:env:workdir:)``'s
    ///     defaults.
    package init(shape: JSONShape = .v1, serviceRunning: Bool = true, images: [String: Image] = [:]) {
        self.shape = shape
        self.images = images
        let defaultNetwork = Network(id: "default", mode: "nat", ipv4Subnet: "192.168.64.0/24", labels: [:])
        self.world = Mutex(World(serviceRunning: serviceRunning, networks: [defaultNetwork], containers: []))
    }

    // MARK: - CommandRunner

    /// Answers `command` from the in-memory world and records it.
    ///
    /// - Throws: ``UnknownCommand`` for a command or option the fake does not implement.
    package func run(_ command: Command) async throws -> CommandResult {
        try world.withLock { world in
            world.calls.append(command)
            world.callerEnvironment = command.environment
            defer { world.callerEnvironment = [:] }
            return try respond(command.argv, world: &world)
        }
    }

    /// Runs `argv` as a user typing it would (for example `["container", "stop", "web"]`); not recorded.
    ///
    /// - Throws: ``UnknownCommand`` for a command the fake does not implement.
    @discardableResult
    package func byHand(_ argv: [String]) throws -> CommandResult {
        try world.withLock { world in try respond(argv, world: &world) }
    }

    // MARK: - Inspection

    /// The containers, in creation order.
    package var containers: [Container] { world.withLock { $0.containers } }
    /// The networks, in creation order (`default` first).
    package var networks: [Network] { world.withLock { $0.networks } }
    /// The container named `id`.
    package func container(_ id: String) -> Container? { containers.first { $0.id == id } }
    /// The network named `id`.
    package func network(_ id: String) -> Network? { networks.first { $0.id == id } }
    /// Whether the service runs.
    package var serviceRunning: Bool { world.withLock { $0.serviceRunning } }
    /// Every command run through ``run(_:)``, in order.
    package var calls: [Command] { world.withLock { $0.calls } }
    /// The argv of every command run through ``run(_:)``.
    package var callArgvs: [[String]] { calls.map(\.argv) }
    /// The commands marked as changing the world.
    package var mutatingCalls: [Command] { calls.filter(\.mutating) }
    /// Forgets the recorded calls.
    package func resetCalls() { world.withLock { $0.calls = [] } }

    // MARK: - Dispatch

    private func respond(_ argv: [String], world: inout World) throws -> CommandResult {
        guard argv.first == "container", argv.count >= 2 else {
            throw UnknownCommand(argv: argv, reason: "not a container command")
        }
        let args = Array(argv.dropFirst())
        if args[0] == "system" {
            return try systemCommand(args, argv: argv, world: &world)
        }
        guard world.serviceRunning else {
            return failure(
                "interrupted: \"XPC connection error: Connection invalid\"\n"
                    + "Ensure container system service has been started with `container system start`.")
        }
        switch args[0] {
        case "list", "ls":
            let all = args.contains("--all") || args.contains("-a")
            guard formatIsJSON(args) else { throw UnknownCommand(argv: argv, reason: "only --format json is faked") }
            let shown = world.containers.filter { all || $0.running || shape == .v0 }
            return json(shown.map { containerJSON($0, world: world) })
        case "network":
            return try network(Array(args.dropFirst()), argv: argv, world: &world)
        case "run", "create":
            return try create(args, argv: argv, world: &world)
        case "start", "stop":
            let ids = try identifiers(Array(args.dropFirst()), argv: argv, valued: ["-t", "--time", "-s", "--signal"])
            for id in ids {
                guard let index = world.containers.firstIndex(where: { $0.id == id }) else {
                    return failure("container \(id) not found")
                }
                world.containers[index].running = args[0] == "start"
            }
            return CommandResult(exitStatus: 0, stdout: ids.joined(separator: "\n") + "\n")
        case "delete", "rm":
            let rest = Array(args.dropFirst())
            let force = rest.contains("--force") || rest.contains("-f")
            let ids = try identifiers(rest.filter { $0 != "--force" && $0 != "-f" }, argv: argv, valued: [])
            for id in ids {
                guard let index = world.containers.firstIndex(where: { $0.id == id }) else {
                    return failure("container \(id) not found")
                }
                if world.containers[index].running && !force {
                    return failure("container \(id) is running; stop it first or use --force")
                }
                world.containers.remove(at: index)
            }
            return CommandResult(exitStatus: 0, stdout: ids.joined(separator: "\n") + "\n")
        default:
            throw UnknownCommand(argv: argv, reason: "unknown subcommand")
        }
    }

    private func systemCommand(_ args: [String], argv: [String], world: inout World) throws -> CommandResult {
        switch args.dropFirst().first {
        case "status":
            guard world.serviceRunning else {
                return CommandResult(exitStatus: 1, stdout: "apiserver is not running\n")
            }
            return CommandResult(
                exitStatus: 0,
                stdout: "FIELD              VALUE\nstatus             running\n"
                    + "app-root           /Users/me/Library/Application Support/com.apple.container/\n"
                    + "apiserver-version  container-apiserver version 1.2.2 (fake)\n")
        case "start":
            world.serviceRunning = true
            return CommandResult(exitStatus: 0, stdout: "Verifying apiserver is running...\n")
        case "stop":
            world.serviceRunning = false
            for index in world.containers.indices { world.containers[index].running = false }
            return CommandResult(exitStatus: 0)
        default:
            throw UnknownCommand(argv: argv, reason: "unknown system subcommand")
        }
    }

    // MARK: - Networks

    private func network(_ args: [String], argv: [String], world: inout World) throws -> CommandResult {
        switch args.first {
        case "list", "ls":
            guard formatIsJSON(args) else { throw UnknownCommand(argv: argv, reason: "only --format json is faked") }
            return json(world.networks.map(networkJSON))
        case "create":
            var options = Array(args.dropFirst())
            var mode = "nat"
            var subnet: String?
            var subnetV6: String?
            var labels: [String: String] = [:]
            while let first = options.first, first.hasPrefix("-") {
                options.removeFirst()
                switch first {
                case "--internal": mode = "hostOnly"
                case "--subnet": subnet = try value(&options, argv: argv)
                case "--subnet-v6": subnetV6 = try value(&options, argv: argv)
                case "--label", "-l":
                    let (key, text) = keyValue(try value(&options, argv: argv))
                    labels[key] = text
                default: throw UnknownCommand(argv: argv, reason: "unknown option \(first)")
                }
            }
            guard options.count == 1, let name = options.first else {
                throw UnknownCommand(argv: argv, reason: "expected one network name")
            }
            if world.networks.contains(where: { $0.id == name }) {
                return failure("network \(name) already exists")
            }
            let allocated = subnet ?? "192.168.\(world.nextSubnet).0/24"
            if subnet == nil { world.nextSubnet += 1 }
            world.networks.append(
                Network(id: name, mode: mode, ipv4Subnet: allocated, ipv6Subnet: subnetV6, labels: labels))
            return CommandResult(exitStatus: 0, stdout: name + "\n")
        case "delete", "rm":
            let names = Array(args.dropFirst())
            guard !names.isEmpty, !names.contains(where: { $0.hasPrefix("-") }) else {
                throw UnknownCommand(argv: argv, reason: "expected network names")
            }
            for name in names {
                guard let index = world.networks.firstIndex(where: { $0.id == name }) else {
                    return failure("network \(name) not found")
                }
                if name == "default" { return failure("cannot delete the default network") }
                let users = world.containers.filter { $0.networks.contains(name) }.map(\.id)
                if !users.isEmpty {
                    return failure("network \(name) has attached containers: \(users.joined(separator: ", "))")
                }
                world.networks.remove(at: index)
            }
            return CommandResult(exitStatus: 0, stdout: names.joined(separator: "\n") + "\n")
        default:
            throw UnknownCommand(argv: argv, reason: "unknown network subcommand")
        }
    }

    // MARK: - Containers

    private func create(_ args: [String], argv: [String], world: inout World) throws -> CommandResult {
        var options = Array(args.dropFirst())
        var name: String?
        var labels: [String: String] = [:]
        var networks: [String] = []
        var env: [String] = []
        var envFiles: [String] = []
        var ports: [Port] = []
        var mounts: [Mount] = []
        var readOnly = false
        var capAdd: [String] = []
        var capDrop: [String] = []
        var user: String?
        var workdir: String?
        var entrypoint: String?
        var dns: [String] = []
        var cpus = 4
        var memory = 1_024 * 1_048_576
        options: while let first = options.first, first.hasPrefix("-") {
            options.removeFirst()
            switch first {
            case "--": break options
            case "-d", "--detach": continue
            case "--read-only": readOnly = true
            case "--name": name = try value(&options, argv: argv)
            case "--label", "-l":
                let (key, text) = keyValue(try value(&options, argv: argv))
                labels[key] = text
            case "--network": networks.append(try value(&options, argv: argv))
            case "-e", "--env": env.append(try value(&options, argv: argv))
            case "--env-file": envFiles.append(try value(&options, argv: argv))
            case "-p", "--publish":
                let spec = try value(&options, argv: argv)
                guard let port = Self.port(spec) else { return failure("invalid publish specification: \(spec)") }
                ports.append(port)
            case "-v", "--volume":
                let spec = try value(&options, argv: argv)
                let parts = spec.split(separator: ":").map(String.init)
                guard parts.count == 2 || (parts.count == 3 && parts[2] == "ro") else {
                    return failure("invalid volume specification: \(spec)")
                }
                let isPath = parts[0].hasPrefix("/")
                mounts.append(
                    Mount(
                        volume: isPath ? nil : parts[0], isTmpfs: false,
                        source: isPath ? parts[0] : "/var/lib/container/volumes/\(parts[0])/volume.img",
                        destination: parts[1], readOnly: parts.count == 3))
            case "--tmpfs":
                let path = try value(&options, argv: argv)
                mounts.append(Mount(volume: nil, isTmpfs: true, source: "tmpfs", destination: path, readOnly: false))
            case "--cap-add": capAdd.append(try value(&options, argv: argv))
            case "--cap-drop": capDrop.append(try value(&options, argv: argv))
            case "-u", "--user": user = try value(&options, argv: argv)
            case "-w", "--workdir", "--cwd": workdir = try value(&options, argv: argv)
            case "--entrypoint": entrypoint = try value(&options, argv: argv)
            case "--dns": dns.append(try value(&options, argv: argv))
            case "-c", "--cpus":
                let text = try value(&options, argv: argv)
                guard let number = Int(text) else { return failure("invalid cpus: \(text)") }
                cpus = number
            case "-m", "--memory":
                let text = try value(&options, argv: argv)
                guard let bytes = Formats.bytes(text) else { return failure("invalid memory: \(text)") }
                memory = bytes
            default:
                throw UnknownCommand(argv: argv, reason: "unknown option \(first)")
            }
        }
        guard let imageText = options.first else { throw UnknownCommand(argv: argv, reason: "no image") }
        let id = name ?? UUID().uuidString.lowercased()
        if world.containers.contains(where: { $0.id == id }) {
            return failure("container with id \(id) already exists")
        }
        if networks.isEmpty { networks = ["default"] }
        for network in networks where !world.networks.contains(where: { $0.id == network }) {
            return failure("network \(network) not found")
        }
        let reference = ImageName.qualified(imageText)  // as the CLI stores it
        let image = images[reference] ?? Image()
        let arguments = Array(options.dropFirst())
        let argvOfProcess: [String]
        if let entrypoint {
            argvOfProcess = [entrypoint] + arguments
        } else {
            argvOfProcess = image.entrypoint + (arguments.isEmpty ? image.cmd : arguments)
        }
        var environment = image.env
        for file in envFiles {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                return failure("failed to read env file \(file)")
            }
            for line in text.split(whereSeparator: \.isNewline) {
                let entry = line.trimmingCharacters(in: .whitespaces)
                if entry.isEmpty || entry.hasPrefix("#") { continue }
                Self.setEnv(entry, in: &environment)
            }
        }
        for entry in env {
            if entry.contains("=") {
                Self.setEnv(entry, in: &environment)
            } else if let value = world.callerEnvironment[entry] {
                Self.setEnv(entry + "=" + value, in: &environment)
            }
        }
        var addresses: [String: String] = [:]
        for network in networks {
            guard let subnet = world.networks.first(where: { $0.id == network })?.ipv4Subnet else { continue }
            let host = world.nextHost[network, default: 2]
            world.nextHost[network] = host + 1
            addresses[network] = Self.address(in: subnet, host: host)
        }
        let gateway = world.networks.first { $0.id == networks[0] }.map { Self.address(in: $0.ipv4Subnet, host: 1) }
        world.containers.append(
            Container(
                id: id, image: reference, labels: labels, networks: networks, addresses: addresses,
                environment: environment, ports: ports, mounts: mounts, readOnly: readOnly, capAdd: capAdd,
                capDrop: capDrop, user: user, workdir: workdir ?? image.workdir,
                dns: dns.isEmpty ? [gateway.map { String($0.prefix { $0 != "/" }) } ?? "192.168.64.1"] : dns,
                cpus: cpus, memoryBytes: memory, executable: argvOfProcess.first ?? "/bin/sh",
                arguments: Array(argvOfProcess.dropFirst()), running: args[0] == "run"))
        return CommandResult(exitStatus: 0, stdout: id + "\n")
    }

    // MARK: - JSON

    private func containerJSON(_ container: Container, world: World) -> [String: Any] {
        let attachments: [[String: Any]] =
            container.running
            ? container.networks.map { network in
                let address = container.addresses[network] ?? ""
                let gateway = world.networks.first { $0.id == network }.map { Self.address(in: $0.ipv4Subnet, host: 1) }
                let bareGateway = gateway.map { String($0.prefix { $0 != "/" }) } ?? ""
                switch shape {
                case .v1:
                    return [
                        "network": network, "hostname": container.id + ".", "ipv4Address": address,
                        "ipv4Gateway": bareGateway,
                    ]
                case .v0:
                    return [
                        "network": network, "hostname": container.id + ".", "address": address, "gateway": bareGateway,
                    ]
                }
            } : []
        let user: [String: Any] =
            container.user.map { ["raw": ["userString": $0]] } ?? ["id": ["uid": 0, "gid": 0]]
        var configuration: [String: Any] = [
            "id": container.id,
            "image": [
                "reference": container.image,
                "descriptor": [
                    "digest": "sha256:" + String(repeating: "0", count: 64),
                    "mediaType": "application/vnd.oci.image.index.v1+json", "size": 1_024,
                ],
            ],
            "labels": container.labels,
            "publishedPorts": container.ports.map { port -> [String: Any] in
                [
                    "hostAddress": port.hostAddress, "hostPort": port.hostPort, "containerPort": port.containerPort,
                    "proto": port.proto, "count": port.count,
                ]
            },
            "publishedSockets": [Any](),
            "mounts": container.mounts.map { mount -> [String: Any] in
                let type: [String: Any]
                if mount.isTmpfs {
                    type = ["tmpfs": [String: Any]()]
                } else if let volume = mount.volume {
                    type = [
                        "volume": [
                            "name": volume, "format": "ext4", "cache": ["on": [String: Any]()],
                            "sync": ["fsync": [String: Any]()],
                        ]
                    ]
                } else {
                    type = ["virtiofs": [String: Any]()]
                }
                return [
                    "type": type, "source": mount.source, "destination": mount.destination,
                    "options": mount.readOnly ? ["ro"] : [String](),
                ]
            },
            "networks": container.networks.map { ["network": $0, "options": ["hostname": container.id]] },
            "dns": ["nameservers": container.dns, "searchDomains": [String](), "options": [String]()],
            "initProcess": [
                "executable": container.executable, "arguments": container.arguments,
                "environment": container.environment, "workingDirectory": container.workdir, "terminal": false,
                "user": user, "supplementalGroups": [Int](), "rlimits": [Any](),
            ],
            "resources": ["cpus": container.cpus, "memoryInBytes": container.memoryBytes],
            "rosetta": false,
            "runtimeHandler": "container-runtime-linux",
            "platform": ["architecture": "arm64", "os": "linux"],
            "sysctls": [String: String](),
        ]
        switch shape {
        case .v1:
            configuration["readOnly"] = container.readOnly
            configuration["capAdd"] = container.capAdd
            configuration["capDrop"] = container.capDrop
            configuration["creationDate"] = "2026-06-10T09:01:00Z"
            var status: [String: Any] = ["state": container.running ? "running" : "stopped", "networks": attachments]
            if container.running { status["startedDate"] = "2026-06-10T09:01:03Z" }
            return ["id": container.id, "configuration": configuration, "status": status]
        case .v0:
            var element: [String: Any] = [
                "status": container.running ? "running" : "stopped", "configuration": configuration,
                "networks": attachments,
            ]
            if container.running { element["startedDate"] = 771_234_567.25 }
            return element
        }
    }

    private func networkJSON(_ network: Network) -> [String: Any] {
        let gateway = String(Self.address(in: network.ipv4Subnet, host: 1).prefix { $0 != "/" })
        switch shape {
        case .v1:
            var configuration: [String: Any] = [
                "creationDate": "2026-06-10T09:00:00Z", "ipv4Subnet": network.ipv4Subnet, "labels": network.labels,
                "mode": network.mode, "name": network.id, "options": [String: String](),
                "plugin": "container-network-vmnet",
            ]
            if let subnet = network.ipv6Subnet { configuration["ipv6Subnet"] = subnet }
            return [
                "configuration": configuration, "id": network.id,
                "status": ["ipv4Gateway": gateway, "ipv4Subnet": network.ipv4Subnet],
            ]
        case .v0:
            return [
                "id": network.id, "state": "running",
                "config": [
                    "id": network.id, "mode": network.mode, "subnet": network.ipv4Subnet, "labels": network.labels,
                ],
                "status": ["address": network.ipv4Subnet, "gateway": gateway],
            ]
        }
    }

    private func json(_ elements: [[String: Any]]) -> CommandResult {
        let data = (try? JSONSerialization.data(withJSONObject: elements, options: [.sortedKeys])) ?? Data("[]".utf8)
        return CommandResult(exitStatus: 0, stdout: data + Data("\n".utf8))
    }

    // MARK: - Helpers

    private func failure(_ message: String) -> CommandResult {
        CommandResult(exitStatus: 1, stdout: "", stderr: "Error: \(message)\n")
    }

    private func formatIsJSON(_ args: [String]) -> Bool {
        guard let index = args.firstIndex(of: "--format"), args.indices.contains(index + 1) else { return false }
        return args[index + 1] == "json"
    }

    private func value(_ options: inout [String], argv: [String]) throws -> String {
        guard !options.isEmpty else { throw UnknownCommand(argv: argv, reason: "an option lacks its value") }
        return options.removeFirst()
    }

    private func identifiers(_ args: [String], argv: [String], valued: Set<String>) throws -> [String] {
        var rest = args
        var ids: [String] = []
        while let first = rest.first {
            rest.removeFirst()
            if valued.contains(first) {
                _ = try value(&rest, argv: argv)
            } else if first.hasPrefix("-") {
                throw UnknownCommand(argv: argv, reason: "unknown option \(first)")
            } else {
                ids.append(first)
            }
        }
        guard !ids.isEmpty else { throw UnknownCommand(argv: argv, reason: "no container ID") }
        return ids
    }

    private func keyValue(_ text: String) -> (String, String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
    }

    private static func setEnv(_ entry: String, in environment: inout [String]) {
        let key = entry.prefix { $0 != "=" }
        environment.removeAll { $0.prefix { $0 != "=" } == key }
        environment.append(entry)
    }

    /// Parses `[HOST_IP:]HOST_PORT:CONTAINER_PORT[/PROTO]` with optional `a-b` ranges and `[v6]` addresses (the
    /// manifest's syntax, but the CLI requires the host port and knows only tcp and udp).
    private static func port(_ spec: String) -> Port? {
        guard case .success(let mapping) = Formats.portMapping(spec), let hostPort = mapping.hostPort,
            ["tcp", "udp"].contains(mapping.proto)
        else { return nil }
        return Port(
            hostAddress: mapping.hostIP ?? "0.0.0.0", hostPort: hostPort, containerPort: mapping.containerPort,
            proto: mapping.proto, count: mapping.count)
    }

    /// The address `host` of an IPv4 `subnet` with the subnet's prefix (`192.168.64.0/24`, 3 → `192.168.64.3/24`).
    private static func address(in subnet: String, host: Int) -> String {
        let parts = subnet.split(separator: "/")
        let octets = parts.first.map { $0.split(separator: ".").compactMap { Int($0) } } ?? []
        guard octets.count == 4 else { return subnet }
        let value = (octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3]) + host
        let text = [24, 16, 8, 0].map { String((value >> $0) & 255) }.joined(separator: ".")
        return text + "/" + (parts.count > 1 ? String(parts[1]) : "24")
    }
}
