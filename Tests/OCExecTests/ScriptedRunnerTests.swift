import Foundation
import OCCore
import OCTestSupport
import Testing

@Suite struct ScriptedRunnerTests {
    @Test("an expected command gets its scripted result and is recorded")
    func answersExpectedCommand() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["podman", "ps"], result: CommandResult(exitStatus: 0, stdout: "[]"))

        let result = try await runner.run(Command(["podman", "ps"]))

        #expect(result.stdoutText == "[]")
        #expect(runner.callArgvs == [["podman", "ps"]])
        #expect(runner.unexpected.isEmpty)
        #expect(runner.unusedExpectations.isEmpty)
    }

    @Test("an unexpected command throws an error naming its argv and is recorded")
    func rejectsUnexpectedCommand() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["podman", "ps"])

        let error = await #expect(throws: ScriptedRunner.UnexpectedCommand.self) {
            try await runner.run(Command(["podman", "rm", "-f", "web"]))
        }

        let description = try #require(error).description
        #expect(description.contains(#"["podman", "rm", "-f", "web"]"#))
        #expect(description.contains(#"["podman", "ps"]"#))
        #expect(runner.unexpected.map(\.argv) == [["podman", "rm", "-f", "web"]])
        #expect(runner.calls.count == 1)
        #expect(runner.unusedExpectations.map(\.description) == [#"["podman", "ps"]"#])
    }

    @Test("a single-use expectation answers once; the second identical call is unexpected")
    func singleUseExpectationIsConsumed() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["podman", "network", "create", "oc"])

        _ = try await runner.run(Command(["podman", "network", "create", "oc"]))
        await #expect(throws: ScriptedRunner.UnexpectedCommand.self) {
            try await runner.run(Command(["podman", "network", "create", "oc"]))
        }
        #expect(runner.unexpected.count == 1)
    }

    @Test("a repeating expectation answers any number of times and is never listed as unused")
    func repeatingExpectation() async throws {
        let runner = ScriptedRunner()
        runner.expect(
            argv: ["iptables-save"], result: CommandResult(exitStatus: 0, stdout: "*filter\n"), repeating: true)

        for _ in 0..<3 {
            #expect(try await runner.run(Command(["iptables-save"])).stdoutText == "*filter\n")
        }
        #expect(runner.calls.count == 3)
        #expect(runner.unusedExpectations.isEmpty)
    }

    @Test("a prefix expectation accepts any argv that starts with the prefix")
    func prefixExpectation() async throws {
        let runner = ScriptedRunner()
        runner.expect(prefix: ["podman", "run"], result: CommandResult(exitStatus: 0, stdout: "id\n"))

        let result = try await runner.run(Command(["podman", "run", "-d", "--name", "web", "busybox"]))
        #expect(result.stdoutText == "id\n")
        await #expect(throws: ScriptedRunner.UnexpectedCommand.self) {
            try await runner.run(Command(["podman", "rm"]))
        }
    }

    @Test("an expectation with stdin accepts only that exact input")
    func stdinExpectation() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["iptables-restore", "--noflush"], stdin: Data("*filter\nCOMMIT\n".utf8))

        await #expect(throws: ScriptedRunner.UnexpectedCommand.self) {
            try await runner.run(Command(["iptables-restore", "--noflush"], stdin: Data("other".utf8)))
        }
        _ = try await runner.run(Command(["iptables-restore", "--noflush"], stdin: Data("*filter\nCOMMIT\n".utf8)))
        #expect(runner.unusedExpectations.isEmpty)
        #expect(runner.unexpected.count == 1)
    }

    @Test("mutatingCalls lists only commands marked mutating, in order")
    func mutatingCalls() async throws {
        let runner = ScriptedRunner()
        runner.expect(prefix: ["podman"], repeating: true)

        _ = try await runner.run(Command(["podman", "ps"]))
        _ = try await runner.run(Command(["podman", "network", "create", "a"], mutating: true))
        _ = try await runner.run(Command(["podman", "inspect", "a"]))
        _ = try await runner.run(Command(["podman", "run", "web"], mutating: true))

        #expect(runner.mutatingCalls.map(\.argv) == [["podman", "network", "create", "a"], ["podman", "run", "web"]])
    }

    @Test("in ordered mode single-use expectations must come in order; repeating ones may come any time")
    func orderedExpectations() async throws {
        let runner = ScriptedRunner(
            [
                .init(.argv(["podman", "ps"]), response: .result(CommandResult(exitStatus: 0)), repeating: true),
                .init(.argv(["podman", "network", "create", "a"]), response: .result(CommandResult(exitStatus: 0))),
                .init(.argv(["podman", "run", "web"]), response: .result(CommandResult(exitStatus: 0))),
            ],
            order: .ordered
        )

        await #expect(throws: ScriptedRunner.UnexpectedCommand.self) {
            try await runner.run(Command(["podman", "run", "web"]))
        }
        _ = try await runner.run(Command(["podman", "ps"]))
        _ = try await runner.run(Command(["podman", "network", "create", "a"]))
        _ = try await runner.run(Command(["podman", "ps"]))
        _ = try await runner.run(Command(["podman", "run", "web"]))

        #expect(runner.unexpected.map(\.argv) == [["podman", "run", "web"]])
        #expect(runner.unusedExpectations.isEmpty)
    }

    @Test("in unordered mode single-use expectations may be met in any order")
    func unorderedExpectations() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["a"])
        runner.expect(argv: ["b"])

        _ = try await runner.run(Command(["b"]))
        _ = try await runner.run(Command(["a"]))
        #expect(runner.unexpected.isEmpty)
        #expect(runner.unusedExpectations.isEmpty)
    }

    @Test("unusedExpectations lists the single-use expectations that were never met")
    func unusedExpectations() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["a"])
        runner.expect(argv: ["b"])
        runner.expect(argv: ["c"], repeating: true)

        _ = try await runner.run(Command(["a"]))
        #expect(runner.unusedExpectations.map(\.matcher.description) == [#"["b"]"#])
    }

    @Test("a failure response throws CommandFailure with the reason and the runner's host")
    func failureResponse() async throws {
        let runner = ScriptedRunner(host: "oc-exit")
        runner.expect(argv: ["multipass", "version"], failure: .toolMissing)

        let error = await #expect(throws: CommandFailure.self) {
            try await runner.run(Command(["multipass", "version"]))
        }
        let failure = try #require(error)
        #expect(failure.reason == .toolMissing)
        #expect(failure.host == "oc-exit")
    }

    @Test("a handler response computes the result from the command")
    func handlerResponse() async throws {
        let runner = ScriptedRunner([
            .init(
                .predicate("cat with any input", { $0.argv == ["cat"] }),
                response: .handler { CommandResult(exitStatus: 0, stdout: $0.stdin ?? Data()) },
                repeating: true
            )
        ])

        let result = try await runner.run(Command(["cat"], stdin: Data("echoed".utf8)))
        #expect(result.stdoutText == "echoed")
    }

    @Test("concurrent runs are all recorded")
    func concurrentRunsAreRecorded() async throws {
        let runner = ScriptedRunner()
        runner.expect(prefix: ["probe"], repeating: true)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask { _ = try await runner.run(Command(["probe", String(index)])) }
            }
            try await group.waitForAll()
        }
        #expect(runner.calls.count == 50)
        #expect(Set(runner.callArgvs.map { $0[1] }) == Set((0..<50).map(String.init)))
    }

    @Test("CommandResult.fixture reads a file beside the test as standard output")
    func fixtureResult() throws {
        let directory = try TempDirectory()
        try directory.write(#"[{"Name":"web"}]"#, to: "Fixtures/podman-4.3.1/ps.json")
        let testFile = directory.url.appendingPathComponent("PodmanTests.swift").path

        let result = try CommandResult.fixture("Fixtures/podman-4.3.1/ps.json", testFile: testFile)

        #expect(result.exitStatus == 0)
        #expect(result.stdoutText == #"[{"Name":"web"}]"#)
        #expect(throws: (any Error).self) {
            try CommandResult.fixture("Fixtures/missing.json", testFile: testFile)
        }
    }
}
