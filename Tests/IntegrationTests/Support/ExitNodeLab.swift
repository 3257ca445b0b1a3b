import Foundation
import Logging
import OCCLI
import OCCore
import OCExec
import OCTestSupport
import Testing

/// Three network namespaces joined by veth pairs, standing in for the seed's exit-node path.
///
/// ```
/// client (vm-side)            exit (router)                      internet
/// c0 10.99.1.2 ──veth── e0 10.99.1.1   e1 10.99.2.1 ──veth── i0 10.99.2.2
/// default via 10.99.1.1                                 (no route back to 10.99.1.0/24)
/// ```
///
/// The internet side has no route to the client's subnet, so a connection from the client only completes
/// when the exit masquerades it; the listener (busybox httpd with a CGI script) answers with the source
/// address it saw. All addresses live only inside these namespaces; nothing reaches the machine's network.
struct ExitNodeLab: Sendable {
    let client: NetNamespace
    let exit: NetNamespace
    let internet: NetNamespace
    /// The web root of the listener (its `cgi-bin/ip` prints `REMOTE_ADDR`).
    let webRoot: TempDirectory

    static let clientAddress = "10.99.1.2"
    static let exitInside = "10.99.1.1"
    static let exitOutside = "10.99.2.1"
    static let internetAddress = "10.99.2.2"
    static let port = 8080

    /// Wires the namespaces, with forwarding off in the exit, and starts the listener.
    func build() async throws {
        try await client.run(["ip", "link", "add", "c0", "type", "veth", "peer", "name", "e0", "netns", exit.name])
        try await exit.run(["ip", "link", "add", "e1", "type", "veth", "peer", "name", "i0", "netns", internet.name])
        for (namespace, device, address) in [
            (client, "c0", Self.clientAddress), (exit, "e0", Self.exitInside), (exit, "e1", Self.exitOutside),
            (internet, "i0", Self.internetAddress),
        ] {
            try await namespace.run(["ip", "addr", "add", "\(address)/24", "dev", device])
            try await namespace.run(["ip", "link", "set", device, "up"])
            try await namespace.run(["ip", "link", "set", "lo", "up"])
        }
        try await client.run(["ip", "route", "add", "default", "via", Self.exitInside])
        // A new namespace inherits IPv4 forwarding from the root namespace; the manifest turns it on.
        try await exit.run(["sysctl", "-w", "net.ipv4.ip_forward=0"])

        let script = "#!/bin/sh\necho \"Content-Type: text/plain\"\necho\necho \"$REMOTE_ADDR\"\n"
        try webRoot.write(script, to: "cgi-bin/ip", executable: true)
        // Without -f, httpd binds and then goes to the background: when this returns, it is listening.
        try await internet.run([
            "busybox", "httpd", "-p", "\(Self.internetAddress):\(Self.port)", "-h", webRoot.path,
        ])
    }

    /// Fetches the listener's `cgi-bin/ip` from the client: the source address the internet side saw.
    func sourceSeenByInternet() async throws -> String {
        let url = "http://\(Self.internetAddress):\(Self.port)/cgi-bin/ip"
        let result = try await client.runner().check(
            Command(["busybox", "wget", "-q", "-O", "-", url], timeout: .seconds(20)), host: client.name)
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Ends every process left in the namespaces (the listener).
    func stopProcesses() async {
        let local = SubprocessRunner()
        for namespace in [internet, exit, client] {
            let pids = (try? await local.run(Command(["ip", "netns", "pids", namespace.name])))?.stdoutText ?? ""
            for pid in pids.split(whereSeparator: \.isNewline) {
                _ = try? await local.run(Command(["kill", String(pid)]))
            }
        }
    }

    /// `iptables-save -c` (or another listing command) inside the exit namespace.
    @discardableResult
    func exitRun(_ argv: [String]) async throws -> String { try await exit.run(argv) }
}

/// Builds an ``ExitNodeLab``, runs `body` with it, and removes it (processes, then namespaces) whether
/// `body` returns or throws.
func withExitNodeLab<T: Sendable>(_ body: (ExitNodeLab) async throws -> T) async throws -> T {
    try #require(ToolLocator.isAvailable("busybox"), "busybox is needed: apt-get install busybox-static")
    return try await withNetNamespace { client in
        try await withNetNamespace { exit in
            try await withNetNamespace { internet in
                let lab = ExitNodeLab(
                    client: client, exit: exit, internet: internet,
                    webRoot: try TempDirectory(prefix: "ocplan-exit-lab-web"))
                do {
                    try await lab.build()
                    let result = try await body(lab)
                    await lab.stopProcesses()
                    return result
                } catch {
                    await lab.stopProcesses()
                    throw error
                }
            }
        }
    }
}

/// A stack planned and applied in-process with the standard providers over real commands (an
/// ``EngineHarness``), its manifest and state in temp dirs.
final class EngineStack: Sendable {
    let harness: EngineHarness
    var name: String { harness.stack }
    var journal: StateJournal { harness.journal }

    init(name: String) throws {
        harness = try EngineHarness(
            stack: name, catalog: StandardProviders.catalog, providers: StandardProviders.registry.providers,
            runner: { host in makeRunner(for: host, base: SubprocessRunner()) })
    }

    /// Writes `body` (everything after `stack:`) as the manifest and plans it.
    func plan(_ body: String, destroy: Bool = false) async throws -> Plan {
        try await harness.plan(body, options: PlanOptions(destroy: destroy))
    }

    /// Applies `plan`, requiring that every action succeeded and converged.
    func apply(_ plan: Plan, sourceLocation: Testing.SourceLocation = #_sourceLocation) async {
        let report = await harness.apply(plan)
        #expect(report.failed.map(\.error) == [], sourceLocation: sourceLocation)
        #expect(report.skipped.isEmpty, sourceLocation: sourceLocation)
        #expect(report.notConverged.isEmpty, sourceLocation: sourceLocation)
    }
}
