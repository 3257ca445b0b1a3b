import Foundation

/// The desired state the benchmark measures at one size: `count` busybox containers on `count / 5` internal
/// networks, each with env, labels and `capDrop`, every fifth with a loopback port, plus one iptables chain and one
/// sysctl in a network namespace the benchmark creates (issue 11's shape).
struct Workload: Sendable {
    /// How many containers.
    var count: Int
    /// The unique prefix of every name (stack, containers, networks).
    var prefix: String
    /// The image every container runs (built offline by `scripts/lab-image`).
    var image: String
    /// The namespace that holds the chain and the sysctl.
    var namespace: String
    /// The first loopback port; container `i` that publishes uses `portBase + i`.
    var portBase: Int

    /// The iptables chain's name.
    static let chain = "OC_BENCH"
    /// The sysctl set in the namespace, and its value.
    static let sysctl = ("net.ipv4.ip_default_ttl", "77")
    /// The command every container runs: an argv, without a shell.
    ///
    /// As PID 1 `sleep` ignores SIGTERM, so the containers stop with no grace period (``stopTimeout``): SIGKILL
    /// at once.
    static let command = ["sleep", "86400"]
    /// The containers' stop timeout, in seconds.
    static let stopTimeout = 0

    var networkCount: Int { max(1, count / 5) }
    func container(_ index: Int) -> String { "\(prefix)-c\(index)" }
    func network(_ index: Int) -> String { "\(prefix)-n\(index)" }
    func networkOf(_ index: Int) -> String { network(index % networkCount) }
    func port(_ index: Int) -> Int? { index % 5 == 0 ? portBase + index : nil }
    var containers: [String] { (0..<count).map(container) }
    var networks: [String] { (0..<networkCount).map(network) }

    /// The manifest, one file.
    var manifest: String {
        var text = """
            version: 1
            stack: \(prefix)
            hosts:
              ns: { transport: netns, namespace: \(namespace) }
            sysctl:
              ttl: { host: ns, key: \(Self.sysctl.0), value: "\(Self.sysctl.1)" }
            iptables:
              bench:
                host: ns
                table: filter
                chain: \(Self.chain)
                rules: ["-s 10.99.0.0/16 -j RETURN"]
                hook: { chain: INPUT }
            networks:

            """
        for network in networks { text += "  \(network): { internal: true }\n" }
        text += "containers:\n"
        let command = Self.command.map { "\"\($0.replacingOccurrences(of: "\"", with: "\\\""))\"" }
        for index in 0..<count {
            text += """
                  \(container(index)):
                    image: \(image)
                    command: [\(command.joined(separator: ", "))]
                    networks: [\(networkOf(index))]
                    env: { BENCH_INDEX: "\(index)", BENCH_MODE: steady }
                    labels: { bench.tier: "t\(index % 3)" }
                    capDrop: [NET_RAW, MKNOD]
                    stopTimeout: \(Self.stopTimeout)

                """
            if let port = port(index) { text += "    ports: [\"127.0.0.1:\(port):8080\"]\n" }
        }
        return text
    }

    /// What a person would type without ocplan, serially: each network and container created with the plain CLI,
    /// then the chain and the sysctl (no diffing, no read-back).
    var plainCommands: [[String]] {
        var commands: [[String]] = networks.map {
            ["podman", "network", "create", "--internal", "--label", "ocplan.bench=\(prefix)", $0]
        }
        for index in 0..<count {
            var run = [
                "podman", "run", "-d", "--name", container(index), "--network", networkOf(index),
                "--label", "ocplan.bench=\(prefix)", "--label", "bench.tier=t\(index % 3)",
                "-e", "BENCH_INDEX=\(index)", "-e", "BENCH_MODE=steady", "--cap-drop", "NET_RAW", "--cap-drop", "MKNOD",
                "--stop-timeout", String(Self.stopTimeout),
            ]
            if let port = port(index) { run += ["-p", "127.0.0.1:\(port):8080"] }
            commands.append(run + [image] + Self.command)
        }
        let inside = ["ip", "netns", "exec", namespace]
        commands += [
            inside + ["iptables", "-N", Self.chain],
            inside + ["iptables", "-A", Self.chain, "-s", "10.99.0.0/16", "-j", "RETURN"],
            inside + ["iptables", "-I", "INPUT", "-j", Self.chain],
            inside + ["sysctl", "-w", "\(Self.sysctl.0)=\(Self.sysctl.1)"],
        ]
        return commands
    }

    /// The detailed observation floor: what any tool must read to know this state (every container and network
    /// inspected, the chain listed, the sysctl read), run one after the other.
    var floorCommands: [[String]] {
        let inside = ["ip", "netns", "exec", namespace]
        return [
            ["podman", "ps", "-a", "--format", "json"],
            ["podman", "container", "inspect"] + containers,
            ["podman", "network", "inspect"] + networks,
            inside + ["iptables-save", "-t", "filter"],
            inside + ["sysctl", "-n", Self.sysctl.0],
        ]
    }

    /// Removes everything of this workload, whoever made it (nothing fails when it is already gone).
    var cleanUpCommands: [[String]] {
        let inside = ["ip", "netns", "exec", namespace]
        return [
            ["podman", "rm", "-f", "-t", "0", "--ignore"] + containers,
            ["podman", "network", "rm", "-f"] + networks,
            inside + ["iptables", "-D", "INPUT", "-j", Self.chain],
            inside + ["iptables", "-F", Self.chain],
            inside + ["iptables", "-X", Self.chain],
        ]
    }
}
