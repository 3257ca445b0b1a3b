import Foundation
import OCTestSupport
import Testing

/// A malformed flag value is a usage error: exit 64 with ArgumentParser's usage, found before anything runs.
///
/// "Nothing ran" is checked by the state directory: planning or applying creates `<state>/<stack>/`, a usage
/// error leaves it absent. Before flags were parsed in `validate()`, `ocplan` reported these as ordinary errors
/// (exit 1) after loading the manifest, and `ocapply` only after creating the stack's state directory.
@Suite struct UsageErrorsCLITests {
    /// A folder holding a valid one-file stack and the path of a state directory nothing has created yet.
    struct Stack {
        let dir: TempDirectory
        var state: String { dir.path + "/state" }
        var manifest: String { dir.path + "/m" }

        init() throws {
            dir = try TempDirectory(prefix: "ocplan-usage")
            try dir.write(
                """
                version: 1
                stack: usage
                vars:
                  greeting: hello
                files:
                  conf:
                    path: \(dir.path)/out/conf
                    content: "${greeting}\\n"
                """, to: "m/stack.yaml")
        }
    }

    static let malformed: [(flag: String, value: String)] = [
        ("--target", "nope"), ("--adopt", "a b"), ("--var", "novalue"), ("--var", "=value"), ("-target", "nope"),
    ]

