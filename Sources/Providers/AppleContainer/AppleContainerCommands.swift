import Foundation
import OCCore

/// The argv of every command the Apple `container` provider runs (reference §3); all pure.
///
/// Values from the manifest only ever become single argv elements. Mutating commands are marked
/// ``Command/mutating``.
package enum AppleContainerCommands {
    /// The CLI's program name.
    package static let program = "container"

    /// The ownership labels put on everything the stack creates.
    package struct Ownership: Sendable, Hashable {
        /// The stack name (`io.ocplan.stack`).
        package var stack: String
        /// The resource address (`io.ocplan.address`).
        package var address: Address
        /// The hash of the tree the object is created from (`io.ocplan.spec-hash`).
        package var specHash: String

        /// Creates the labels for `address` of `stack`, created from `tree`.
        package init(stack: String, address: Address, tree: Value) {
            self.stack = stack
            self.address = address
            self.specHash = AppleContainerTree.specHash(tree)
        }

        /// `--label KEY=VALUE` for the three ownership labels.
        var arguments: [String] {
            [
                "--label", "\(AppleContainerTree.Label.stack)=\(stack)",
                "--label", "\(AppleContainerTree.Label.address)=\(address)",
                "--label", "\(AppleContainerTree.Label.specHash)=\(specHash)",
            ]
        }
    }

    // MARK: - Observe

    /// `container system status`: exit 0 when the API server answers, 1 with `apiserver is not running` otherwise.
    package static func systemStatus() -> Command { Command([program, "system", "status"], timeout: .seconds(30)) }

    /// `container list --all --format json`: every container, running or not.
    package static func listContainers() -> Command { Command([program, "list", "--all", "--format", "json"]) }

    /// `container network list --format json`: every network.
    package static func listNetworks() -> Command { Command([program, "network", "list", "--format", "json"]) }

    // MARK: - Networks

    /// `container network create [--internal] [--subnet S] [--subnet-v6 S6] --label …… NAME`.
    ///
    /// - Parameters:
    ///   - name: the network's name.
    ///   - tree: the desired network tree.
    ///   - ownership: the ownership labels.
    /// - Returns: the command.
    package static func createNetwork(_ name: String, tree: Value, ownership: Ownership) -> Command {
        typealias Key = AppleContainerTree.NetworkKey
        var argv = [program, "network", "create"]
        if tree[Key.isInternal].boolValue == true { argv.append("--internal") }
        if let subnet = tree[Key.subnet].stringValue { argv += ["--subnet", subnet] }
        if let subnet = tree[Key.ipv6Subnet].stringValue { argv += ["--subnet-v6", subnet] }
        argv += ownership.arguments + labelArguments(tree[Key.labels])
        argv.append(name)
        return Command(argv, mutating: true)
    }

    /// `container network delete NAME`.
    package static func deleteNetwork(_ name: String) -> Command {
        Command([program, "network", "delete", name], mutating: true)
    }

    // MARK: - Containers

    /// `container run -d …` for a container that should run, `container create …` for one that should stay
    /// stopped.
    ///
    /// The options come in a fixed order: name, labels (ownership first), networks, env files, environment
    /// (sorted), ports, volumes, tmpfs, `--read-only`, capabilities, user, workdir, entrypoint, DNS, CPUs, memory
    /// (in MiB, the CLI's granularity), then the image and the command.
    ///
    /// - Parameters:
    ///   - name: the container's name (its id).
    ///   - tree: the desired container tree.
    ///   - ownership: the ownership labels.
    ///   - sensitive: the marks of the change: a secret environment value travels in the CLI's environment
    ///     (`-e KEY`), never on its command line, where `ps` shows it to every user.
    /// - Returns: the command.
    package static func createContainer(
        _ name: String, tree: Value, ownership: Ownership, sensitive: SensitivePaths = SensitivePaths()
    ) -> Command {
        typealias Key = AppleContainerTree.ContainerKey
        let running = tree[Key.state].stringValue != "stopped"
        var argv = running ? [program, "run", "-d"] : [program, "create"]
        argv += ["--name", name]
        argv += ownership.arguments + labelArguments(tree[Key.labels])
        argv += repeated("--network", tree[Key.networks])
        argv += repeated("--env-file", tree[Key.envFiles])
        // A secret travels in the CLI's environment, never on its command line: `-e KEY` without a value takes
        // KEY from the environment `container` runs in (apple/container `Parser.env(envList:)`). Other values
        // stay in argv, so a variable such as PATH never changes the CLI's own environment.
        let env = tree[Key.env].mapValue ?? [:]
        var environment: [String: String] = [:]
        for key in env.keys.sorted() {
            let value = env[key]?.stringValue ?? ""
            if sensitive.covers(ValuePath([.key(Key.env), .key(key)])) {
                argv += ["-e", key]
                environment[key] = value
            } else {
                argv += ["-e", "\(key)=\(value)"]
            }
        }
        argv += repeated("-p", tree[Key.ports])
        argv += repeated("-v", tree[Key.volumes])
        argv += repeated("--tmpfs", tree[Key.tmpfs])
        if tree[Key.readOnly].boolValue == true { argv.append("--read-only") }
        argv += repeated("--cap-add", tree[Key.capAdd])
        argv += repeated("--cap-drop", tree[Key.capDrop])
        if let user = tree[Key.user].stringValue { argv += ["-u", user] }
        if let workdir = tree[Key.workdir].stringValue { argv += ["-w", workdir] }
        if let entrypoint = tree[Key.entrypoint].listValue?.first?.stringValue { argv += ["--entrypoint", entrypoint] }
        argv += repeated("--dns", tree[Key.dns])
        if let cpus = tree[Key.cpus].intValue { argv += ["-c", String(cpus)] }
        if let memory = tree[Key.memory].intValue { argv += ["-m", "\(memory / 1_048_576)M"] }
        // `--` ends the options (ArgumentParser's terminator): the image and its command are operands.
        argv += ["--", tree[Key.image].stringValue ?? ""]
        argv += (tree[Key.command].listValue ?? []).compactMap(\.stringValue)
        return Command(argv, environment: environment, timeout: .seconds(600), mutating: true)
    }

    /// `container start NAME`.
    package static func start(_ name: String) -> Command { Command([program, "start", name], mutating: true) }

    /// `container stop NAME` (SIGTERM, then SIGKILL after the CLI's 5 seconds).
    package static func stop(_ name: String) -> Command { Command([program, "stop", name], mutating: true) }

    /// `container delete NAME` (refused by the CLI while the container runs, so a running one is stopped first).
    package static func delete(_ name: String) -> Command { Command([program, "delete", name], mutating: true) }

    /// Whether `command` removes or stops something, so that a `not found` answer means it is already done.
    static func isRemoval(_ command: Command) -> Bool {
        let argv = command.argv
        return argv.starts(with: [program, "stop"]) || argv.starts(with: [program, "delete"])
            || argv.starts(with: [program, "network", "delete"])
    }

    // MARK: - Helpers

    /// `--label KEY=VALUE` for each user label, sorted by key.
    private static func labelArguments(_ labels: Value) -> [String] {
        let map = labels.mapValue ?? [:]
        return map.keys.sorted().flatMap { ["--label", "\($0)=\(map[$0]?.stringValue ?? "")"] }
    }

    /// `FLAG VALUE` for each string of a list value.
    private static func repeated(_ flag: String, _ values: Value) -> [String] {
        (values.listValue ?? []).compactMap(\.stringValue).flatMap { [flag, $0] }
    }
}
