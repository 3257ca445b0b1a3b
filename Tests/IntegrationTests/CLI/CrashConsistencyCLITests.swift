import Foundation
import OCCore
import OCExec
import OCTestSupport
import Testing

/// `ocapply` killed with SIGKILL at every step boundary of a mixed manifest (a sysctl take-over, a file in a new
/// folder, a Podman network and container, an iptables chain): at each point the next apply converges, the plan is
/// then empty, and `--destroy` restores the sysctl's original value and leaves nothing behind.
///
/// The kill is real: a folder of shims, first on `PATH`, stands in for every program `ocapply` starts. Each shim
/// runs the real program, counts it, and when the count reaches the trial's number sends SIGKILL to its parent,
/// but only when that parent is `ocapply` (read from `/proc/PPID/comm`), so it can never hit the test runner.
@Suite(.serialized) struct CrashConsistencyCLITests {
    @Test(.enabled(if: NetNamespace.isSupported && PodmanFixture.isSupported), .timeLimit(.minutes(6)))
    func aKillAtEveryStepBoundaryConvergesAndDestroysEverything() async throws {
        try await LinuxLab.buildImage()
        try await withNetNamespace { namespace in
            let crash = try CrashLab(namespace: namespace.name)
            let original = try await crash.ttl()
            do {
                try await crash.run(original: original)
            } catch {
                await crash.forceCleanUp(original: original)
                throw error
            }
            await crash.forceCleanUp(original: original)
        }
    }

    /// A kill right after `podman run --detach` returned leaves a running container with the stack's labels that
    /// the journal never heard of: the next plan has nothing to do, the next apply journals it without creating the
    /// same name again, and a destroy removes it.
    @Test(.enabled(if: PodmanFixture.isSupported), .timeLimit(.minutes(2)))
    func aContainerRunBeforeTheKillIsKeptNotCreatedAgain() async throws {
        try await LinuxLab.buildImage()
        let crash = try CrashLab(namespace: nil)
        do {
            try await crash.killedAfterCreate()
        } catch {
            await crash.forceCleanUp(original: nil)
            throw error
        }
        await crash.forceCleanUp(original: nil)
    }
}

/// One crash test's manifest, state, shims and checks.
struct CrashLab {
    /// The namespace of the sysctl and the iptables chain; `nil`: a manifest with the container only.
    let namespace: String?
    let prefix = "ocplan-t-" + String(UUID().uuidString.prefix(8)).lowercased()
    let manifest: TempDirectory
    let files: TempDirectory
    let shims: TempDirectory
    /// The programs `ocapply` starts here: Podman, `ip` (the netns transport) and the files provider's tools.
    static let programs = [
        "podman", "ip", "stat", "cat", "mkdir", "mktemp", "tee", "chmod", "chown", "mv", "rm", "rmdir", "ls",
    ]

    init(namespace: String?) throws {
        self.namespace = namespace
        manifest = try TempDirectory(prefix: "ocplan-crash-manifest")
        files = try TempDirectory(prefix: "ocplan-crash-files")
        shims = try TempDirectory(prefix: "ocplan-crash-shims")
        try writeShims()
        try manifestText.write(
            to: manifest.url.appendingPathComponent("stack.yaml"), atomically: true, encoding: .utf8)
    }

    var container: String { "\(prefix)-c" }
    var network: String { "\(prefix)-net" }
    var chain: String { "OC_CRASH" }
    /// The managed file, in a folder the apply creates.
    var filePath: String { files.path + "/conf.d/\(prefix).conf" }
    var stateDirectory: String { files.path + "/state" }

    var manifestText: String {
        let container = """
            containers:
              \(self.container):
                image: localhost/ocplan-busybox:lab
                command: [sh, -c, "trap 'exit 0' TERM; sleep 86400 & wait"]

            """
        guard let namespace else { return "version: 1\nstack: \(prefix)\n" + container }
        return """
            version: 1
            stack: \(prefix)
            hosts:
              ns: { transport: netns, namespace: \(namespace) }
            sysctl:
              ttl: { host: ns, key: net.ipv4.ip_default_ttl, value: "77" }
            files:
              conf: { path: \(filePath), content: "crash test\\n" }
            iptables:
              crash:
                host: ns
                table: filter
                chain: \(chain)
                rules: ["-s 10.99.0.0/16 -j RETURN"]
                hook: { chain: INPUT }
            networks:
              \(network): { internal: true }

            """ + container + "    networks: [\(network)]\n"
    }

