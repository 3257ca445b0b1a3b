import Foundation
import OCCore
import OCExec
import Testing

/// `OCCore.Host`, not Foundation's `Host` class (both are visible on Linux).
typealias Host = OCCore.Host

/// One row of the wrapping table: a host, whether we are root, and the argv expected.
struct WrapCase: Sendable, CustomTestStringConvertible {
    var name: String
    var host: Host
    var runningAsRoot = false
    var stdin: Data?
    var argv: [String]
    /// The index of the secret `s3cret` in the wrapped argv.
    var secretIndex: Int

    var testDescription: String { name }

    /// The command every row wraps: `tool --token s3cret`, with the token marked sensitive.
    var command: Command { Command(["tool", "--token", "s3cret"], stdin: stdin, sensitiveArguments: [2]) }
}

@Suite struct TransportTests {
    static let cases: [WrapCase] = [
        WrapCase(
            name: "local runs the argv as it is",
            host: .local,
            argv: ["tool", "--token", "s3cret"],
            secretIndex: 2
        ),
        WrapCase(
            name: "local with sudo gets a sudo -n prefix",
            host: Host(name: "here", transport: .local, become: .sudo),
            argv: ["sudo", "-n", "tool", "--token", "s3cret"],
            secretIndex: 4
        ),
        WrapCase(
            name: "local with sudo while root runs the argv directly",
            host: Host(name: "here", transport: .local, become: .sudo),
            runningAsRoot: true,
            argv: ["tool", "--token", "s3cret"],
            secretIndex: 2
        ),
        WrapCase(
            name: "netns runs through ip netns exec",
            host: Host(name: "lab", transport: .netns, namespace: "oc-lab"),
            argv: ["ip", "netns", "exec", "oc-lab", "tool", "--token", "s3cret"],
            secretIndex: 6
        ),
        WrapCase(
            name: "netns with sudo puts sudo in front of ip",
            host: Host(name: "lab", transport: .netns, namespace: "oc-lab", become: .sudo),
            argv: ["sudo", "-n", "ip", "netns", "exec", "oc-lab", "tool", "--token", "s3cret"],
            secretIndex: 8
        ),
        WrapCase(
            name: "netns with sudo while root leaves sudo out",
            host: Host(name: "lab", transport: .netns, namespace: "oc-lab", become: .sudo),
            runningAsRoot: true,
            argv: ["ip", "netns", "exec", "oc-lab", "tool", "--token", "s3cret"],
            secretIndex: 6
        ),
        WrapCase(
            name: "multipass runs through multipass exec VM --",
            host: Host(name: "oc-exit", transport: .multipass, vm: "exit-vm"),
            argv: ["multipass", "exec", "exit-vm", "--", "tool", "--token", "s3cret"],
            secretIndex: 6
        ),
        WrapCase(
            name: "multipass with sudo puts sudo inside the VM, even when we are root here",
            host: Host(name: "oc-exit", transport: .multipass, vm: "exit-vm", become: .sudo),
            runningAsRoot: true,
            argv: ["multipass", "exec", "exit-vm", "--", "sudo", "-n", "tool", "--token", "s3cret"],
            secretIndex: 8
        ),
        WrapCase(
            name: "multipass without a vm uses the host name",
            host: Host(name: "oc-exit", transport: .multipass),
            argv: ["multipass", "exec", "oc-exit", "--", "tool", "--token", "s3cret"],
            secretIndex: 6
        ),
        WrapCase(
            name: "podman-exec without stdin has no -i",
            host: Host(name: "proxy", transport: .podmanExec, container: "squid"),
            argv: ["podman", "exec", "--", "squid", "tool", "--token", "s3cret"],
            secretIndex: 6
        ),
        WrapCase(
            name: "podman-exec with stdin adds -i",
            host: Host(name: "proxy", transport: .podmanExec, container: "squid"),
            stdin: Data("input".utf8),
            argv: ["podman", "exec", "-i", "--", "squid", "tool", "--token", "s3cret"],
            secretIndex: 7
        ),
        WrapCase(
            name: "podman-exec with sudo puts sudo inside the container",
            host: Host(name: "proxy", transport: .podmanExec, container: "squid", become: .sudo),
            argv: ["podman", "exec", "--", "squid", "sudo", "-n", "tool", "--token", "s3cret"],
            secretIndex: 8
        ),
        WrapCase(
            name: "ssh quotes every remote word",
            host: Host(name: "edge", transport: .ssh, address: "edge.example.org"),
            argv: ["ssh", "-o", "BatchMode=yes", "--", "edge.example.org", "'tool'", "'--token'", "'s3cret'"],
            secretIndex: 7
        ),
        WrapCase(
            name: "ssh with port, user and sudo",
            host: Host(name: "edge", transport: .ssh, address: "10.0.0.7", user: "admin", port: 2222, become: .sudo),
            argv: [
                "ssh", "-o", "BatchMode=yes", "-p", "2222", "-l", "admin", "--", "10.0.0.7",
                "'sudo'", "'-n'", "'tool'", "'--token'", "'s3cret'",
            ],
            secretIndex: 13
        ),
    ]

