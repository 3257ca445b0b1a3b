import Foundation
import Logging
import OCCore
import OCExec
import Synchronization
import Testing

@Suite struct SubprocessRunnerTests {
    let runner = SubprocessRunner()

    // MARK: - Outputs and exit status

    @Test("echo's arguments arrive on standard output with exit status 0")
    func capturesStandardOutput() async throws {
        let result = try await runner.run(Command(["echo", "hello", "two words"]))
        #expect(result.exitStatus == 0)
        #expect(result.stdoutText == "hello two words\n")
        #expect(result.stderr.isEmpty)
    }

    @Test("standard error and a non-zero exit status are returned as a result, not thrown")
    func returnsStandardErrorAndExitStatus() async throws {
        let result = try await runner.run(Command(["sh", "-c", "echo out; echo err >&2; exit 3"]))
        #expect(result.exitStatus == 3)
        #expect(result.stdoutText == "out\n")
        #expect(result.stderrText == "err\n")
    }

    @Test("an argument with quotes and spaces reaches the program unchanged, with no shell in between")
    func passesArgumentsVerbatim() async throws {
        let word = "it's $HOME; `rm -rf /` \"quoted\""
        let result = try await runner.run(Command(["printf", "%s", word]))
        #expect(result.stdoutText == word)
    }

    // MARK: - Standard input

    @Test("Command.stdin is piped to the child")
    func pipesStandardInput() async throws {
        let input = "line one\nline two\n"
        let result = try await runner.run(Command(["cat"], stdin: Data(input.utf8)))
        #expect(result.exitStatus == 0)
        #expect(result.stdoutText == input)
    }

    @Test("without Command.stdin the child reads /dev/null and does not wait for a terminal")
    func noStandardInputReadsDevNull() async throws {
        let result = try await runner.run(Command(["cat"], timeout: .seconds(20)))
        #expect(result.exitStatus == 0)
        #expect(result.stdout.isEmpty)
    }

    @Test("a child that exits without reading its standard input still returns its result")
    func childIgnoringStandardInput() async throws {
        let input = Data(repeating: 0x61, count: 6_000_000)
        let result = try await runner.run(Command(["sh", "-c", "echo ignored; exit 4"], stdin: input))
        #expect(result.exitStatus == 4)
        #expect(result.stdoutText == "ignored\n")
    }

    /// Far below the children's own 300 s: they were ended, not waited for.
    ///
    /// Not tighter, because CPU-bound suites running beside this one on a two-core machine can hold the
    /// cooperative thread pool for tens of seconds.
    static let ended: Duration = .seconds(120)