    func writeShims() throws {
        let search = ProcessInfo.processInfo.environment["PATH"] ?? ToolLocator.defaultSearchPath
        for program in Self.programs {
            guard let real = ToolLocator.find(program, path: search) else { continue }
            let script = """
                #!/bin/bash
                # Crash-test shim for \(program): runs the real program, counts it, and kills ocapply at the chosen count.
                if [ -n "${OCPLAN_CRASH_INNER:-}" ]; then exec '\(real)' "$@"; fi
                export OCPLAN_CRASH_INNER=1
                '\(real)' "$@"
                status=$?
                dir='\(shims.path)'
                exec 9>>"$dir/lock"
                flock 9
                n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))
                echo "$n" > "$dir/count"
                printf '%s\\t%s\\n' "$n" "\(program) $*" >> "$dir/log"
                if [ "$n" = "$(cat "$dir/kill-at" 2>/dev/null)" ] && [ "$(cat /proc/$PPID/comm)" = "ocapply" ]; then
                  kill -KILL "$PPID"
                fi
                exit $status

                """
            let url = shims.url.appendingPathComponent(program)
            try script.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
    }

    /// Resets the counter and sets the command after which `ocapply` is killed (0: never).
    func arm(killAt: Int) throws {
        try "0\n".write(to: shims.url.appendingPathComponent("count"), atomically: true, encoding: .utf8)
        try "".write(to: shims.url.appendingPathComponent("log"), atomically: true, encoding: .utf8)
        try "\(killAt)\n".write(to: shims.url.appendingPathComponent("kill-at"), atomically: true, encoding: .utf8)
    }

    var count: Int {
        (try? String(contentsOf: shims.url.appendingPathComponent("count"), encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }

    /// Whether the logged command only reads (an observation or read-back).
    static func isRead(_ line: String) -> Bool {
        var words =
            line.split(separator: "\t", maxSplits: 1).last.map { $0.split(separator: " ").map(String.init) } ?? []
        if words.starts(with: ["ip", "netns", "exec"]) { words = Array(words.dropFirst(4)) }
        let reads: [[String]] = [
            ["podman", "ps"], ["podman", "inspect"], ["podman", "container", "inspect"], ["podman", "network", "ls"],
            ["podman", "network", "inspect"], ["podman", "volume", "ls"], ["podman", "images"],
            ["podman", "image", "inspect"], ["podman", "image", "exists"], ["stat"], ["cat"], ["iptables-save"],
            ["ip6tables-save"],
        ]
        if words.first == "sysctl" { return !words.contains("-w") }
        return reads.contains { words.starts(with: $0) }
    }

    func logLine(_ n: Int) -> String {
        let log = (try? String(contentsOf: shims.url.appendingPathComponent("log"), encoding: .utf8)) ?? ""
        return log.split(separator: "\n").first { $0.hasPrefix("\(n)\t") }.map(String.init) ?? "command \(n)"
    }

    /// Runs `ocplan` or `ocapply` on the manifest, through the shims when `shimmed`.
    func run(_ program: String, _ extra: [String], shimmed: Bool = false) async throws -> Binaries.Run {
        var environment: [String: String] = [:]
        if shimmed {
            environment["PATH"] =
                shims.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? ToolLocator.defaultSearchPath)
        }
        return try await Binaries.run(
            program, extra + ["--state-dir", stateDirectory, manifest.path], environment: environment,
            timeout: .seconds(60))
    }

    func ttl() async throws -> String {
        guard let namespace else { return "" }
        return try await SubprocessRunner().check(
            Command(["ip", "netns", "exec", namespace, "sysctl", "-n", "net.ipv4.ip_default_ttl"]), host: "local"
        ).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What is left of the stack in the world (empty: nothing).
    func leftovers(original: String) async throws -> [String] {
        let runner = SubprocessRunner()
        var found: [String] = []
        let value = try await ttl()
        if value != original { found.append("sysctl is \(value), not the original \(original)") }
        if FileManager.default.fileExists(atPath: filePath) { found.append("file \(filePath)") }
        if FileManager.default.fileExists(atPath: files.path + "/conf.d") {
            found.append("folder \(files.path)/conf.d")
        }
        let containers = try await runner.check(
            Command(["podman", "ps", "-a", "--filter", "name=\(prefix)", "--format", "{{.Names}}"]), host: "local")
        if !containers.stdoutText.isEmpty { found.append("containers \(containers.stdoutText)") }
        let networks = try await runner.check(
            Command(["podman", "network", "ls", "--filter", "name=\(prefix)", "--format", "{{.Name}}"]), host: "local")
        if !networks.stdoutText.isEmpty { found.append("networks \(networks.stdoutText)") }
        if let namespace {
            let save = try await runner.check(
                Command(["ip", "netns", "exec", namespace, "iptables-save", "-t", "filter"]), host: "local")
            if save.stdoutText.contains(chain) { found.append("iptables chain \(chain)") }
        }
        return found
    }

    /// One full cycle after a kill at `n` (0: no kill): the problems found, in order.
    func trial(killAt n: Int, original: String) async throws -> [String] {
        try? FileManager.default.removeItem(atPath: stateDirectory)
        try arm(killAt: n)
        let killed = try await run("ocapply", ["--auto-approve", "--parallelism", "1"], shimmed: true)
        var problems: [String] = []
        if n > 0, killed.status == 0 { problems.append("not killed (ran \(count) commands)") }
        let apply = try await run("ocapply", ["--auto-approve"])
        if apply.status != 0 { problems.append("the next apply failed: \(apply.stdout)\n\(apply.stderr)") }
        let plan = try await run("ocplan", ["--detailed-exitcode"])
        if plan.status != 0 { problems.append("the plan after it is not empty: \(plan.stdout)\n\(plan.stderr)") }
        let destroy = try await run("ocapply", ["--destroy", "--auto-approve"])
        if destroy.status != 0 { problems.append("destroy failed: \(destroy.stdout)\n\(destroy.stderr)") }
        problems += try await leftovers(original: original).map { "left behind: \($0)" }
        return problems
    }

    func run(original: String) async throws {
        try #require(original != "77", "the namespace's default TTL is already the test's value")
        // How many commands a plan runs, then a whole apply: the kill points are the apply's own commands.
        try arm(killAt: 0)
        let plan = try await run("ocplan", [], shimmed: true)
        try #require(plan.status == 0, "\(plan.stdout)\n\(plan.stderr)")
        let planned = count
        let full = try await trial(killAt: 0, original: original)
        if !full.isEmpty {
            Issue.record("a run without a kill: \(full.joined(separator: "\n"))")
            await forceCleanUp(original: original)
        }
        try arm(killAt: 0)
        try? FileManager.default.removeItem(atPath: stateDirectory)
        let counted = try await run("ocapply", ["--auto-approve", "--parallelism", "1"], shimmed: true)
        try #require(counted.status == 0, "\(counted.stdout)\n\(counted.stderr)")
        let total = count
        try #require(total > planned + 8, "the apply ran \(total) commands, its plan \(planned)")
        #expect(try await run("ocapply", ["--destroy", "--auto-approve"]).status == 0)

        // The step boundaries: after each command that changes something, and after the last read of each run of
        // reads (the journal is written between an action's read-back and the next action's first command).
        let boundaries = ((planned + 1)...total).filter { n in
            !Self.isRead(logLine(n)) || n == total || !Self.isRead(logLine(n + 1))
        }
        try #require(boundaries.count >= 10, "\(boundaries)")
        for n in boundaries {
            // Each kill point in a fresh copy of the log, to name the command in a failure.
            let problems = try await trial(killAt: n, original: original)
            if !problems.isEmpty {
                Issue.record("killed after \(logLine(n)): \(problems.joined(separator: "\n"))")
                await forceCleanUp(original: original)
            }
        }
    }

    func podman(_ argv: [String]) async throws -> String {
        try await SubprocessRunner().check(Command(["podman"] + argv), host: "local").stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func killedAfterCreate() async throws {
        // Count an apply's commands to find `podman run --detach`, then kill right after it.
        try arm(killAt: 0)
        let counted = try await run("ocapply", ["--auto-approve", "--parallelism", "1"], shimmed: true)
        try #require(counted.status == 0, "\(counted.stdout)\n\(counted.stderr)")
        let create = try #require((1...count).first { logLine($0).contains("\tpodman run --detach ") })
        #expect(try await run("ocapply", ["--destroy", "--auto-approve"]).status == 0)

        try? FileManager.default.removeItem(atPath: stateDirectory)
        try arm(killAt: create)
        let killed = try await run("ocapply", ["--auto-approve", "--parallelism", "1"], shimmed: true)
        #expect(killed.status != 0, "killed after \(logLine(create))")
        let id = try await podman(["container", "inspect", "--format", "{{.Id}}", container])
        #expect(try await podman(["container", "inspect", "--format", "{{.State.Status}}", container]) == "running")

        let plan = try await run("ocplan", ["--detailed-exitcode"])
        #expect(plan.status == 0, "the killed run's container is the stack's and as declared: \(plan.stdout)")
        let apply = try await run("ocapply", ["--auto-approve"])
        #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
        #expect(
            try await podman(["container", "inspect", "--format", "{{.Id}}", container]) == id, "the same container")
        #expect(try await podman(["container", "inspect", "--format", "{{.State.Status}}", container]) == "running")
        #expect(try await run("ocplan", ["--detailed-exitcode"]).status == 0)
        #expect(try await run("ocapply", ["--destroy", "--auto-approve"]).status == 0)
        #expect(try await leftovers(original: "") == [])
    }

    /// Removes whatever a failed trial left, so the next trial starts clean.
    func forceCleanUp(original: String?) async {
        let runner = SubprocessRunner()
        _ = try? await runner.run(Command(["podman", "rm", "-f", "-t", "0", "--ignore", container]))
        _ = try? await runner.run(Command(["podman", "network", "rm", "-f", network]))
        try? FileManager.default.removeItem(atPath: stateDirectory)
        guard let namespace, let original else { return }
        let inNamespace = ["ip", "netns", "exec", namespace]
        _ = try? await runner.run(Command(inNamespace + ["iptables", "-F", "INPUT"]))
        _ = try? await runner.run(Command(inNamespace + ["iptables", "-F", chain]))
        _ = try? await runner.run(Command(inNamespace + ["iptables", "-X", chain]))
        _ = try? await runner.run(Command(inNamespace + ["sysctl", "-w", "net.ipv4.ip_default_ttl=\(original)"]))
        try? FileManager.default.removeItem(atPath: files.path + "/conf.d")
    }
}
