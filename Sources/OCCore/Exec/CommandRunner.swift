import Foundation

/// Runs commands on one host: the only way providers affect the world.
///
/// Implementations live outside the core (`OCExec.SubprocessRunner`, transports, and the scripted
/// runner of the tests). A runner returns non-zero exit statuses as results; it throws only when the
/// command could not be run at all (program missing, timeout, cancellation).
package protocol CommandRunner: Sendable {
    /// Runs `command` to completion and returns what it produced.
    ///
    /// - Throws: ``CommandFailure`` when the program cannot be started (`.toolMissing`) or times out.
    func run(_ command: Command) async throws -> CommandResult

    /// Runs `command` and throws ``CommandFailure`` unless it exits 0.
    ///
    /// A requirement (with a default) so that a decorating runner, such as ``SensitiveRunner``, can put its
    /// marks on the command the failure names.
    ///
    /// - Parameters:
    ///   - command: the command to run.
    ///   - host: the host name used in the error message.
    /// - Returns: the successful result.
    /// - Throws: ``CommandFailure`` when the command cannot run or exits non-zero.
    @discardableResult
    func check(_ command: Command, host: String) async throws -> CommandResult
}

extension CommandRunner {
    /// Runs `command` and throws ``CommandFailure`` unless it exits 0.
    ///
    /// - Parameters:
    ///   - command: the command to run.
    ///   - host: the host name used in the error message.
    /// - Returns: the successful result.
    /// - Throws: ``CommandFailure`` when the command cannot run or exits non-zero.
    @discardableResult
    package func check(_ command: Command, host: String) async throws -> CommandResult {
        let result = try await run(command)
        guard result.succeeded else { throw CommandFailure.exited(command, result, host: host) }
        return result
    }

    /// Runs `command` and throws ``CommandFailure`` unless it exits 0 (no host named in the error).
    @discardableResult
    package func check(_ command: Command) async throws -> CommandResult {
        try await check(command, host: "")
    }
}

extension CommandFailure {
    /// The failure for a command whose output a parser does not recognise.
    ///
    /// - Parameters:
    ///   - command: the command that ran.
    ///   - result: what it printed.
    ///   - host: the host it ran on.
    ///   - expected: what the parser expected, for the message (`iptables-save output`).
    /// - Returns: the failure, with reason ``Reason/unrecognisedOutput(_:)``.
    package static func unrecognised(
        _ command: Command, _ result: CommandResult, host: String, expected: String
    ) -> CommandFailure {
        CommandFailure(host: host, command: command, reason: .unrecognisedOutput(expected), result: result)
    }

    /// The failure for a command that exited non-zero where that means it could not do its work.
    package static func exited(_ command: Command, _ result: CommandResult, host: String) -> CommandFailure {
        CommandFailure(host: host, command: command, reason: .exited(result.exitStatus), result: result)
    }
}

/// A command that could not run, timed out, or exited non-zero where success was required.
package struct CommandFailure: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// Why the command failed.
    package enum Reason: Sendable, Hashable {
        /// The program was not found on the host (exit 127 or spawn failure).
        case toolMissing
        /// The command ran past its timeout and was ended.
        case timedOut
        /// The command exited with this non-zero status.
        case exited(Int32)
        /// A password would be needed for `sudo` (it runs with `-n`).
        case needsPassword
        /// The command could not be started for another reason.
        case launchFailed(String)
        /// The command ran, but what it printed is not what the tool prints (the value says what was expected).
        /// An observation never reads such output as "absent".
        case unrecognisedOutput(String)
    }

    /// The host the command ran on.
    package var host: String
    /// The command (shown redacted).
    package var command: Command
    /// Why it failed.
    package var reason: Reason
    /// The result, when the command ran.
    package var result: CommandResult?
    /// For a missing tool that is not on ``host`` (a transport's own program, needed on the machine that starts
    /// it): what to install, and where.
    package var prerequisite: Prerequisite?

    /// Creates a failure.
    package init(host: String, command: Command, reason: Reason, result: CommandResult? = nil) {
        self.host = host
        self.command = command
        self.reason = reason
        self.result = result
    }

    /// The first bytes of what the command printed, escaped and bounded (``OutputHead``): standard output for
    /// unrecognised output, else standard error (standard output when that is empty); `nil` when it printed
    /// nothing.
    package var outputHead: String? {
        guard let result else { return nil }
        let stderr = result.stderrText.split(separator: "\n", omittingEmptySubsequences: true)
            .filter { !$0.contains("failed to connect to syslog") }.joined(separator: "\n")
        if case .unrecognisedOutput = reason { return OutputHead.of(result.stdout) ?? OutputHead.of(stderr) }
        return OutputHead.of(stderr) ?? OutputHead.of(result.stdout)
    }

    package var description: String {
        let on = host.isEmpty ? "" : " on \(host)"
        let what: String
        switch reason {
        case .toolMissing:
            what = "'\(command.program)' is not installed" + (prerequisite.map { " on \($0.host)" } ?? on)
        case .timedOut:
            what = "'\(command.program)' timed out after \(OutputHead.seconds(command.timeout))\(on): \(command)"
        case .exited(let status):
            what = "'\(command.program)' failed\(on) with exit status \(status): \(command)"
        case .needsPassword:
            what = "sudo needs a password\(on) for: \(command) — allow it without a password (NOPASSWD) or run as root"
        case .launchFailed(let why): what = "could not run\(on): \(command): \(why)"
        case .unrecognisedOutput(let expected):
            what =
                "'\(command.program)'\(on) printed output ocplan does not recognise (expected \(expected)): \(command)"
        }
        guard let head = outputHead else { return what }
        return what + "\n  output: " + head
    }

    package var errorDescription: String? { description }
}
