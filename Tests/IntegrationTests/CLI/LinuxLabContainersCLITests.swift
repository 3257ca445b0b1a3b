import Foundation
import OCCore
import OCExec
import OCTestSupport
import Testing

/// The seed's container shape on real Podman, through the `ocplan`/`ocapply` binaries: apply, drift,
/// targeted replacement, deletion, ownership, and the isolation the stack exists for.
@Suite(.serialized) struct LinuxLabContainersCLITests {
    typealias Lab = LinuxLab

    static func podman(_ argv: [String]) async throws -> CommandResult {
        try await SubprocessRunner().run(Command(["podman"] + argv, timeout: .seconds(60)))
    }

    static func containerID(_ name: String) async throws -> String {
        try await podman(["container", "inspect", "--format", "{{.Id}}", name]).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: NetNamespace.isSupported && PodmanFixture.isSupported))
    func applyIsolationDriftReplaceDeleteAndOwnership() async throws {
        try await withLinuxLab { lab, _ in

            // Apply from empty, then nothing to do.
            let apply = try await lab.ocapply(["--auto-approve"])
            #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            let clean = try await lab.ocplan(["--detailed-exitcode"])
            #expect(clean.status == 0, "second plan: \(clean.stdout)\n\(clean.stderr)")

            // Isolation: the agent reaches the proxy by name …
            let viaProxy = try await Self.podman([
                "exec", lab.agent, "wget", "-q", "-O", "-", "http://\(lab.proxy):3128/",
            ])
            #expect(viaProxy.stdoutText.contains("ocplan lab"), "agent → proxy: \(viaProxy.stderrText)")
            // … but has no route to a listener outside its internal network, which the proxy reaches.
            let outside = try await Self.podman([
                "run", "-d", "--name", "\(lab.prefix)-outside", "--label", "io.ocplan.test=\(lab.prefix)",
                "--network", "podman", "localhost/ocplan-busybox:lab", "httpd", "-f", "-p", "8080", "-h", "/var/www",
            ])
            try #require(outside.succeeded, "\(outside.stderrText)")
            let outsideIP = try await Self.podman([
                "container", "inspect", "--format", "{{.NetworkSettings.Networks.podman.IPAddress}}",
                "\(lab.prefix)-outside",
            ]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            try #require(!outsideIP.isEmpty)
            let fromProxy = try await Self.podman([
                "exec", lab.proxy, "wget", "-q", "-O", "-", "http://\(outsideIP):8080/",
            ])
            #expect(fromProxy.stdoutText.contains("ocplan lab"), "proxy → outside: \(fromProxy.stderrText)")
            let fromAgent = try await Self.podman([
                "exec", lab.agent, "wget", "-q", "-O", "-", "http://\(outsideIP):8080/",
            ])
            #expect(!fromAgent.succeeded)
            #expect(fromAgent.stderrText.contains("unreachable"), "agent → outside: \(fromAgent.stderrText)")

            // A container stopped by hand is drift; apply heals it.
            _ = try await Self.podman(["stop", "-t", "0", lab.agent])
            let drift = try await lab.ocplan(["--detailed-exitcode"])
            #expect(drift.status == 2)
            #expect(drift.stdout.contains("cause: drift"), "\(drift.stdout)")
            #expect(try await lab.ocapply(["--auto-approve"]).status == 0)
            #expect(try await lab.ocplan(["--detailed-exitcode"]).status == 0)

            // One env value changes: only that container is replaced.
            let proxyID = try await Self.containerID(lab.proxy)
            let agentID = try await Self.containerID(lab.agent)
            try lab.edit("containers.yaml") {
                $0.replacingOccurrences(of: "--dns-result-order=ipv4first", with: "--dns-result-order=verbatim")
            }
            let edited = try await lab.ocplan(["--detailed-exitcode"])
            #expect(edited.status == 2)
            #expect(
                edited.stdout.contains("Plan: 0 to create, 0 to update, 1 to replace, 0 to destroy."),
                "\(edited.stdout)")
            #expect(try await lab.ocapply(["--auto-approve"]).status == 0)
            #expect(try await Self.containerID(lab.proxy) == proxyID)
            #expect(try await Self.containerID(lab.agent) != agentID)

            // A container removed from the manifest is deleted; the others are untouched.
            try lab.edit("containers.yaml") { text in
                String(text[..<(text.range(of: "  \(lab.agent):")?.lowerBound ?? text.endIndex)])
            }
            let removed = try await lab.ocapply(["--auto-approve"])
            #expect(removed.status == 0, "\(removed.stdout)\n\(removed.stderr)")
            #expect(try await Self.podman(["container", "exists", lab.agent]).exitStatus == 1)
            #expect(try await Self.containerID(lab.proxy) == proxyID)

            // An unmanaged container with a managed name is never touched: the plan fails with advice.
            _ = try await Self.podman([
                "create", "--name", "\(lab.prefix)-squatter", "localhost/ocplan-busybox:lab", "sleep", "1",
            ])
            try lab.edit("containers.yaml") {
                $0 + "\n  \(lab.prefix)-squatter:\n    image: ${lab_image}\n    networks: [\(lab.network)]\n"
            }
            let squatter = try await lab.ocplan(["--detailed-exitcode"])
            #expect(squatter.status == 1)
            #expect(squatter.stderr.contains("--adopt containers.\(lab.prefix)-squatter"), "\(squatter.stderr)")
            #expect(try await Self.podman(["container", "exists", "\(lab.prefix)-squatter"]).exitStatus == 0)

            let destroy = try await Binaries.run(
                "ocapply", ["--destroy", "--auto-approve", "--target", "containers.\(lab.proxy)"] + lab.arguments)
            #expect(destroy.status == 0, "\(destroy.stdout)\n\(destroy.stderr)")
        }
    }

    static func startedAt(_ name: String) async throws -> String {
        try await podman(["container", "inspect", "--format", "{{.State.StartedAt}}", name]).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `restartOn: [files.squid-conf]` on the proxy: a changed squid.conf restarts the same container (its start
    /// time changes, its ID does not, and it sees the new file); an unchanged one restarts nothing.
    @Test(.enabled(if: NetNamespace.isSupported && PodmanFixture.isSupported))
    func aChangedSquidConfRestartsTheProxyInPlace() async throws {
        try await withLinuxLab { lab, _ in
            let target = ["--target", "containers.\(lab.proxy)"]
            let apply = try await lab.ocapply(["--auto-approve"] + target)
            #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            let id = try await Self.containerID(lab.proxy)
            let started = try await Self.startedAt(lab.proxy)
            try #require(!id.isEmpty && !started.isEmpty)

            try lab.edit("templates/squid.conf") { $0 + "cache deny all\n" }
            let plan = try await lab.ocplan(["--detailed-exitcode", "--show-commands"] + target)
            #expect(plan.status == 2, "\(plan.stdout)\n\(plan.stderr)")
            #expect(plan.stdout.contains("~ containers.\(lab.proxy): restart (triggered by files.squid-conf)"))
            #expect(plan.stdout.contains("$ podman restart --time 10 -- \(lab.proxy)"), "\(plan.stdout)")
            #expect(
                plan.stdout.contains("Plan: 0 to create, 1 to update, 0 to replace, 0 to destroy, 1 to restart."),
                "\(plan.stdout)")
            let restart = try await lab.ocapply(["--auto-approve"] + target)
            #expect(restart.status == 0, "\(restart.stdout)\n\(restart.stderr)")
            #expect(restart.stdout.contains("containers.\(lab.proxy): Restart complete"), "\(restart.stdout)")
            #expect(restart.stdout.contains("0 destroyed, 1 restarted."), "\(restart.stdout)")
            #expect(try await Self.containerID(lab.proxy) == id)
            let restarted = try await Self.startedAt(lab.proxy)
            #expect(restarted != started)
            // The file was replaced by rename; the restarted container mounts the new one.
            let seen = try await Self.podman(["exec", lab.proxy, "cat", "/etc/squid/squid.conf"])
            #expect(seen.stdoutText.contains("cache deny all"), "\(seen.stdoutText)\(seen.stderrText)")

            // The file is unchanged now: nothing to do, nothing restarted.
            let clean = try await lab.ocplan(["--detailed-exitcode"] + target)
            #expect(clean.status == 0, "\(clean.stdout)\n\(clean.stderr)")
            #expect(try await lab.ocapply(["--auto-approve"] + target).status == 0)
            #expect(try await Self.startedAt(lab.proxy) == restarted)
            #expect(try await Self.containerID(lab.proxy) == id)
        }
    }

    @Test(.enabled(if: NetNamespace.isSupported && PodmanFixture.isSupported))
    func aKilledApplyIsFinishedByTheNextOne() async throws {
        try await withLinuxLab { lab, _ in
            // Start an apply and kill it (SIGKILL) as soon as it has recorded its first resource.
            let process = Process()
            process.executableURL = Binaries.directory.appendingPathComponent("ocapply")
            process.arguments = ["--auto-approve"] + lab.arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let statePath = lab.state.path + "/\(lab.stack)/state.json"
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline, process.isRunning,
                (try? String(contentsOfFile: statePath, encoding: .utf8))?.contains("\"provider\"") != true
            {
                try await Task.sleep(for: .milliseconds(20))
            }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()

            let again = try await lab.ocapply(["--auto-approve"])
            #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
            let clean = try await lab.ocplan(["--detailed-exitcode"])
            #expect(clean.status == 0, "\(clean.stdout)\n\(clean.stderr)")
            #expect(try await lab.ocapply(["--destroy", "--auto-approve"]).status == 0)
        }
    }
}
