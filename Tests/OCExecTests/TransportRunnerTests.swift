import Foundation
import OCCore
import OCExec
import OCTestSupport
import Testing

@Suite struct TransportRunnerTests {
    let vm = Host(name: "oc-exit", transport: .multipass, vm: "exit-vm", become: .sudo)

    @Test("the base runner receives the wrapped argv and its result comes back, non-zero included")
    func runsWrappedCommand() async throws {
        let base = ScriptedRunner()
        base.expect(
            argv: ["multipass", "exec", "exit-vm", "--", "sudo", "-n", "iptables-save"],
            result: CommandResult(exitStatus: 2, stdout: "*filter\n", stderr: "warning\n")
        )
        let runner = TransportRunner(host: vm, base: base)

        let result = try await runner.run(Command(["iptables-save"]))

        #expect(result.exitStatus == 2)
        #expect(result.stdoutText == "*filter\n")
        #expect(base.unexpected.isEmpty)
        #expect(base.unusedExpectations.isEmpty)
    }

    @Test(
        "a transport's report of a missing inner program throws toolMissing for that program",
        arguments: [
            (
                "multipass, exit 127",
                CommandResult(exitStatus: 127, stdout: "", stderr: "bash: line 1: nft: command not found\n")
            ),
            ("sudo, exit 1", CommandResult(exitStatus: 1, stdout: "", stderr: "sudo: nft: command not found\n")),
            (
                "podman exec",
                CommandResult(
                    exitStatus: 127,
                    stdout: "",
                    stderr: "Error: crun: executable file `nft` not found in $PATH: No such file or directory\n"
                )
            ),
            (
                "ip netns exec, exit 255",
                CommandResult(
                    exitStatus: 255, stdout: "", stderr: "exec of \"nft\" failed: No such file or directory\n")
            ),
        ]
    )
    func mapsMissingInnerProgram(label: String, reported: CommandResult) async throws {
        let base = ScriptedRunner()
        base.expect(prefix: ["multipass"], result: reported)
        let runner = TransportRunner(host: vm, base: base)

        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command(["nft", "list", "ruleset"]))
        }
        let failure = try #require(error)
        #expect(failure.reason == .toolMissing)
        #expect(failure.host == "oc-exit")
        #expect(failure.command.program == "nft")
        #expect(failure.description.hasPrefix("'nft' is not installed on oc-exit"))
    }

    @Test("sudo asking for a password throws needsPassword with the host name")
    func mapsSudoPassword() async throws {
        let base = ScriptedRunner()
        base.expect(
            prefix: ["multipass"],
            result: CommandResult(exitStatus: 1, stdout: "", stderr: "sudo: a password is required\n"))
        let runner = TransportRunner(host: vm, base: base)

        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command(["iptables-save"]))
        }
        let failure = try #require(error)
        #expect(failure.reason == .needsPassword)
        #expect(failure.host == "oc-exit")
        #expect(failure.description.contains("NOPASSWD"))
    }

    @Test("a password message is not needsPassword when the host does not use sudo")
    func passwordMessageWithoutSudoIsAResult() async throws {
        let base = ScriptedRunner()
        let stderr = "sudo: a password is required\n"
        base.expect(prefix: ["multipass"], result: CommandResult(exitStatus: 1, stdout: "", stderr: stderr))
        let runner = TransportRunner(host: Host(name: "vm", transport: .multipass), base: base)

        let result = try await runner.run(Command(["sh", "-c", "sudo true"]))
        #expect(result.exitStatus == 1)
    }

    @Test("a different program missing inside the command is returned as a result, not toolMissing")
    func otherMissingCommandIsAResult() async throws {
        let base = ScriptedRunner()
        base.expect(
            prefix: ["multipass"],
            result: CommandResult(
                exitStatus: 1, stdout: "", stderr: "/usr/sbin/helper: line 3: jq: command not found\n")
        )
        let runner = TransportRunner(host: vm, base: base)

        let result = try await runner.run(Command(["helper"]))
        #expect(result.exitStatus == 1)
    }

    @Test("a local command without a wrapper keeps its own exit status 127")
    func localExit127IsAResult() async throws {
        let base = ScriptedRunner()
        base.expect(argv: ["make", "check"], result: CommandResult(exitStatus: 127))
        let runner = TransportRunner(host: .local, base: base)

        let result = try await runner.run(Command(["make", "check"]))
        #expect(result.exitStatus == 127)
    }

    @Test("a failure thrown by the base runner (the transport tool missing) gets the host name")
    func rethrowsBaseFailureWithHost() async throws {
        let base = ScriptedRunner()
        base.expect(argv: ["multipass", "exec", "exit-vm", "--", "sudo", "-n", "true"], failure: .toolMissing)
        let runner = TransportRunner(host: vm, base: base)

        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command(["true"]))
        }
        let failure = try #require(error)
        #expect(failure.reason == .toolMissing)
        #expect(failure.host == "oc-exit")
        #expect(failure.command.program == "multipass")
    }

    @Test("secrets the tool echoes on standard error are redacted in the thrown failure")
    func redactsSecretsInFailures() async throws {
        let base = ScriptedRunner()
        base.expect(
            prefix: ["multipass"],
            result: CommandResult(exitStatus: 1, stdout: "", stderr: "sudo: a password is required (key tskey-123)\n")
        )
        let runner = TransportRunner(host: vm, base: base)

        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command(["tailscale", "up", "--auth-key", "tskey-123"], sensitiveArguments: [3]))
        }
        let failure = try #require(error)
        #expect(!failure.description.contains("tskey-123"))
        #expect(failure.result?.stderrText.contains("(sensitive)") == true)
    }

    @Test("a real local host runs through SubprocessRunner")
    func runsLocallyForReal() async throws {
        let runner = makeRunner(for: .local, base: SubprocessRunner())
        let result = try await runner.run(Command(["echo", "local"]))
        #expect(result.stdoutText == "local\n")
    }

    @Test("a real local host with sudo while root runs without sudo")
    func runsLocallyAsRootWithoutSudo() async throws {
        let host = Host(name: "here", transport: .local, become: .sudo)
        let runner = TransportRunner(host: host, base: SubprocessRunner(), runningAsRoot: true)
        let result = try await runner.run(Command(["echo", "root"]))
        #expect(result.stdoutText == "root\n")
    }

    @Test("a missing program on a real local host throws toolMissing with the host name")
    func missingLocalProgramNamesHost() async throws {
        let runner = makeRunner(for: .local, base: SubprocessRunner())
        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command(["oc-no-such-program-4711"]))
        }
        let failure = try #require(error)
        #expect(failure.reason == .toolMissing)
        #expect(failure.host == "local")
    }
}
