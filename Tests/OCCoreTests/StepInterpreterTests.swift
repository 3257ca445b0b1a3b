import Foundation
import Logging
import OCCore
import OCTestSupport
import Synchronization
import Testing

/// A provider whose program is given by the test, observing a fixed tree.
struct ProgramProvider: Provider {
    let name = "prog"
    let sections = ["things"]
    var observed: Value? = ["ok": true]
    var build: @Sendable (Change) -> StepProgram

    func schema(for section: String) -> ResourceSchema { ResourceSchema() }
    func prerequisites(on host: OCCore.Host) -> [Prerequisite] { [] }
    func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value { [:] }
    func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
        ObserveResponse(
            observations: Dictionary(
                uniqueKeysWithValues: request.targets.map {
                    ($0.address, Observation(value: observed, planData: ["seen": .string($0.address.name)]))
                }))
    }
    func program(for change: Change, context: ChangeContext) throws -> StepProgram { build(change) }
}

/// The first line of standard output.
private struct FirstLine: OutputParser {
    func value(in result: CommandResult) -> String? {
        result.stdoutText.split(separator: "\n").first.map(String.init)
    }
    var description: String { "the first line" }
}

/// Appends a line to a file (`nil`: leaves it alone when the line is there).
private struct AppendLine: FileEdit {
    var line: String
    func edited(_ text: String?) -> FileEditResult {
        let current = text ?? ""
        return current.contains(line + "\n") ? .unchanged : .write(current + line + "\n")
    }
    var description: String { "append \(line)" }
}

/// A host of files answering the commands of ``FakeFileCommands`` and `checker FILE` (refuses content with
/// `bad`), recording every call in the scripted runner.
private final class FileHost: Sendable {
    let world = Mutex<(files: [String: String], modes: [String: String])>(([:], [:]))

    var files: [String: String] { world.withLock { $0.files } }

    func runner() -> ScriptedRunner {
        let runner = ScriptedRunner()
        runner.expect(
            ScriptedRunner.Expectation(
                .predicate("file commands", { _ in true }),
                response: .handler { command in
                    try self.world.withLock { world in
                        if command.argv.count == 5, command.argv.prefix(3) == ["cp", "-p", "--"] {
                            world.files[command.argv[4]] = world.files[command.argv[3]]
                            return CommandResult(exitStatus: 0)
                        }
                        if command.argv.first == "checker", let path = command.argv.last {
                            let bad = world.files[path]?.contains("bad") == true
                            return CommandResult(
                                exitStatus: bad ? 1 : 0, stdout: "", stderr: bad ? "\(path):1: bad line\nbanner\n" : "")
                        }
                        guard
                            let result = FakeFileCommands.respond(
                                command.argv, stdin: command.stdin, files: &world.files, modes: &world.modes)
                        else { throw OCError(.internalError, "unexpected \(command.argv)") }
                        return result
                    }
                }, repeating: true))
        return runner
    }
}

@Suite struct StepInterpreterTests {
    static let host = OCCore.Host(name: "h", transport: .local, os: .linux)

    static func apply(
        _ provider: some Provider, runner: any CommandRunner, action: Action = .update,
        locks: FileEditLocks = FileEditLocks()
    ) async throws -> ApplyResponse {
        let change = Change(
            address: "things.a", provider: provider.name, host: host, action: action, cause: .manifest,
            before: ["ok": false], after: action == .delete ? nil : ["ok": true])
        return try await provider.apply(
            ApplyRequest(
                stack: "lab", host: host, runner: runner, change: change, logger: Logger(label: "test"),
                fileLocks: locks))
    }

    @Test func acceptedOutcomesCountAsDoneAndAnythingElseFails() async throws {
        let runner = ScriptedRunner(order: .ordered)
        runner.expect(
            argv: ["rm", "x"], result: CommandResult(exitStatus: 1, stdout: "", stderr: "x: no such thing\n"))
        runner.expect(
            argv: ["connect", "x"], result: CommandResult(exitStatus: 125, stdout: "", stderr: "already connected\n"))
        runner.expect(argv: ["start", "x"], result: CommandResult(exitStatus: 125, stdout: "", stderr: "boom\n"))
        let provider = ProgramProvider { _ in
            StepProgram([
                .run(Command(["rm", "x"]), accepts: Acceptance("missing is fine", exitStatuses: [1])),
                .run(
                    Command(["connect", "x"]), accepts: Acceptance("connected is fine", markers: ["already connected"])),
                .run(
                    Command(["start", "x"]), accepts: Acceptance("connected is fine", markers: ["already connected"])),
                .reobserve,
            ])
        }
        do {
            _ = try await Self.apply(provider, runner: runner)
            Issue.record("the third command must fail the program")
        } catch let failure as CommandFailure {
            #expect(failure.reason == .exited(125))
            #expect(failure.command.argv == ["start", "x"])
        }
        #expect(runner.calls.map(\.argv) == [["rm", "x"], ["connect", "x"], ["start", "x"]])
    }

