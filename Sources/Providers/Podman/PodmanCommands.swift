import Foundation
import OCContainerModel
import OCCore

/// The argv of every command the Podman provider runs: pure functions of names and attribute trees.
///
/// Observation commands are batched (one list call per kind filtered by the stack label, one `inspect` of
/// many names); changing commands are marked `mutating`.
package enum PodmanCommands {
    /// The program.
    static let podman = "podman"

    // MARK: - Observe

    /// `podman network ls --format json --filter label=io.ocplan.stack=STACK`.
    package static func listNetworks(stack: String) -> Command {
        Command([podman, "network", "ls", "--format", "json", "--filter", PodmanLabels.filter(stack: stack)])
    }

    /// `podman network inspect NAME…` (exit 125 when one is missing; the found ones are still printed).
    package static func inspectNetworks(_ names: [String]) -> Command {
        Command([podman, "network", "inspect"] + names)
    }

    /// `podman volume ls --format json --filter label=io.ocplan.stack=STACK`.
    package static func listVolumes(stack: String) -> Command {
        Command([podman, "volume", "ls", "--format", "json", "--filter", PodmanLabels.filter(stack: stack)])
    }

    /// `podman volume inspect NAME…`.
    package static func inspectVolumes(_ names: [String]) -> Command { Command([podman, "volume", "inspect"] + names) }

    /// `podman ps -a --format json --filter label=io.ocplan.stack=STACK`.
    package static func listContainers(stack: String) -> Command {
        Command([podman, "ps", "-a", "--format", "json", "--filter", PodmanLabels.filter(stack: stack)])
    }

    /// `podman ps -a --format json --filter network=NAME`: who keeps a network in use (for error messages).
    package static func containers(using network: String) -> Command {
        Command([podman, "ps", "-a", "--format", "json", "--filter", "network=\(network)"])
    }

    /// `podman container inspect NAME…`.
    package static func inspectContainers(_ names: [String]) -> Command {
        Command([podman, "container", "inspect"] + names)
    }

    /// `podman image inspect REFERENCE|ID…`: the images' IDs, tags and the defaults containers inherit from them.
    package static func inspectImages(_ ids: [String]) -> Command { Command([podman, "image", "inspect"] + ids) }

    // MARK: - Networks

    /// `podman network create` with the tree's settings and the ownership marks.
    package static func createNetwork(_ name: String, tree: Value, marks: [(key: String, value: String)]) -> Command {
        typealias Key = PodmanTree.Network
        var argv = [podman, "network", "create"]
        if let driver = tree[Key.driver].stringValue, driver != "bridge" { argv += ["--driver", driver] }
        if tree[Key.isInternal].boolValue == true { argv.append("--internal") }
        if let subnet = tree[Key.subnet].stringValue { argv += ["--subnet", subnet] }
        if let gateway = tree[Key.gateway].stringValue { argv += ["--gateway", gateway] }
        if let range = tree[Key.ipRange].stringValue { argv += ["--ip-range", range] }
        if tree[Key.ipv6].boolValue == true { argv.append("--ipv6") }
        if let subnet = tree[Key.ipv6Subnet].stringValue { argv += ["--subnet", subnet] }
        if tree[Key.dns].boolValue == false { argv.append("--disable-dns") }
        for (key, value) in sorted(tree[Key.options]) { argv += ["--opt", "\(key)=\(value)"] }
        argv += labelArguments(marks: marks, labels: tree[Key.labels])
        return Command(argv + [name], mutating: true)
    }

    /// `podman network rm NAME` (exit 1: not found; exit 2: in use).
    package static func removeNetwork(_ name: String) -> Command {
        Command([podman, "network", "rm", name], mutating: true)
    }

    /// `podman network connect [--alias A]… [--ip X] [--ip6 Y] NETWORK CONTAINER`.
    package static func connect(network: String, container: String, attachment: Value) -> Command {
        typealias Key = PodmanTree.Attachment
        var argv = [podman, "network", "connect"]
        for alias in attachment[Key.aliases].listValue ?? [] {
            if let alias = alias.stringValue { argv += ["--alias", alias] }
        }
        if let ip = attachment[Key.ipv4].stringValue { argv += ["--ip", ip] }
        if let ip = attachment[Key.ipv6].stringValue { argv += ["--ip6", ip] }
        return Command(argv + [network, container], mutating: true)
    }

    /// `podman network disconnect NETWORK CONTAINER`.
    package static func disconnect(network: String, container: String) -> Command {
        Command([podman, "network", "disconnect", network, container], mutating: true)
    }

    // MARK: - Volumes

    /// `podman volume create` with the tree's driver, options and labels.
    package static func createVolume(_ name: String, tree: Value, marks: [(key: String, value: String)]) -> Command {
        typealias Key = PodmanTree.Volume
        var argv = [podman, "volume", "create"]
        if let driver = tree[Key.driver].stringValue, driver != "local" { argv += ["--driver", driver] }
        for (key, value) in sorted(tree[Key.options]) { argv += ["--opt", "\(key)=\(value)"] }
        argv += labelArguments(marks: marks, labels: tree[Key.labels])
        return Command(argv + [name], mutating: true)
    }

    /// `podman volume rm NAME` (exit 1: not found; exit 2: in use).
    package static func removeVolume(_ name: String) -> Command {
        Command([podman, "volume", "rm", name], mutating: true)
    }

    // MARK: - Images

    /// `podman image exists -- REFERENCE`: exit 0 when the image is in local storage, 1 when it is not.
    package static func imageExists(_ reference: String) -> Command {
        Command([podman, "image", "exists", "--", reference])
    }

    /// `podman pull REFERENCE`.
    package static func pull(_ reference: String) -> Command {
        Command([podman, "pull", reference], timeout: .seconds(1_800), mutating: true)
    }

    /// `podman build -t REFERENCE [-f FILE] [--build-arg K=V]… [--target T] --pull=POLICY --label HASH CONTEXT`.
    package static func build(_ tree: Value) -> Command {
        typealias Key = PodmanTree.Image
        let build = tree[Key.build]
        var argv = [podman, "build", "-t", tree[Key.reference].stringValue ?? ""]
        if let file = build["file"].stringValue { argv += ["-f", file] }
        for (key, value) in sorted(build["args"]) { argv += ["--build-arg", "\(key)=\(value)"] }
        if let target = build["target"].stringValue { argv += ["--target", target] }
        argv.append("--pull=\(tree[Key.pull].stringValue ?? "missing")")
        argv += ["--label", "\(PodmanLabels.buildHash)=\(tree[Key.buildHash].stringValue ?? "")"]
        argv.append(build["context"].stringValue ?? ".")
        return Command(argv, timeout: .seconds(3_600), mutating: true)
    }

    /// `podman import --change 'LABEL io.ocplan.import-hash=HASH' TARBALL REFERENCE`.
    package static func importImage(_ tree: Value) -> Command {
        typealias Key = PodmanTree.Image
        return Command(
            [
                podman, "import", "--change",
                "LABEL \(PodmanLabels.importHash)=\(tree[Key.importHash].stringValue ?? "")",
                tree[Key.importFrom].stringValue ?? "", tree[Key.reference].stringValue ?? "",
            ], timeout: .seconds(1_800), mutating: true)
    }

    /// `podman image rm REFERENCE` (exit 1: not known; exit 2: in use by a container).
    package static func removeImage(_ reference: String) -> Command {
        Command([podman, "image", "rm", reference], mutating: true)
    }

    // MARK: - Containers

    /// `podman create` with every setting of the tree and the ownership marks, or `podman run --detach` with the
    /// same settings: one command instead of `create` then `start`, with the same result.
    ///
    /// - Parameters:
    ///   - name: the container name.
    ///   - tree: the desired tree.
    ///   - marks: the ownership labels.
    ///   - hostGateway: the address to write for `NAME:host-gateway` entries (Podman before 5.3 rejects the
    ///     keyword); `nil` passes the keyword through.
    ///   - start: whether the container also starts (`podman run --detach`).
    /// - Returns: the command.
    package static func createContainer(
        _ name: String, tree: Value, marks: [(key: String, value: String)], hostGateway: String? = nil,
        start: Bool = false
    ) -> Command {
        typealias Key = PodmanTree.Container
        var argv = [podman] + (start ? ["run", "--detach"] : ["create"]) + ["--name", name]
        argv += labelArguments(marks: marks, labels: tree[Key.labels])
        if let mode = tree[Key.networkMode].stringValue, mode != "bridge" {
            argv += ["--network", mode]
        } else {
            for network in networkOrder(tree) {
                argv += ["--network", networkArgument(network, attachment: tree[Key.networks][network])]
            }
        }
        for port in strings(tree[Key.ports]) { argv += ["-p", portArgument(port)] }
        for entry in strings(tree[Key.addHosts]) {
            var value = entry
            if let hostGateway, entry.hasSuffix(":" + HostGateway.keyword) {
                value = String(entry.dropLast(HostGateway.keyword.count)) + hostGateway
            }
            argv += ["--add-host", value]
        }
        for capability in strings(tree[Key.capDrop]) { argv += ["--cap-drop", capability] }
        for capability in strings(tree[Key.capAdd]) { argv += ["--cap-add", capability] }
        if tree[Key.readOnly].boolValue == true { argv.append("--read-only") }
        if let user = tree[Key.user].stringValue { argv += ["--user", user] }
        if let workdir = tree[Key.workdir].stringValue { argv += ["--workdir", workdir] }
        for text in strings(tree[Key.volumes]) {
            if let mount = MountText(parsing: text) { argv += ["--volume", mount.argument] }
        }
        for entry in strings(tree[Key.tmpfs]) { argv += ["--tmpfs", entry] }
        if let restart = tree[Key.restart].stringValue, restart != "no" { argv += ["--restart", restart] }
        let check = tree[Key.healthcheck]
        if !check.isNull {
            argv += ["--health-cmd", jsonArray(strings(check["test"]))]
            argv += ["--health-interval", check["interval"].stringValue ?? "30s"]
            argv += ["--health-timeout", check["timeout"].stringValue ?? "30s"]
            argv += ["--health-retries", String(check["retries"].intValue ?? 3)]
            argv += ["--health-start-period", check["startPeriod"].stringValue ?? "0s"]
        }
        for option in strings(tree[Key.securityOpt]) { argv += ["--security-opt", option] }
        for server in strings(tree[Key.dns]) { argv += ["--dns", server] }
        if let memory = tree[Key.memory].intValue { argv += ["--memory", String(memory)] }
        if let cpus = tree[Key.cpus].stringValue { argv += ["--cpus", cpus] }
        for (limit, value) in sorted(tree[Key.ulimits]) { argv += ["--ulimit", "\(limit)=\(value)"] }
        if tree[Key.privileged].boolValue == true { argv.append("--privileged") }
        if let hostname = tree[Key.hostname].stringValue { argv += ["--hostname", hostname] }
        if let signal = tree[Key.stopSignal].intValue { argv += ["--stop-signal", String(signal)] }
        if let seconds = tree[Key.stopTimeout].intValue { argv += ["--stop-timeout", String(seconds)] }
        if tree[Key.tty].boolValue == true { argv.append("--tty") }
        if let bytes = tree[Key.shmSize].intValue { argv += ["--shm-size", "\(bytes)b"] }
        if let limit = tree[Key.pidsLimit].intValue { argv += ["--pids-limit", String(limit)] }
        for group in strings(tree[Key.groupAdd]) { argv += ["--group-add", group] }
        for (key, value) in sorted(tree[Key.sysctls]) { argv += ["--sysctl", "\(key)=\(value)"] }
        // Environment values never go on the command line (`ps` shows argv to every user): they are read from
        // standard input as an env file; a value an env file cannot hold (a newline, a leading quote) is read
        // by Podman from its own environment (`--env KEY` without a value).
        var envFile = ""
        var environment: [String: String] = [:]
        for (key, value) in sorted(tree[Key.env]) {
            if value.contains(where: \.isNewline) || value.first == "\"" || value.first == "'" {
                argv += ["--env", key]
                environment[key] = value
            } else {
                envFile += "\(key)=\(value)\n"
            }
        }
        if !envFile.isEmpty { argv += ["--env-file", "/dev/stdin"] }
        if let entrypoint = tree[Key.entrypoint].listValue {
            argv += ["--entrypoint", jsonArray(entrypoint.compactMap(\.stringValue))]
        }
        // `--` ends podman's options: the image and the command after it are operands, never flags.
        argv += ["--", tree[Key.image].stringValue ?? ""]
        argv += tree[Key.command].listValue?.compactMap(\.stringValue) ?? []
        return Command(
            argv, stdin: envFile.isEmpty ? nil : Data(envFile.utf8), environment: environment, timeout: .seconds(600),
            mutating: true)
    }

    /// `podman start NAME` (exit 0 when it already runs).
    package static func start(_ name: String) -> Command { Command([podman, "start", name], mutating: true) }

    /// `podman stop --time N -- NAME` (exit 0 when it is already stopped): the stop signal, then SIGKILL after
    /// `seconds` (the container's `stopTimeout`).
    package static func stop(_ name: String, seconds: Int = StopSignal.defaultTimeout) -> Command {
        Command([podman, "stop", "--time", String(seconds), "--", name], mutating: true)
    }

    /// `podman restart --time N -- NAME`: stops (the stop signal, then SIGKILL after `seconds`, the container's
    /// `stopTimeout`) and starts the same container again, keeping its ID; bind mounts are made afresh, so a file
    /// replaced by rename is seen.
    package static func restart(_ name: String, seconds: Int = StopSignal.defaultTimeout) -> Command {
        Command([podman, "restart", "--time", String(seconds), "--", name], mutating: true)
    }

    /// The stop wait of a container tree (its `stopTimeout`, 10 s when the tree has none).
    package static func stopSeconds(_ tree: Value?) -> Int {
        tree?[PodmanTree.Container.stopTimeout].intValue ?? StopSignal.defaultTimeout
    }

    /// `podman unpause NAME`.
    package static func unpause(_ name: String) -> Command { Command([podman, "unpause", name], mutating: true) }

    /// `podman rm --force --ignore --time N -- NAME`: stops (SIGKILL after `seconds`) and removes; exit 0 when it
    /// does not exist.
    package static func removeContainer(_ name: String, seconds: Int = StopSignal.defaultTimeout) -> Command {
        Command([podman, "rm", "--force", "--ignore", "--time", String(seconds), "--", name], mutating: true)
    }

    // MARK: - Helpers

    /// The networks of a container tree in the order written (the tree's map keys when it has no order).
    static func networkOrder(_ tree: Value) -> [String] {
        let attached = Set((tree[PodmanTree.Container.networks].mapValue ?? [:]).filter { !$0.value.isNull }.keys)
        let order = strings(tree[PodmanTree.Container.networkOrder]).filter(attached.contains)
        return order + attached.subtracting(order).sorted()
    }

    /// `NAME[:alias=A,…,ip=X,ip6=Y]` for `--network`.
    static func networkArgument(_ name: String, attachment: Value) -> String {
        typealias Key = PodmanTree.Attachment
        var options = strings(attachment[Key.aliases]).map { "alias=\($0)" }
        if let ip = attachment[Key.ipv4].stringValue { options.append("ip=\(ip)") }
        if let ip = attachment[Key.ipv6].stringValue { options.append("ip6=\(ip)") }
        return options.isEmpty ? name : name + ":" + options.joined(separator: ",")
    }

    /// Podman's `-p` form of a canonical port entry (``PodmanTree/port(hostIP:hostPort:containerPort:proto:)``):
    /// `127.0.0.1:8080->80/tcp` → `127.0.0.1:8080:80/tcp`, `*:8080->80/tcp` → `8080:80/tcp`, `*:*->80/tcp` →
    /// `80/tcp`, `127.0.0.1:*->80/tcp` → `127.0.0.1::80/tcp`.
    static func portArgument(_ entry: String) -> String {
        guard let arrow = entry.range(of: "->") else { return entry }
        let host = entry[..<arrow.lowerBound]
        let container = String(entry[arrow.upperBound...])
        guard let colon = host.lastIndex(of: ":") else { return entry }
        let address = host[..<colon] == "*" ? "" : String(host[..<colon])
        let port = host[host.index(after: colon)...] == "*" ? "" : String(host[host.index(after: colon)...])
        if address.isEmpty { return port.isEmpty ? container : "\(port):\(container)" }
        return "\(address):\(port):\(container)"
    }

    static func labelArguments(marks: [(key: String, value: String)], labels: Value) -> [String] {
        var argv: [String] = []
        for mark in marks { argv += ["--label", "\(mark.key)=\(mark.value)"] }
        for (key, value) in sorted(labels) { argv += ["--label", "\(key)=\(value)"] }
        return argv
    }

    static func sorted(_ map: Value) -> [(String, String)] {
        (map.mapValue ?? [:]).compactMap { key, value in value.stringValue.map { (key, $0) } }.sorted { $0.0 < $1.0 }
    }

    static func strings(_ list: Value) -> [String] { list.listValue?.compactMap(\.stringValue) ?? [] }

    /// A JSON array of strings (`["wget","-q","http://proxy/"]`), as `--entrypoint` and `--health-cmd` take it.
    static func jsonArray(_ words: [String]) -> String {
        "[" + words.map { Value.quote($0) }.joined(separator: ",") + "]"
    }
}