    @Test("each transport wraps the argv as documented and keeps the secret marked", arguments: cases)
    func wrapsArgv(row: WrapCase) {
        let wrapped = Transport.wrap(row.command, for: row.host, runningAsRoot: row.runningAsRoot)
        #expect(wrapped.argv == row.argv)
        #expect(wrapped.sensitiveArguments == [row.secretIndex])
        #expect(wrapped.argv[row.secretIndex].contains("s3cret"))
        #expect(!wrapped.description.contains("s3cret"))
        #expect(wrapped.description.contains("(sensitive)"))
        #expect(wrapped.stdin == row.stdin)
    }

    @Test("TransportRunner.wrapped agrees with Transport.wrap", arguments: cases)
    func runnerUsesTransport(row: WrapCase) {
        let runner = TransportRunner(host: row.host, base: NeverRunner(), runningAsRoot: row.runningAsRoot)
        #expect(
            runner.wrapped(row.command) == Transport.wrap(row.command, for: row.host, runningAsRoot: row.runningAsRoot))
    }

    @Test("sudo applies to remote hosts always and to this machine only when not root")
    func usesSudo() {
        let remote = Host(name: "vm", transport: .multipass, become: .sudo)
        let local = Host(name: "here", transport: .local, become: .sudo)
        #expect(Transport.usesSudo(remote, runningAsRoot: true))
        #expect(Transport.usesSudo(local, runningAsRoot: false))
        #expect(!Transport.usesSudo(local, runningAsRoot: true))
        #expect(!Transport.usesSudo(.local, runningAsRoot: false))
    }

    // MARK: - ssh quoting

    @Test("remote shell quoting wraps words in single quotes and escapes single quotes")
    func quotesForRemoteShell() {
        #expect(Transport.remoteShellQuote("it's") == #"'it'\''s'"#)
        #expect(Transport.remoteShellQuote("two words") == "'two words'")
        #expect(Transport.remoteShellQuote("") == "''")
        #expect(Transport.remoteShellQuote("$HOME;`x`") == "'$HOME;`x`'")
    }

    @Test("ssh-quoted words come back as the same argv when a POSIX shell parses them")
    func quotedWordsSurviveARemoteShell() async throws {
        let words = ["echo", "it's", "two  words", "", "$HOME", "a\"b", "back\\slash", "new\nline", "'"]
        let host = Host(name: "edge", transport: .ssh, address: "edge")
        let wrapped = Transport.wrap(Command(words), for: host, runningAsRoot: false)
        let remoteWords = try #require(wrapped.argv.split(separator: "--", maxSplits: 1).last).dropFirst()
        let commandLine = remoteWords.joined(separator: " ")
        // What sshd does with the command line: hand it to the user's shell. The script is fixed; the
        // quoted line is data, parsed by `eval` as the remote shell would parse it.
        let script = #"eval "set -- $1"; for word in "$@"; do printf '%s\000' "$word"; done"#
        let result = try await SubprocessRunner().run(Command(["sh", "-c", script, "sh", commandLine]))
        #expect(result.exitStatus == 0)
        let parsed = result.stdout.split(separator: 0, omittingEmptySubsequences: false).dropLast()
            .map { String(decoding: $0, as: UTF8.self) }
        #expect(parsed == words)
    }

    // MARK: - Environment

    @Test("local and netns hosts pass the environment to the process as it is")
    func keepsEnvironmentLocally() {
        let command = Command(["tool"], environment: ["A": "1"])
        for host in [Host.local, Host(name: "lab", transport: .netns, namespace: "lab")] {
            let wrapped = Transport.wrap(command, for: host, runningAsRoot: false)
            #expect(wrapped.environment == ["A": "1"])
            #expect(!wrapped.argv.contains("env"))
        }
    }

    @Test("with sudo or a remote transport the environment moves inside as env NAME=VALUE, marked sensitive")
    func movesEnvironmentInside() {
        let command = Command(["tool", "x"], environment: ["B": "2", "A": "1"])
        let vm = Transport.wrap(command, for: Host(name: "vm", transport: .multipass), runningAsRoot: false)
        #expect(vm.argv == ["multipass", "exec", "vm", "--", "env", "A=1", "B=2", "tool", "x"])
        #expect(vm.sensitiveArguments == [5, 6])
        #expect(vm.environment.isEmpty)

        let sudo = Transport.wrap(command, for: Host(name: "h", transport: .local, become: .sudo), runningAsRoot: false)
        #expect(sudo.argv == ["sudo", "-n", "env", "A=1", "B=2", "tool", "x"])
        #expect(sudo.sensitiveArguments == [3, 4])

        let root = Transport.wrap(command, for: Host(name: "h", transport: .local, become: .sudo), runningAsRoot: true)
        #expect(root.argv == ["tool", "x"])
        #expect(root.environment == ["A": "1", "B": "2"])
    }

    @Test("makeRunner returns a TransportRunner bound to the host")
    func makeRunnerBindsHost() throws {
        let host = Host(name: "edge", transport: .ssh, address: "edge")
        let runner = try #require(makeRunner(for: host, base: NeverRunner()) as? TransportRunner)
        #expect(runner.host == host)
    }
}

/// A base runner for tests that only inspect wrapping; running anything is a test failure.
struct NeverRunner: CommandRunner {
    func run(_ command: Command) async throws -> CommandResult {
        Issue.record("NeverRunner ran \(command)")
        return CommandResult(exitStatus: 0)
    }
}