    @Test func aFallbackRunsOnItsMarkerWithACapturedValue() async throws {
        let runner = ScriptedRunner(order: .ordered)
        runner.expect(
            argv: ["create", "--host", "gw:host-gateway"],
            result: CommandResult(exitStatus: 125, stdout: "", stderr: "invalid IP address: \"host-gateway\"\n"))
        runner.expect(argv: ["inspect", "net"], result: CommandResult(exitStatus: 0, stdout: "10.0.0.1\n"))
        runner.expect(argv: ["create", "--host", "gw:10.0.0.1"])
        var retry = Command(["create", "--host", "gw:" + Command.reference("GW")], mutating: true)
        retry.uses = [2: "GW"]
        let fallback = Fallback(
            on: "invalid IP address", meaning: "use the network's gateway",
            steps: [
                .capture(CaptureStep(Command(["inspect", "net"]), name: "GW", parser: FirstLine(), keep: false)),
                .run(retry),
            ])
        let program = StepProgram([
            .run(RunStep(Command(["create", "--host", "gw:host-gateway"], mutating: true), otherwise: fallback)),
            .reobserve,
        ])
        let response = try await Self.apply(ProgramProvider { _ in program }, runner: runner)
        #expect(runner.unexpected.isEmpty)
        #expect(runner.calls.map(\.argv).last == ["create", "--host", "gw:10.0.0.1"])
        #expect(response.observed == ["ok": true])
        #expect(response.planData == ["seen": "a"], "the observation's plan data comes back for settle")
        let preview = program.preview(os: .linux)
        #expect(preview.contains(.note("if it fails with \"invalid IP address\": use the network's gateway")))
    }