    @Test("a child that never reads a large standard input still times out on schedule")
    func timeoutWhileWritingStandardInput() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let input = Data(repeating: 0x61, count: 6_000_000)
        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command(["sleep", "300"], stdin: input, timeout: .milliseconds(500)))
        }
        #expect(try #require(error).reason == .timedOut)
        #expect(try #require(error).description.hasPrefix("'sleep' timed out after 500 ms: sleep 300"))
        #expect(start.duration(to: clock.now) < Self.ended)
    }

    // MARK: - Environment

    @Test("Command.environment is set for the child on top of the inherited environment")
    func passesEnvironment() async throws {
        let script = #"printf '%s|%s' "$OC_EXEC_TEST_VALUE" "${PATH:+path-inherited}""#
        let command = Command(["sh", "-c", script], environment: ["OC_EXEC_TEST_VALUE": "a value with spaces"])
        let result = try await runner.run(command)
        #expect(result.stdoutText == "a value with spaces|path-inherited")
    }

    // MARK: - Large outputs

    @Test("more than 5 MB of standard output is collected completely")
    func collectsLargeStandardOutput() async throws {
        let result = try await runner.run(Command(["head", "-c", "6000000", "/dev/zero"]))
        #expect(result.exitStatus == 0)
        #expect(result.stdout.count == 6_000_000)
    }

    @Test("5 MB on standard error and output on standard output are both collected (no pipe deadlock)")
    func collectsLargeStandardErrorBesideOutput() async throws {
        let script = "head -c 5000000 /dev/zero >&2; echo done"
        let result = try await runner.run(Command(["sh", "-c", script]))
        #expect(result.stderr.count == 5_000_000)
        #expect(result.stdoutText == "done\n")
    }

    @Test("6 MB of standard input come back unchanged through cat")
    func roundTripsLargeStandardInput() async throws {
        let input = Data((0..<6_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let result = try await runner.run(Command(["cat"], stdin: input))
        #expect(result.stdout.count == input.count)
        #expect(result.stdout == input)
    }

    @Test("output beyond the configured limit is reported as a launch failure")
    func reportsOutputBeyondLimit() async throws {
        let small = SubprocessRunner(outputLimit: 1000)
        let error = await #expect(throws: CommandFailure.self) {
            try await small.run(Command(["head", "-c", "5000", "/dev/zero"]))
        }
        guard case .launchFailed(let why) = try #require(error).reason else {
            Issue.record("expected launchFailed, got \(String(describing: error))")
            return
        }
        #expect(why.contains("1000"))
    }

    // MARK: - Failures to run

    @Test(
        "a program that is not on PATH throws toolMissing",
        arguments: ["oc-no-such-program-4711", "/nonexistent/oc-tool"])
    func missingProgramThrowsToolMissing(program: String) async throws {
        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command([program, "--version"]))
        }
        let failure = try #require(error)
        #expect(failure.reason == .toolMissing)
        #expect(failure.command.program == program)
    }

    @Test("an empty argv throws launchFailed")
    func emptyCommandThrowsLaunchFailed() async throws {
        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command([]))
        }
        guard case .launchFailed = try #require(error).reason else {
            Issue.record("expected launchFailed, got \(String(describing: error))")
            return
        }
    }

    @Test("a command past its timeout is ended and throws timedOut quickly")
    func timeoutEndsTheChild() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command(["sleep", "300"], timeout: .milliseconds(500)))
        }
        let elapsed = start.duration(to: clock.now)
        #expect(try #require(error).reason == .timedOut)
        #expect(elapsed < Self.ended)
        #expect(elapsed >= .milliseconds(500))
    }

    @Test("a child that ignores SIGTERM is killed after the grace period")
    func timeoutKillsAChildThatIgnoresTerminate() async throws {
        let impatient = SubprocessRunner(terminationGracePeriod: .milliseconds(200))
        let clock = ContinuousClock()
        let start = clock.now
        let script = "trap '' TERM; while :; do :; done"
        let error = await #expect(throws: CommandFailure.self) {
            try await impatient.run(Command(["sh", "-c", script], timeout: .milliseconds(300)))
        }
        #expect(try #require(error).reason == .timedOut)
        #expect(start.duration(to: clock.now) < Self.ended)
    }

    @Test("a child killed by a signal reports 128 + the signal number", arguments: [("TERM", 143), ("KILL", 137)])
    func signalExitIs128PlusSignal(signal: String, status: Int32) async throws {
        let script = signal == "TERM" ? "kill -TERM $$" : "kill -KILL $$"
        let result = try await runner.run(Command(["sh", "-c", script]))
        #expect(result.exitStatus == status)
    }

    @Test("cancelling the calling task ends the child and throws CancellationError")
    func cancellationEndsTheChild() async throws {
        let clock = ContinuousClock()
        let start = clock.now
        let runner = runner
        let task = Task {
            try await runner.run(Command(["sleep", "300"], timeout: .seconds(600)))
        }
        task.cancel()
        let outcome = await task.result
        #expect(start.duration(to: clock.now) < Self.ended)
        #expect(throws: CancellationError.self) { try outcome.get() }
    }

    // MARK: - Logging

    @Test("each command is logged at debug level with its redacted argv and exit status")
    func logsRedactedCommand() async throws {
        let recorder = LogRecorder()
        var logger = Logger(label: "test") { _ in RecordingLogHandler(recorder: recorder) }
        logger.logLevel = .debug
        let logged = SubprocessRunner(logger: logger)

        _ = try await logged.run(Command(["echo", "hunter2"], sensitiveArguments: [1]))

        let entries = recorder.entries
        #expect(entries.count == 1)
        let entry = try #require(entries.first)
        #expect(entry.level == .debug)
        #expect(entry.text.contains("command=echo '(sensitive)'"))
        #expect(entry.text.contains("status=0"))
        #expect(!entry.text.contains("hunter2"))
    }
}

// MARK: - Log recording

/// One log record, flattened to text for assertions.
private struct LogEntry: Sendable {
    var level: Logger.Level
    var text: String
}

/// Collects the records of a ``RecordingLogHandler``.
private final class LogRecorder: Sendable {
    private let storage = Mutex<[LogEntry]>([])

    var entries: [LogEntry] { storage.withLock { $0 } }

    func append(_ entry: LogEntry) { storage.withLock { $0.append(entry) } }
}

/// A log handler that keeps every record in a ``LogRecorder``.
private struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
        recorder.append(
            LogEntry(level: event.level, text: ([event.message.description] + fields).joined(separator: " ")))
    }
}
