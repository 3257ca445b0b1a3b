import Foundation
import Logging
import OCCore
import OCSysctl
import OCTestSupport
import Synchronization

// MARK: - Recorded outputs

/// Real outputs recorded on Debian 12 with procps-ng 4.0.2 (`sysctl --version`), kernel tree of this machine.
enum SysctlProcpsOutput {
    /// `sysctl net.ipv4.ip_forward net.ipv4.nope net.ipv4.conf.all.forwarding net.ipv4.tcp_rmem
    /// net.ipv4.ping_group_range` — exit status 1 because of `net.ipv4.nope`; the known keys still print.
    static let batchStdout =
        "net.ipv4.ip_forward = 0\nnet.ipv4.conf.all.forwarding = 0\nnet.ipv4.tcp_rmem = 4096\t131072\t33554432\n"
        + "net.ipv4.ping_group_range = 1\t0\n"
    /// Standard error of the same command.
    static let batchStderr = "sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\n"
    /// `sysctl -w net.ipv4.ip_forward=1` inside a network namespace (exit 0).
    static let writeStdout = "net.ipv4.ip_forward = 1\n"
    /// `sysctl -w net.ipv4.ip_forward=abc` (exit 1).
    static let invalidWriteStderr = "sysctl: setting key \"net.ipv4.ip_forward\": Invalid argument\n"
    /// `ip netns exec nonexistentns sysctl net.ipv4.ip_forward` (exit 255).
    static let missingNamespaceStderr = "Cannot open network namespace \"nonexistentns\": No such file or directory\n"
    /// `cat /nonexistent/file` (exit 1).
    static let catMissingStderr = "cat: /nonexistent/file: No such file or directory\n"
}

/// macOS outputs in the documented `sysctl(8)` shape (no macOS machine was available to record them).
enum SysctlDarwinOutput {
    /// `sysctl net.inet.ip.forwarding net.inet6.ip6.forwarding kern.ipc.somaxconn vm.loadavg`.
    static let batchStdout =
        "net.inet.ip.forwarding: 0\nnet.inet6.ip6.forwarding: 1\nkern.ipc.somaxconn: 128\n"
        + "vm.loadavg: { 1.52 1.61 1.70 }\n"
    /// Standard error for an unknown key.
    static let unknownStderr = "sysctl: unknown oid 'net.inet.nope'\n"
}

// MARK: - A fake host

/// A stateful stand-in for a host's kernel settings and files, answering the commands the provider runs.
///
/// It speaks procps' output format on Linux and `sysctl(8)`'s on macOS, and keeps files in memory so
/// that edits by several resources can be checked. The commands are recorded by the ``ScriptedRunner``
/// it is wrapped in.
final class FakeSysctlHost: Sendable {
    struct World {
        var values: [String: String]
        var files: [String: String]
        var modes: [String: String] = [:]
    }

    let os: OCCore.Host.OS
    let world: Mutex<World>

    init(os: OCCore.Host.OS = .linux, values: [String: String], files: [String: String] = [:]) {
        self.os = os
        self.world = Mutex(World(values: values, files: files))
    }

    var values: [String: String] { world.withLock { $0.values } }
    var files: [String: String] { world.withLock { $0.files } }

    func set(_ key: String, _ value: String) { world.withLock { $0.values[key] = value } }
    func write(_ path: String, _ text: String) { world.withLock { $0.files[path] = text } }

    /// A scripted runner that answers every command from this host.
    func runner() -> ScriptedRunner {
        let runner = ScriptedRunner(host: "fake")
        runner.expect(
            ScriptedRunner.Expectation(
                .predicate("any command on the fake host", { _ in true }), response: .handler(respond), repeating: true)
        )
        return runner
    }

    @Sendable func respond(_ command: Command) throws -> CommandResult {
        let argv = command.argv
        return world.withLock { world in
            if let result = FakeFileCommands.respond(
                argv, stdin: command.stdin, files: &world.files, modes: &world.modes)
            {
                return result
            }
            switch (argv.first, argv.dropFirst().first) {
            case ("sysctl", "-w"):
                guard argv.count == 3, let equals = argv[2].firstIndex(of: "=") else { return failure("usage") }
                let key = String(argv[2][..<equals])
                guard world.values[key] != nil else { return failure(missing(key)) }
                world.values[key] = String(argv[2][argv[2].index(after: equals)...])
                return CommandResult(exitStatus: 0, stdout: line(key, world.values[key] ?? ""))
            case ("sysctl", _):
                var out = ""
                var err = ""
                for key in argv.dropFirst() {
                    if let value = world.values[key] { out += line(key, value) } else { err += missing(key) }
                }
                return CommandResult(exitStatus: err.isEmpty ? 0 : 1, stdout: out, stderr: err)
            default:
                return failure("fake host: unknown command \(argv)")
            }
        }
    }

    private func line(_ key: String, _ value: String) -> String {
        os == .linux
            ? "\(key) = \(value.split(separator: " ").joined(separator: "\t"))\n" : "\(key): \(value)\n"
    }

    private func missing(_ key: String) -> String {
        os == .linux
            ? "sysctl: cannot stat /proc/sys/\(key.replacingOccurrences(of: ".", with: "/")): "
                + "No such file or directory\n"
            : "sysctl: unknown oid '\(key)'\n"
    }

    private func failure(_ stderr: String) -> CommandResult { CommandResult(exitStatus: 1, stdout: "", stderr: stderr) }
}

// MARK: - Helpers

/// Builders shared by the sysctl suites.
enum SysctlFixture {
    static let linux = OCCore.Host(name: "vm", transport: .local, os: .linux)
    static let mac = OCCore.Host(name: "mac", transport: .local, os: .macos)
    static let stack = "lab"
    static let file = "/etc/sysctl.d/90-ocplan-lab.conf"

    static func desired(
        _ key: String,
        _ value: String,
        persist: Bool = false,
        file: String = SysctlFixture.file
    ) -> Value {
        ["key": .string(key), "value": .string(value), "persist": .bool(persist), "persistFile": .string(file)]
    }

    static func observe(
        _ targets: [ObserveTarget],
        on host: OCCore.Host = linux,
        runner: any CommandRunner
    ) async throws -> ObserveResponse {
        try await SysctlProvider().observe(
            ObserveRequest(stack: stack, host: host, runner: runner, targets: targets, logger: Logger(label: "test")))
    }

    static func apply(
        _ change: Change,
        on host: OCCore.Host = linux,
        runner: any CommandRunner
    ) async throws -> ApplyResponse {
        try await SysctlProvider().apply(
            ApplyRequest(stack: stack, host: host, runner: runner, change: change, logger: Logger(label: "test")))
    }

    /// Observes one resource on `fake` and builds the change the planner would make for it.
    static func change(
        _ name: String,
        _ action: Action,
        desired: Value?,
        lastApplied: Value? = nil,
        privateState: Value? = nil,
        fake: FakeSysctlHost,
        host: OCCore.Host = linux
    ) async throws -> Change {
        let address = Address("sysctl", name)
        let observed = try await observe(
            [ObserveTarget(address: address, desired: desired, lastApplied: lastApplied, privateState: privateState)],
            on: host, runner: fake.runner())
        return Change(
            address: address, provider: "sysctl", host: host, action: action, cause: .manifest,
            before: observed.observations[address]?.value, after: desired, privateState: privateState,
            planData: observed.observations[address]?.planData)
    }

    static func argv(_ commands: [Command]) -> [[String]] { commands.map(\.argv) }
}
