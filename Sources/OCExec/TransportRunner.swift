import Foundation
import OCCore

/// Returns the runner that providers use for `host`: `base` behind the host's transport.
///
/// - Parameters:
///   - host: the host commands should reach.
///   - base: the runner that starts processes on this machine (usually ``SubprocessRunner``).
/// - Returns: a ``TransportRunner`` for `host`.
package func makeRunner(for host: OCCore.Host, base: any CommandRunner) -> any CommandRunner {
    TransportRunner(host: host, base: base)
}

/// Runs commands on one host by wrapping their argv for the host's transport (a decorator).
///
/// Providers write commands from the host's point of view (`iptables-save`); this runner rewrites
/// them with ``Transport/wrap(_:for:runningAsRoot:)`` and runs them through `base`. It then turns
/// what the wrappers report into ``CommandFailure`` values that name the right program:
///
/// - `sudo` answering "a password is required" (exit 1) → `.needsPassword`;
/// - exit 127, or a line such as `sudo: tool: command not found`,
///   `executable file not found in $PATH` (podman) or `exec of "tool" failed: No such file or
///   directory` (ip netns) → `.toolMissing` for the inner program.
///
/// Failures thrown by `base` (the transport tool itself missing, a timeout) are rethrown with the host
/// name. Any failure this runner throws carries output with the command's secrets redacted. Other
/// non-zero exit statuses are returned as results, like every runner does.
package struct TransportRunner: CommandRunner {
    /// The host commands reach.
    package let host: OCCore.Host
    /// The runner that starts the wrapped command on this machine.
    package let base: any CommandRunner
    /// Whether this program runs as root (a local `sudo` is then left out).
    package let runningAsRoot: Bool

    /// Creates a runner for `host`.
    ///
    /// - Parameters:
    ///   - host: the host commands should reach.
    ///   - base: the runner that starts processes on this machine.
    ///   - runningAsRoot: whether this program is root; defaults to the real effective user ID.
    package init(host: OCCore.Host, base: any CommandRunner, runningAsRoot: Bool = Transport.isRunningAsRoot) {
        self.host = host
        self.base = base
        self.runningAsRoot = runningAsRoot
    }

    /// The command that ``run(_:)`` would start on this machine for `command`.
    ///
    /// - Parameter command: the command from the host's point of view.
    /// - Returns: the wrapped command.
    package func wrapped(_ command: Command) -> Command {
        Transport.wrap(command, for: host, runningAsRoot: runningAsRoot)
    }

    /// Runs `command` on the host.
    ///
    /// - Parameter command: the command from the host's point of view.
    /// - Returns: the result of the inner program (as reported through the transport).
    /// - Throws: ``CommandFailure`` (with ``CommandFailure/host`` set) when the command could not run:
    ///   the transport tool or the inner program is missing, sudo needs a password, or it timed out.
    package func run(_ command: Command) async throws -> CommandResult {
        let wrapped = wrapped(command)
        let result: CommandResult
        do {
            result = try await base.run(wrapped)
        } catch var failure as CommandFailure {
            failure.host = host.name
            if failure.reason == .toolMissing, wrapped.program != command.program,
                failure.command.program == wrapped.program
            {
                // The transport's own program (multipass, ssh, ip, sudo, podman) is missing on this machine.
                failure.prerequisite = Self.transportPrerequisite(wrapped.program, for: host)
            }
            throw Redaction.redact(failure, secrets: Redaction.secrets(of: command))
        }
        guard wrapped.argv != command.argv, !result.succeeded else { return result }

        let reason: CommandFailure.Reason
        if Transport.usesSudo(host, runningAsRoot: runningAsRoot), Self.sudoWantsPassword(result) {
            reason = .needsPassword
        } else if Self.programWasMissing(result, program: command.program) {
            reason = .toolMissing
        } else {
            return result
        }
        let failure = CommandFailure(host: host.name, command: command, reason: reason, result: result)
        throw Redaction.redact(failure, secrets: Redaction.secrets(of: command))
    }

    /// The program a transport starts on this machine, where it is needed, and how to install it there.
    static func transportPrerequisite(_ program: String, for host: OCCore.Host) -> Prerequisite {
        let local = OCCore.Host.OS.current == .macos
        let install: String
        switch program {
        case "multipass":
            install = local ? "brew install --cask multipass (macOS)" : "snap install multipass (Ubuntu)"
        case "ssh": install = local ? "part of macOS" : "apt-get install openssh-client (Debian/Ubuntu)"
        case "ip": install = "apt-get install iproute2 (Debian/Ubuntu)"
        case "sudo": install = local ? "part of macOS" : "apt-get install sudo (Debian/Ubuntu)"
        case "podman":
            install =
                local
                ? "brew install podman && podman machine init && podman machine start (macOS, Homebrew)"
                : "apt-get install podman runc (Debian/Ubuntu)"
        default: install = "install it"
        }
        return Prerequisite(tool: program, host: "this machine (to reach host \(host.name))", install: install)
    }

    /// Whether `sudo -n` refused to run because it would have to ask for a password.
    static func sudoWantsPassword(_ result: CommandResult) -> Bool {
        guard result.exitStatus == 1 else { return false }
        let stderr = result.stderrText
        return stderr.contains("a password is required") || stderr.contains("a terminal is required")
    }

    /// Whether the transport reported that the inner program does not exist on the host.
    ///
    /// Exit 127 is the shell's (and `podman exec`'s) "not found". The stderr shapes cover the wrappers
    /// that say so in words: `sudo: PROGRAM: command not found` (sudo, exit 1), ``executable file
    /// `PROGRAM` not found`` or `exec: "PROGRAM": executable file not found` (podman with crun or
    /// runc) and `exec of "PROGRAM" failed: No such file or directory` (ip netns, exit 255). Each shape
    /// names the program itself, so a script that fails on some other missing command is not
    /// misreported as its own absence.
    static func programWasMissing(_ result: CommandResult, program: String) -> Bool {
        if result.exitStatus == 127 { return true }
        let name = program.split(separator: "/").last.map(String.init) ?? program
        guard !name.isEmpty else { return false }
        return result.stderrText.split(separator: "\n").contains { line in
            line.contains("\(name): command not found")
                || (line.contains("executable file") && line.contains("not found")
                    && (line.contains("`\(name)`") || line.contains("\"\(name)\"")))
                || (line.contains("exec of \"") && line.contains("\(name)\" failed: No such file or directory"))
        }
    }
}