    /// Asserts a usage error: status 64, ArgumentParser's error and usage lines, no state directory.
    static func expectUsageError(_ run: Binaries.Run, naming value: String, stack: Stack) {
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("Error: "), "\(run.stderr)")
        #expect(run.stderr.contains("'\(value)'"), "the message names the value: \(run.stderr)")
        #expect(run.stderr.contains("Usage: "), "\(run.stderr)")
        #expect(run.stdout.isEmpty, "nothing was planned: \(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: stack.state), "nothing ran, yet \(stack.state) exists")
    }

    @Test func theStackPlansWithWellFormedFlags() async throws {
        // The control: the same stack and flags, well formed, plan with exit 0.
        let stack = try Stack()
        let run = try await Binaries.run(
            "ocplan",
            [
                "--state-dir", stack.state, "--target", "files.conf", "--adopt", "files.conf", "--var",
                "greeting=hi", stack.manifest,
            ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("files.conf"), "\(run.stdout)")
    }

    @Test(arguments: ["plan", "ocapply"], malformed.indices)
    func aMalformedPlanFlagExits64BeforeAnythingRuns(_ command: String, _ index: Int) async throws {
        let (flag, value) = Self.malformed[index]
        let stack = try Stack()
        let program = command == "ocapply" ? "ocapply" : "ocplan"
        let prefix = command == "ocapply" ? ["--auto-approve"] : [command]
        let run = try await Binaries.run(
            program, prefix + ["--state-dir", stack.state, flag, value, stack.manifest])
        Self.expectUsageError(run, naming: value, stack: stack)
    }

    @Test(arguments: ["validate", "graph", "history"])
    func aMalformedVariableExits64InEverySubcommandThatTakesIt(_ subcommand: String) async throws {
        let stack = try Stack()
        let run = try await Binaries.run(
            "ocplan", [subcommand, "--state-dir", stack.state, "--var", "novalue", stack.manifest])
        Self.expectUsageError(run, naming: "novalue", stack: stack)
    }

    @Test func theDefaultSubcommandReportsAMalformedTargetTheSameWay() async throws {
        let stack = try Stack()
        let run = try await Binaries.run("ocplan", ["--state-dir", stack.state, "--target", "nope", stack.manifest])
        Self.expectUsageError(run, naming: "nope", stack: stack)
    }

    @Test(arguments: [
        ["--target", "files.conf"], ["--destroy"], ["--adopt", "files.conf"], ["--var", "greeting=hi"],
    ])
    func planShapingFlagsWithASavedPlanExit64(_ flags: [String]) async throws {
        let stack = try Stack()
        let plan = try stack.dir.write(#"{"formatVersion": 1, "stack": "usage", "changes": []}"#, to: "saved.plan")
        let run = try await Binaries.run("ocapply", ["--state-dir", stack.state] + flags + [plan.path])
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("a saved plan is applied as it is"), "\(run.stderr)")
        #expect(run.stderr.contains("Usage: "), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stack.state), "nothing ran, yet \(stack.state) exists")
    }

    @Test(arguments: [
        ("ocplan", ["--x\u{1B}[2J"]), ("ocplan", ["validate", "--stack\u{1B}[2J"]),
        ("ocapply", ["--parallelism", "\u{1B}[2J"]), ("ocplan", ["history", "--json=\u{1B}[2J"]),
    ])
    func anArgumentParserErrorShowsControlCharactersEscaped(_ program: String, _ arguments: [String]) async throws {
        // ArgumentParser's own messages quote what was typed ("Unknown option '--x…'"); they reach the terminal
        // through the same escaping as every other error.
        let run = try await Binaries.run(program, arguments)
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("Error: "), "\(run.stderr)")
        #expect(run.stderr.contains("Usage: "), "\(run.stderr)")
        #expect(run.stderr.contains("[2J"), "\(run.stderr)")
        #expect(!run.stderr.contains("\u{1B}"), "a raw escape reached the terminal: \(run.stderr.debugDescription)")
    }

    @Test func helpAndVersionStillGoToStandardOutputWithStatusZero() async throws {
        let help = try await Binaries.run("ocplan", ["validate", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: ocplan validate"), "\(help.stdout)")
        #expect(help.stderr.isEmpty)
        let version = try await Binaries.run("ocapply", ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "0.1.0\n")
    }

    @Test func aControlCharacterInAMalformedValueIsShownEscaped() async throws {
        let stack = try Stack()
        let value = "\u{1B}[2Jnope"
        for program in ["ocplan", "ocapply"] {
            let run = try await Binaries.run(program, ["--state-dir", stack.state, "--target", value, stack.manifest])
            #expect(run.status == 64, "\(run.stderr)")
            #expect(!run.stderr.contains("\u{1B}"), "a raw escape reached the terminal: \(run.stderr.debugDescription)")
            #expect(run.stderr.contains("[2Jnope"), "\(run.stderr)")
        }
    }

    @Test func aMistypedSubcommandIsAnUnknownCommandWithASuggestion() async throws {
        let stack = try Stack()
        let run = try await Binaries.run("ocplan", ["valdiate", "--state-dir", stack.state])
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("Unknown command 'valdiate' — did you mean 'validate'?"), "\(run.stderr)")
        #expect(run.stderr.contains("Usage: "), "\(run.stderr)")
        #expect(run.stdout.isEmpty, "nothing was planned: \(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: stack.state), "no plan ran")
        // A word close to no command is unknown too; a path (even a missing one) is still a manifest path.
        let other = try await Binaries.run("ocplan", ["frobnicate", "--state-dir", stack.state])
        #expect(other.status == 64, "\(other.stderr)")
        #expect(other.stderr.contains("Unknown command 'frobnicate'."), "\(other.stderr)")
        let path = try await Binaries.run("ocplan", ["--state-dir", stack.state, stack.dir.path + "/missing"])
        #expect(path.status == 1, "\(path.stderr)")
        #expect(path.stderr.contains("does not exist"), "\(path.stderr)")
    }

    @Test func historyNamesTheRealUserWhenUSERIsUnsetOrWrong() async throws {
        let stack = try Stack()
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else {
            Issue.record("this process's user has no password entry")
            return
        }
        let user = String(cString: name)
        for value in ["", "somebody-else"] {
            // A new greeting each time: an apply with nothing to do records no history.
            let apply = try await Binaries.run(
                "ocapply",
                ["--auto-approve", "--state-dir", stack.state, "--var", "greeting=\(value)x", stack.manifest],
                environment: ["USER": value])
            #expect(apply.status == 0, "\(apply.stderr)")
        }
        let history = try await Binaries.run("ocplan", ["history", "--state-dir", stack.state, stack.manifest])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.components(separatedBy: "\(user)@").count - 1 == 2, "\(history.stdout)")
        #expect(!history.stdout.contains("unknown@"), "\(history.stdout)")
        #expect(!history.stdout.contains("somebody-else"), "\(history.stdout)")
    }
}
