import Foundation
import Logging
import OCCore
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs commands as child processes of this program, through swift-subprocess.
///
/// This is the only place in ocplan that starts a process. It never involves a shell: `argv[0]` is
/// looked up on `PATH` (the `PATH` in ``Command/environment`` when set, otherwise this process's),
/// and the remaining elements are passed as they are.
///
/// - Standard input is ``Command/stdin`` or `/dev/null`, never the terminal.
/// - Standard output and standard error are collected completely and concurrently, up to
///   ``outputLimit`` bytes each, so megabytes of `podman inspect` or `iptables-save` output are fine.
/// - A command that runs past ``Command/timeout`` receives `SIGTERM`, then `SIGKILL` after
///   ``terminationGracePeriod``, and the run throws ``CommandFailure`` with reason `.timedOut`.
/// - Cancelling the calling task ends the child the same way and throws `CancellationError`.
/// - A non-zero exit status is a result, not an error; a child killed by a signal reports
///   `128 + signal`, as shells do.
///
/// The child stays in this program's process group, so a Ctrl-C typed at the terminal reaches it too
/// even if this program dies without cleaning up. The cost is that a grandchild which outlives its
/// parent is not signalled on timeout; its output pipes no longer block the run, though.
package struct SubprocessRunner: CommandRunner {
    /// The default limit on each of standard output and standard error: 64 MiB.
    package static let defaultOutputLimit = 64 * 1024 * 1024

    /// Where each command is logged at debug level (redacted argv, exit status, duration).
    package var logger: Logger?
    /// How long a child may take to exit after `SIGTERM` before it receives `SIGKILL`.
    package var terminationGracePeriod: Duration
    /// The most bytes kept from each of standard output and standard error.
    ///
    /// A command that writes more is drained to the end and then reported as `.launchFailed`, so a
    /// runaway child can neither exhaust memory nor block on a full pipe.
    package var outputLimit: Int

    /// Creates a runner.
    ///
    /// - Parameters:
    ///   - logger: where commands are logged at debug level; `nil` logs nothing.
    ///   - terminationGracePeriod: the time between `SIGTERM` and `SIGKILL` when a command is ended.
    ///   - outputLimit: the most bytes collected from each of standard output and standard error.
    package init(
        logger: Logger? = nil,
        terminationGracePeriod: Duration = .seconds(5),
        outputLimit: Int = SubprocessRunner.defaultOutputLimit
    ) {
        self.logger = logger
        self.terminationGracePeriod = terminationGracePeriod
        self.outputLimit = outputLimit
        Self.ignoreBrokenPipeSignal()
    }

    /// Makes writing to a pipe whose reader has gone fail with `EPIPE` instead of killing this process.
    ///
    /// A child may exit without reading all of its standard input (`sh -c 'exit 3'` fed a large
    /// input); the default action of the `SIGPIPE` that the next write raises is to terminate the
    /// writer, which is us. There is no per-descriptor switch for pipes on Linux, so the signal is
    /// ignored process-wide, once, when the first runner is created (CLI tools that start
    /// subprocesses commonly do this). Children start with default signal dispositions again, because
    /// swift-subprocess resets them before `exec`.
    private static func ignoreBrokenPipeSignal() {
        _ = brokenPipeSignalIgnored
    }

    /// Set up on first use; a `static let` initialiser runs exactly once, even across threads.
    private static let brokenPipeSignalIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Runs `command` as a child process and returns what it produced.
    ///
    /// - Parameter command: the argv, standard input, extra environment and timeout.
    /// - Returns: the exit status (or `128 + signal`) and everything written to the two outputs.
    /// - Throws: ``CommandFailure`` with `.toolMissing` when `argv[0]` is not found, `.timedOut` when
    ///   the timeout passes, `.launchFailed` for any other failure to run; `CancellationError` when
    ///   the calling task is cancelled.
    package func run(_ command: Command) async throws -> CommandResult {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let result = try await runWithTimeout(command)
            try Task.checkCancellation()
            logger?.debug(
                "command finished",
                metadata: [
                    "command": "\(command)",
                    "status": "\(result.exitStatus)",
                    "duration": "\(start.duration(to: clock.now))",
                ]
            )
            return result
        } catch {
            logger?.debug(
                "command did not finish",
                metadata: [
                    "command": "\(command)",
                    "error": "\(Self.summary(of: error))",
                    "duration": "\(start.duration(to: clock.now))",
                ]
            )
            throw error
        }
    }

    // MARK: - Timeout

    /// What finished first: the child or the timeout.
    private enum Race: Sendable {
        case finished(CommandResult)
        case timedOut
    }

    /// Runs the child and a timer side by side; whichever finishes first decides the outcome.
    ///
    /// Leaving the task group cancels the loser: a cancelled timer just stops, a cancelled child run
    /// makes swift-subprocess send `SIGTERM`, then `SIGKILL`, and wait for the child to exit.
    private func runWithTimeout(_ command: Command) async throws -> CommandResult {
        let timeout = command.timeout
        return try await withThrowingTaskGroup(of: Race.self) { group in
            group.addTask { .finished(try await self.execute(command)) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return .timedOut
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            switch first {
            case .finished(let result):
                return result
            case .timedOut:
                throw CommandFailure(host: "", command: command, reason: .timedOut)
            }
        }
    }

    // MARK: - Execution

    /// Everything the child wrote, collected by the run's body.
    private struct Captured: Sendable {
        var stdout: Data
        var stderr: Data
    }

    /// Output beyond ``outputLimit`` (the rest was drained and dropped).
    private struct OutputLimitExceeded: Error {
        var stream: String
        var limit: Int
    }

    /// Starts the child, feeds its input, collects its outputs and waits for it to exit.
    private func execute(_ command: Command) async throws -> CommandResult {
        guard let program = command.argv.first, !program.isEmpty else {
            throw CommandFailure(host: "", command: command, reason: .launchFailed("the command is empty"))
        }
        let executable: Executable = program.contains("/") ? .path(FilePath(program)) : .name(program)
        let arguments = Arguments(Array(command.argv.dropFirst()))
        var environment = Environment.inherit
        if !command.environment.isEmpty {
            var overrides: [Environment.Key: String?] = [:]
            for (key, value) in command.environment {
                overrides[Environment.Key(stringLiteral: key)] = value
            }
            environment = environment.updating(overrides)
        }
        var options = PlatformOptions()
        options.teardownSequence = [.send(signal: .terminate, allowedDurationToNextStep: terminationGracePeriod)]

        do {
            let (status, captured) = try await launch(
                executable, arguments, environment, options, stdin: command.stdin)
            return CommandResult(
                exitStatus: Self.exitStatus(of: status),
                stdout: captured.stdout,
                stderr: captured.stderr
            )
        } catch let error as SubprocessError where error.code == .executableNotFound {
            throw CommandFailure(host: "", command: command, reason: .toolMissing)
        } catch let error as SubprocessError {
            throw CommandFailure(host: "", command: command, reason: .launchFailed("\(error)"))
        } catch let error as OutputLimitExceeded {
            let why = "the command wrote more than \(error.limit) bytes to \(error.stream)"
            throw CommandFailure(host: "", command: command, reason: .launchFailed(why))
        }
    }

    /// Runs the child, writing `stdin` to it while reading both outputs, so no pipe can fill up.
    ///
    /// Without `stdin` the child reads `/dev/null`. With it, the input is written through the run's
    /// standard input writer rather than swift-subprocess's `.data` input: a child that exits without
    /// reading all of it (`sh -c 'exit 3'`) makes the write fail with `EPIPE`, which is not an error
    /// of the run, and the writer is always finished so its descriptor is closed (the `.data` input
    /// leaves it open on that path, and swift-subprocess traps on an unclosed descriptor).
    private func launch(
        _ executable: Executable,
        _ arguments: Arguments,
        _ environment: Environment,
        _ options: PlatformOptions,
        stdin: Data?
    ) async throws -> (TerminationStatus, Captured) {
        let limit = outputLimit
        guard let stdin else {
            let execution = try await Subprocess.run(
                executable,
                arguments: arguments,
                environment: environment,
                platformOptions: options,
                input: .none,
                output: .sequence,
                error: .sequence
            ) { execution in
                try await Self.capture(execution.standardOutput, execution.standardError, limit: limit)
            }
            return (execution.terminationStatus, execution.closureResult)
        }
        let execution = try await Subprocess.run(
            executable,
            arguments: arguments,
            environment: environment,
            platformOptions: options,
            input: .inputWriter,
            output: .sequence,
            error: .sequence
        ) { execution in
            async let captured = Self.capture(execution.standardOutput, execution.standardError, limit: limit)
            await Self.feed(stdin, to: execution.standardInputWriter)
            return try await captured
        }
        return (execution.terminationStatus, execution.closureResult)
    }

    /// Writes `data` to the child's standard input and closes it.
    ///
    /// A failed write means the child closed its end (it exited or stopped reading); what it did is
    /// told by its exit status and outputs, so the error is dropped.
    private static func feed(_ data: Data, to writer: StandardInputWriter) async {
        if !data.isEmpty {
            _ = try? await writer.write(data)
        }
        try? await writer.finish()
    }

    /// Reads standard output and standard error concurrently to their ends.
    private static func capture(
        _ stdout: SubprocessOutputSequence,
        _ stderr: SubprocessOutputSequence,
        limit: Int
    ) async throws -> Captured {
        async let out = collect(stdout, stream: "standard output", limit: limit)
        async let err = collect(stderr, stream: "standard error", limit: limit)
        return try await Captured(stdout: out, stderr: err)
    }

    /// Reads `sequence` to its end, keeping at most `limit` bytes.
    ///
    /// Reading continues past the limit (discarding) so the child never blocks on a full pipe; the
    /// error is thrown once the stream has ended.
    private static func collect(
        _ sequence: SubprocessOutputSequence,
        stream: String,
        limit: Int
    ) async throws -> Data {
        var data = Data()
        var exceeded = false
        for try await buffer in sequence {
            if exceeded || data.count + buffer.count > limit {
                exceeded = true
                continue
            }
            buffer.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        if exceeded { throw OutputLimitExceeded(stream: stream, limit: limit) }
        return data
    }

    /// The shell convention: the exit code, or `128 + signal` for a child killed by a signal.
    private static func exitStatus(of status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): return Int32(code)
        case .signaled(let signal): return 128 + Int32(signal)
        }
    }

    /// A short description of why a run ended without a result, for the log.
    private static func summary(of error: any Error) -> String {
        if let failure = error as? CommandFailure {
            switch failure.reason {
            case .toolMissing: return "program not found"
            case .timedOut: return "timed out after \(OutputHead.seconds(failure.command.timeout))"
            case .exited(let status): return "exited \(status)"
            case .needsPassword: return "sudo needs a password"
            case .launchFailed(let why): return why
            case .unrecognisedOutput(let expected): return "unrecognised output (expected \(expected))"
            }
        }
        if error is CancellationError { return "cancelled" }
        return "\(error)"
    }
}
