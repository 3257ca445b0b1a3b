import Foundation

/// Runs commands on one host: the only way providers affect the world.
///
/// Implementations live outside the core (`OCExec.SubprocessRunner`, transports, and the scripted
/// runner of the tests). A runner returns non-zero exit statuses as results; it throws only when the
/// command could not be run at all (program missing, timeout, cancellation).
public protocol CommandRunner: Sendable {
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
    public func check(_ command: Command, host: String) async throws -> CommandResult {
        let result = try await run(command)
        guard result.succeeded else {
            throw CommandFailure(host: host, command: command, reason: .exited(result.exitStatus), result: result)
        }
        return result
    }

    /// Runs `command` and throws ``CommandFailure`` unless it exits 0 (no host named in the error).
    @discardableResult
    public func check(_ command: Command) async throws -> CommandResult {
        try await check(command, host: "")
    }
}

/// A command that could not run, timed out, or exited non-zero where success was required.
public struct CommandFailure: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// Why the command failed.
    public enum Reason: Sendable, Hashable {
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
    }

    /// The host the command ran on.
    public var host: String
    /// The command (shown redacted).
    public var command: Command
    /// Why it failed.
    public var reason: Reason
    /// The result, when the command ran.
    public var result: CommandResult?

    /// Creates a failure.
    public init(host: String, command: Command, reason: Reason, result: CommandResult? = nil) {
        self.host = host
        self.command = command
        self.reason = reason
        self.result = result
    }

    /// The last lines of standard error, trimmed, for messages.
    public var stderrTail: String {
        guard let result else { return "" }
        let lines = result.stderrText.split(separator: "\n", omittingEmptySubsequences: true)
            .filter { !$0.contains("failed to connect to syslog") }
        return lines.suffix(5).joined(separator: "\n")
    }

    public var description: String {
        let on = host.isEmpty ? "" : " on \(host)"
        let what: String
        switch reason {
        case .toolMissing: what = "'\(command.program)' is not installed\(on)"
        case .timedOut: what = "command timed out\(on): \(command)"
        case .exited(let status): what = "command failed\(on) with exit status \(status): \(command)"
        case .needsPassword:
            what = "sudo needs a password\(on) for: \(command) — allow it without a password (NOPASSWD) or run as root"
        case .launchFailed(let why): what = "could not run\(on): \(command): \(why)"
        }
        let tail = stderrTail
        return tail.isEmpty ? what : what + "\n" + tail
    }

    public var errorDescription: String? { description }
}
