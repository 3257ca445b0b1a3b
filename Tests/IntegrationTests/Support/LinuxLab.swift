import Foundation
import OCCore
import OCExec
import OCTestSupport

/// A private copy of examples/linux-lab for one test: its own stack name, Podman object names, subnet,
/// network namespace, lab directory and state, so tests can run side by side on a shared store.
struct LinuxLab {
    let copy: TempDirectory
    let state: TempDirectory
    let labDir: TempDirectory
    let prefix: String
    let namespace: String
    let subnet: String

    init(namespace: String) throws {
        copy = try TempDirectory(prefix: "ocplan-lab-manifest")
        state = try TempDirectory(prefix: "ocplan-lab-state")
        labDir = try TempDirectory(prefix: "ocplan-lab-files")
        self.namespace = namespace
        prefix = "ocplan-t-" + String(UUID().uuidString.prefix(8)).lowercased()
        subnet = "10.\(Int.random(in: 150...249)).\(Int.random(in: 0...255)).0/24"
        let source = repositoryRoot.appendingPathComponent("examples/linux-lab")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(name), to: copy.url.appendingPathComponent(name))
        }
        let prefix = self.prefix
        try edit("stack.yaml") { $0.replacingOccurrences(of: "stack: linux-lab", with: "stack: \(prefix)") }
        for file in ["containers.yaml", "proxy.yaml"] { try renameContainers(in: file) }
    }

    /// Gives the lab's network and containers this lab's names in `file`.
    func renameContainers(in file: String) throws {
        try edit(file) { text in
            var out = text
            for name in ["lab-internal", "lab-egress-proxy", "lab-agent"] {
                out = out.replacingOccurrences(of: name, with: name.replacingOccurrences(of: "lab", with: prefix))
            }
            return out
        }
    }

    /// The stack name of this copy.
    var stack: String { prefix }
    var proxy: String { "\(prefix)-egress-proxy" }
    var agent: String { "\(prefix)-agent" }
    var network: String { "\(prefix)-internal" }

    var arguments: [String] {
        [
            "--var", "lab_dir=\(labDir.path)", "--var", "lab_namespace=\(namespace)", "--var",
            "internal_subnet=\(subnet)", "--state-dir", state.path, copy.path,
        ]
    }

    func ocplan(_ extra: [String]) async throws -> Binaries.Run {
        try await Binaries.run("ocplan", extra + arguments)
    }

    func ocapply(_ extra: [String]) async throws -> Binaries.Run {
        try await Binaries.run("ocapply", extra + arguments)
    }

    func edit(_ file: String, _ transform: (String) -> String) throws {
        let url = copy.url.appendingPathComponent(file)
        try transform(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
    }

    /// Removes every Podman object this lab made, whatever state the test left.
    func cleanUp() async {
        let runner = SubprocessRunner()
        for name in [agent, proxy, "\(prefix)-outside", "\(prefix)-squatter"] {
            _ = try? await runner.run(Command(["podman", "rm", "-f", "-t", "0", "--ignore", name]))
        }
        _ = try? await runner.run(Command(["podman", "network", "rm", "-f", network]))
    }

    /// Builds the lab image (scripts/lab-image, idempotent).
    static func buildImage() async throws {
        let script = repositoryRoot.appendingPathComponent("scripts/lab-image").path
        let result = try await SubprocessRunner().run(Command([script], timeout: .seconds(120)))
        guard result.succeeded else { throw OCError(.commandFailed, "scripts/lab-image: \(result.stderrText)") }
    }
}

/// Runs `body` with a fresh lab copy in a fresh namespace (forwarding reset to 0, the lab image built),
/// and removes the lab's Podman objects afterwards, even on failure.
func withLinuxLab(_ body: (LinuxLab, NetNamespace) async throws -> Void) async throws {
    try await LinuxLab.buildImage()
    try await withNetNamespace { ns in
        let lab = try LinuxLab(namespace: ns.name)
        do {
            // New namespaces inherit IPv4 forwarding from the root namespace: start from a known value.
            try await ns.run(["sysctl", "-w", "net.ipv4.ip_forward=0", "net.ipv4.conf.all.forwarding=0"])
            try await body(lab, ns)
        } catch {
            await lab.cleanUp()
            throw error
        }
        await lab.cleanUp()
    }
}