    @Test func aCaptureKeepsItsValueInThePrivateStateAndAProgramWithoutReobserveIsGone() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["enable"], result: CommandResult(exitStatus: 0, stdout: "42\n"), repeating: true)
        let kept = ProgramProvider { _ in
            StepProgram(
                [
                    .capture(CaptureStep(Command(["enable"], mutating: true), name: "token", parser: FirstLine())),
                    .reobserve,
                ],
                privateState: ["token": "7", "other": "x"])
        }
        let response = try await Self.apply(kept, runner: runner)
        #expect(response.privateState == ["token": "42", "other": "x"])

        let gone = ProgramProvider { _ in StepProgram([.run(Command(["enable"], mutating: true))]) }
        let deleted = try await Self.apply(gone, runner: runner, action: .delete)
        #expect(deleted.observed == nil)
        #expect(deleted.privateState == nil)
    }

    @Test func aRequiredCaptureWithoutItsValueIsUnrecognisedOutput() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["enable"], result: CommandResult(exitStatus: 0, stdout: ""))
        let provider = ProgramProvider { _ in
            StepProgram([.capture(CaptureStep(Command(["enable"]), name: "token", parser: FirstLine())), .reobserve])
        }
        await #expect(throws: CommandFailure.self) { _ = try await Self.apply(provider, runner: runner) }
    }

    @Test func aFailedStepRemovesTheTemporaryFileOfAnEarlierWrite() async throws {
        let host = FileHost()
        let runner = host.runner()
        let provider = ProgramProvider { _ in
            StepProgram([
                .write(FileWrite("x\n", to: "/etc/a.conf")), .run(Command(["checker", "/nowhere/bad"])), .reobserve,
            ])
        }
        host.world.withLock { $0.files["/nowhere/bad"] = "bad" }
        await #expect(throws: CommandFailure.self) { _ = try await Self.apply(provider, runner: runner) }
        #expect(host.files["/etc/a.conf"] == "x\n", "the write itself was complete")
        #expect(
            runner.calls.filter { $0.program == "rm" }.map(\.argv) == [["rm", "-f", "--", "/etc/.a.conf.0000000001"]],
            "the undo of a renamed temporary file removes nothing")

        // A failure between mktemp and mv removes the temporary file.
        let half = ProgramProvider { _ in
            var write = HostFile.write("y\n", to: "/etc/b.conf", os: .linux)
            write.removeLast()
            return StepProgram(write.map { .run($0) } + [.run(Command(["checker", "/nowhere/bad"]))])
        }
        await #expect(throws: CommandFailure.self) { _ = try await Self.apply(half, runner: runner) }
        #expect(host.files.keys.sorted() == ["/etc/a.conf", "/nowhere/bad"])
    }

    @Test func anEditReadsTheFileAfreshAndARejectedCandidateLeavesItUntouched() async throws {
        let host = FileHost()
        host.world.withLock { $0.files["/etc/app.conf"] = "first\n" }
        let runner = host.runner()
        func edit(_ line: String) -> ProgramProvider {
            ProgramProvider { _ in
                StepProgram([
                    .edit(
                        FileEditStep(
                            "/etc/app.conf", edit: AppendLine(line: line), backup: "/etc/app.conf.bak",
                            check: Command(["checker", Command.reference(HostFile.temporary)]), noise: ["banner"],
                            planned: .some(nil))),
                    .reobserve,
                ])
            }
        }
        _ = try await Self.apply(edit("second"), runner: runner)
        #expect(host.files["/etc/app.conf"] == "first\nsecond\n")
        #expect(host.files["/etc/app.conf.bak"] == "first\n")

        do {
            _ = try await Self.apply(edit("bad"), runner: runner)
            Issue.record("the check must refuse the candidate")
        } catch let error as OCError {
            #expect("\(error)".contains("checker rejects the edited /etc/app.conf on h"))
            #expect("\(error)".contains("bad line"))
            #expect(!"\(error)".contains("banner"))
            #expect("\(error)".contains("a copy from before this run is in /etc/app.conf.bak"))
        }
        #expect(host.files["/etc/app.conf"] == "first\nsecond\n")
        #expect(host.files.keys.sorted() == ["/etc/app.conf", "/etc/app.conf.bak"], "the candidate is removed")

        // Unchanged: read, nothing written.
        let before = runner.calls.count
        _ = try await Self.apply(edit("second"), runner: runner)
        #expect(runner.calls.dropFirst(before).map(\.argv) == [["cat", "--", "/etc/app.conf"]])
    }

    @Test func editsOfOneFileFromParallelChangesAreSerialisedByTheEngineLock() async throws {
        let host = FileHost()
        let runner = host.runner()
        let locks = FileEditLocks()
        let lines = (1...8).map { "line \($0)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for line in lines {
                group.addTask {
                    let provider = ProgramProvider { _ in
                        StepProgram([.edit(FileEditStep("/etc/shared.conf", edit: AppendLine(line: line)))])
                    }
                    _ = try await Self.apply(provider, runner: runner, locks: locks)
                }
            }
            try await group.waitForAll()
        }
        let text = try #require(host.files["/etc/shared.conf"])
        #expect(Set(text.split(separator: "\n").map(String.init)) == Set(lines))
    }

    @Test func aRefreshingProgramIsBuiltFromTheFreshObservation() async throws {
        let runner = ScriptedRunner()
        runner.expect(prefix: ["act"], repeating: true)
        let provider = ProgramProvider(observed: ["fresh": true]) { change in
            let word = change.before?["fresh"] == true ? "fresh" : "planned"
            return StepProgram([.run(Command(["act", word])), .reobserve], refreshesFirst: true)
        }
        _ = try await Self.apply(provider, runner: runner)
        #expect(runner.calls.map(\.argv) == [["act", "fresh"]])
    }

    @Test func thePreviewShowsEveryCommandAndWhatTheEditDoes() {
        let program = StepProgram([
            .run(Command(["sysctl", "-w", "a=1"], mutating: true)),
            .edit(FileEditStep("/etc/x.conf", edit: AppendLine(line: "a = 1"), planned: .some("b = 2\n"))),
            .edit(FileEditStep("/etc/y.conf", edit: AppendLine(line: "a = 1"), planned: .some("a = 1\n"))),
            .reobserve,
        ])
        let preview = program.preview(os: .linux)
        #expect(
            preview.prefix(3) == [
                .command(Command(["sysctl", "-w", "a=1"], mutating: true)), .command(HostFile.read("/etc/x.conf")),
                .note("edit /etc/x.conf: append a = 1"),
            ])
        #expect(
            program.commands(os: .linux).map(\.argv) == [
                ["sysctl", "-w", "a=1"], ["cat", "--", "/etc/x.conf"], ["mkdir", "-p", "--", "/etc"],
                ["mktemp", "--", "/etc/.x.conf.XXXXXXXXXX"], ["tee", "--", "$TMP"], ["chmod", "--", "0644", "$TMP"],
                ["mv", "-f", "-T", "--", "$TMP", "/etc/x.conf"], ["cat", "--", "/etc/y.conf"],
            ])
    }
}
