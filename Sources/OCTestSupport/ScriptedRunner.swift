import Foundation
import OCCore
import Synchronization

/// A ``CommandRunner`` that answers from a script of expected commands, for provider tests.
///
/// A test lists the commands it expects with the results they should produce, runs the code under
/// test, and then checks what was run: every call is recorded in ``calls``, the ones that change the
/// world in ``mutatingCalls``. A command that matches no expectation makes ``run(_:)`` throw
/// ``UnexpectedCommand`` (whose description is the argv as a Swift array literal, ready to paste into
/// an expectation) and is also recorded in ``unexpected``, so a test that swallows errors still fails
/// on `#expect(runner.unexpected.isEmpty)`.
///
/// ```swift
/// let runner = ScriptedRunner()
/// runner.expect(argv: ["podman", "ps", "-a", "--format", "json"], result: try .fixture("Fixtures/ps.json"),
///               repeating: true)
/// runner.expect(prefix: ["podman", "network", "create"])
/// ```
///
/// Each run takes the first unused expectation that matches (a ``Expectation/repeating`` one can be
/// used any number of times). With ``Order/ordered``, single-use expectations must be met in the order
/// they were given; repeating ones (observation commands) may come at any time.
package final class ScriptedRunner: CommandRunner {
    /// How single-use expectations are matched against calls.
    package enum Order: Sendable {
        /// Any unused matching expectation may answer, earliest first.
        case unordered
        /// Single-use expectations must be met in the order they were added.
        case ordered
    }

    /// Which commands an expectation accepts.
    package enum Matcher: Sendable, CustomStringConvertible {
        /// Exactly this argv.
        case argv([String])
        /// Any argv that starts with these elements.
        case prefix([String])
        /// Any command the predicate accepts; the label is used in messages.
        case predicate(String, @Sendable (Command) -> Bool)

        /// Whether `command` is accepted.
        package func matches(_ command: Command) -> Bool {
            switch self {
            case .argv(let argv): return command.argv == argv
            case .prefix(let prefix): return command.argv.starts(with: prefix)
            case .predicate(_, let accepts): return accepts(command)
            }
        }

        /// The matcher as shown in messages.
        package var description: String {
            switch self {
            case .argv(let argv): return ScriptedRunner.literal(argv)
            case .prefix(let prefix): return "prefix " + ScriptedRunner.literal(prefix)
            case .predicate(let label, _): return label
            }
        }
    }

    /// What a matched command produces.
    package enum Response: Sendable {
        /// The command ran and produced this result (a non-zero status is still a result).
        case result(CommandResult)
        /// The command could not run: ``run(_:)`` throws ``CommandFailure`` with this reason.
        case failure(CommandFailure.Reason)
        /// The result is computed from the command (for example to echo its standard input).
        case handler(@Sendable (Command) throws -> CommandResult)
    }

    /// One command the test expects, with what it produces.
    package struct Expectation: Sendable, CustomStringConvertible {
        /// Which commands this expectation accepts.
        package var matcher: Matcher
        /// The exact standard input required, or `nil` to accept any.
        package var stdin: Data?
        /// What a matched command produces.
        package var response: Response
        /// Whether the expectation may be used any number of times (observation commands).
        package var repeating: Bool

        /// Creates an expectation.
        ///
        /// - Parameters:
        ///   - matcher: which commands it accepts.
        ///   - stdin: the exact standard input required, or `nil` for any.
        ///   - response: what a matched command produces.
        ///   - repeating: whether it may be used any number of times.
        package init(_ matcher: Matcher, stdin: Data? = nil, response: Response, repeating: Bool = false) {
            self.matcher = matcher
            self.stdin = stdin
            self.response = response
            self.repeating = repeating
        }

        /// Whether `command` satisfies this expectation.
        package func matches(_ command: Command) -> Bool {
            guard matcher.matches(command) else { return false }
            guard let stdin else { return true }
            return command.stdin == stdin
        }

        /// The expectation as shown in messages.
        package var description: String {
            var text = matcher.description
            if let stdin { text += " with stdin \(ScriptedRunner.literal(String(decoding: stdin, as: UTF8.self)))" }
            if repeating { text += " (repeating)" }
            return text
        }
    }

    /// The error ``run(_:)`` throws for a command that no expectation accepts.
    package struct UnexpectedCommand: Error, CustomStringConvertible {
        /// The command that was run.
        package var command: Command
        /// The expectations that were still waiting, in order.
        package var pending: [Expectation]

        /// The argv as a Swift literal, followed by what was still expected.
        package var description: String {
            var text = "unexpected command: \(ScriptedRunner.literal(command.argv))"
            if let stdin = command.stdin {
                text += " with stdin \(ScriptedRunner.literal(String(decoding: stdin, as: UTF8.self)))"
            }
            if pending.isEmpty { return text + " (no expectations left)" }
            return text + "\nstill expected:\n" + pending.map { "  \($0)" }.joined(separator: "\n")
        }
    }

    /// Everything the runner knows, behind one lock.
    private struct State {
        var expectations: [Expectation]
        var used: [Bool]
        var calls: [Command] = []
        var unexpected: [Command] = []
    }

    private let order: Order
    private let hostName: String
    private let state: Mutex<State>

    /// Creates a runner with an initial script.
    ///
    /// - Parameters:
    ///   - expectations: the expected commands, in order.
    ///   - order: whether single-use expectations must be met in order.
    ///   - host: the host name put into thrown ``CommandFailure`` values.
    package init(_ expectations: [Expectation] = [], order: Order = .unordered, host: String = "") {
        self.order = order
        self.hostName = host
        self.state = Mutex(State(expectations: expectations, used: Array(repeating: false, count: expectations.count)))
    }

    // MARK: - Script

    /// Adds an expectation at the end of the script.
    ///
    /// - Parameter expectation: the expectation to add.
    package func expect(_ expectation: Expectation) {
        state.withLock {
            $0.expectations.append(expectation)
            $0.used.append(false)
        }
    }

    /// Expects exactly `argv`, answering with `result`.
    ///
    /// - Parameters:
    ///   - argv: the exact argv.
    ///   - stdin: the exact standard input required, or `nil` for any.
    ///   - result: what the command produces; by default success with no output.
    ///   - repeating: whether it may be run any number of times.
    package func expect(
        argv: [String],
        stdin: Data? = nil,
        result: CommandResult = CommandResult(exitStatus: 0),
        repeating: Bool = false
    ) {
        expect(Expectation(.argv(argv), stdin: stdin, response: .result(result), repeating: repeating))
    }

    /// Expects any argv that starts with `prefix`, answering with `result`.
    ///
    /// - Parameters:
    ///   - prefix: the first argv elements.
    ///   - stdin: the exact standard input required, or `nil` for any.
    ///   - result: what the command produces; by default success with no output.
    ///   - repeating: whether it may be run any number of times.
    package func expect(
        prefix: [String],
        stdin: Data? = nil,
        result: CommandResult = CommandResult(exitStatus: 0),
        repeating: Bool = false
    ) {
        expect(Expectation(.prefix(prefix), stdin: stdin, response: .result(result), repeating: repeating))
    }

    /// Expects exactly `argv` and makes it fail to run with `reason` (for example `.toolMissing`).
    ///
    /// - Parameters:
    ///   - argv: the exact argv.
    ///   - reason: the reason of the thrown ``CommandFailure``.
    ///   - repeating: whether it may be run any number of times.
    package func expect(argv: [String], failure reason: CommandFailure.Reason, repeating: Bool = false) {
        expect(Expectation(.argv(argv), response: .failure(reason), repeating: repeating))
    }

    // MARK: - Running

    /// Answers `command` from the script and records it.
    ///
    /// - Parameter command: the command the code under test runs.
    /// - Returns: the scripted result.
    /// - Throws: ``UnexpectedCommand`` when nothing in the script accepts the command;
    ///   ``CommandFailure`` for a `.failure` response; whatever a `.handler` throws.
    package func run(_ command: Command) async throws -> CommandResult {
        let match: Expectation? = state.withLock { state in
            state.calls.append(command)
            guard let index = Self.select(command, in: state, order: order) else {
                state.unexpected.append(command)
                return nil
            }
            if !state.expectations[index].repeating { state.used[index] = true }
            return state.expectations[index]
        }
        guard let match else {
            throw UnexpectedCommand(command: command, pending: unusedExpectations)
        }
        switch match.response {
        case .result(let result): return result
        case .failure(let reason): throw CommandFailure(host: hostName, command: command, reason: reason)
        case .handler(let respond): return try respond(command)
        }
    }

    /// The index of the expectation that answers `command`, if any.
    private static func select(_ command: Command, in state: State, order: Order) -> Int? {
        let indices = state.expectations.indices
        switch order {
        case .unordered:
            return indices.first { (state.expectations[$0].repeating || !state.used[$0]) && matches($0) }
        case .ordered:
            let next = indices.first { !state.expectations[$0].repeating && !state.used[$0] }
            if let next, matches(next) { return next }
            return indices.first { state.expectations[$0].repeating && matches($0) }
        }

        func matches(_ index: Int) -> Bool { state.expectations[index].matches(command) }
    }

    // MARK: - Inspection

    /// Every command run so far, in order (unexpected ones included).
    package var calls: [Command] { state.withLock { $0.calls } }

    /// The argv of every command run so far, in order.
    package var callArgvs: [[String]] { calls.map(\.argv) }

    /// The commands run so far that change the world (``Command/mutating``), in order.
    package var mutatingCalls: [Command] { calls.filter(\.mutating) }

    /// The commands that no expectation accepted.
    package var unexpected: [Command] { state.withLock { $0.unexpected } }

    /// The single-use expectations that were never met (repeating ones are never listed).
    package var unusedExpectations: [Expectation] {
        state.withLock { state in
            state.expectations.indices.filter { !state.expectations[$0].repeating && !state.used[$0] }
                .map { state.expectations[$0] }
        }
    }

    // MARK: - Helpers

    /// A string array as a Swift array literal: `["podman", "ps"]`.
    static func literal(_ words: [String]) -> String {
        "[" + words.map(literal).joined(separator: ", ") + "]"
    }

    /// A string as a Swift string literal, with quotes, backslashes and control characters escaped.
    static func literal(_ word: String) -> String {
        var text = "\""
        for scalar in word.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case "\r": text += "\\r"
            default:
                if scalar.value < 0x20 {
                    text += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text + "\""
    }
}

extension CommandResult {
    /// A successful result whose standard output is the contents of a fixture file.
    ///
    /// Fixtures sit beside the test that uses them, found through `#filePath` as
    /// swift-argument-parser does (no resource bundles):
    /// `try .fixture("Fixtures/podman-4.3.1/ps.json")` in `Tests/OCPodmanTests/PodmanTests.swift`
    /// reads `Tests/OCPodmanTests/Fixtures/podman-4.3.1/ps.json`.
    ///
    /// - Parameters:
    ///   - relativePath: the fixture's path relative to the folder of `testFile`.
    ///   - exitStatus: the exit status of the result.
    ///   - stderr: the standard error of the result.
    ///   - testFile: the test source file; leave the default.
    /// - Returns: the result.
    /// - Throws: the file system error when the fixture cannot be read.
    package static func fixture(
        _ relativePath: String,
        exitStatus: Int32 = 0,
        stderr: String = "",
        testFile: String = #filePath
    ) throws -> CommandResult {
        let url = URL(fileURLWithPath: testFile).deletingLastPathComponent().appendingPathComponent(relativePath)
        return CommandResult(exitStatus: exitStatus, stdout: try Data(contentsOf: url), stderr: Data(stderr.utf8))
    }
}
