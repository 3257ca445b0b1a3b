import Foundation
import Logging
import OCCLI
import OCCore
import OCFacts
import OCTestSupport
import Testing

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A world where nothing exists yet: no files, every sysctl reads 0, no netfilter rules, the default route is eth0;
/// only the lab image is there, as `scripts/plan-example` builds it first (`pull: never` refuses a missing one).
func emptyWorldRunner() -> ScriptedRunner {
    let runner = ScriptedRunner()
    runner.expect(
        .init(
            .prefix(["stat"]),
            response: .handler { command in
                let paths = command.argv.drop { $0 != "--" }.dropFirst()
                let errors = paths.map { "stat: cannot statx '\($0)': No such file or directory\n" }
                return CommandResult(exitStatus: 1, stdout: "", stderr: errors.joined())
            }, repeating: true))
    runner.expect(
        .init(
            .prefix(["cat"]),
            response: .handler { command in
                let file = command.argv.last ?? ""
                return CommandResult(exitStatus: 1, stdout: "", stderr: "cat: \(file): No such file or directory\n")
            }, repeating: true))
    runner.expect(
        .init(
            .prefix(["sysctl"]),
            response: .handler { command in
                let keys = command.argv.dropFirst().filter { !$0.hasPrefix("-") }
                let macOS = keys.contains { $0.hasPrefix("net.inet") }
                let lines = keys.map { macOS ? "\($0): 0" : "\($0) = 0" }
                return CommandResult(exitStatus: 0, stdout: lines.joined(separator: "\n") + "\n")
            }, repeating: true))
    for list in [["podman", "network", "ls"], ["podman", "volume", "ls"], ["podman", "ps"]] {
        runner.expect(
            .init(.prefix(list), response: .result(CommandResult(exitStatus: 0, stdout: "[]")), repeating: true))
    }
    // Only the lab image exists (scripts/plan-example builds it first), as `podman image inspect` prints it.
    let labReference = "localhost/ocplan-busybox:lab"
    let labImage = #"{"Id":"\#(String(repeating: "b", count: 64))","RepoTags":["\#(labReference)"]}"#
    runner.expect(
        .init(
            .prefix(["podman", "image", "inspect"]),
            response: .handler { command in
                let names = command.argv.dropFirst(3)
                let missing = names.filter { $0 != labReference }
                return CommandResult(
                    exitStatus: missing.isEmpty ? 0 : 125,
                    stdout: names.contains(labReference) ? "[\(labImage)]" : "[]",
                    stderr: missing.map { "Error: inspecting object: \($0): image not known\n" }.joined())
            }, repeating: true))
    runner.expect(
        .init(
            .predicate("podman … inspect") { $0.argv.first == "podman" && $0.argv.contains("inspect") },
            response: .handler { command in
                // Only Podman's default network exists.
                guard command.argv.starts(with: ["podman", "network", "inspect"]), command.argv.contains("podman")
                else { return CommandResult(exitStatus: 125, stdout: "[]", stderr: "Error: no such object\n") }
                let network =
                    #"[{"name":"podman","driver":"bridge","subnets":[{"subnet":"10.88.0.0/16","#
                    + #""gateway":"10.88.0.1"}],"ipv6_enabled":false,"internal":false,"#
                    + #""dns_enabled":false}]"#
                let others = command.argv.count > 4
                return CommandResult(
                    exitStatus: others ? 125 : 0, stdout: network, stderr: others ? "Error: network not found\n" : "")
            },
            repeating: true))
    // No netfilter rules and no nft table of the stack.
    for save in ["iptables-save", "ip6tables-save"] {
        runner.expect(.init(.prefix([save]), response: .result(CommandResult(exitStatus: 0)), repeating: true))
    }
    runner.expect(
        .init(
            .prefix(["nft", "-j", "list", "table"]),
            response: .result(CommandResult(exitStatus: 1, stderr: Data("Error: No such file or directory\n".utf8))),
            repeating: true))
    runner.expect(
        .init(
            .prefix(["ip", "-j", "route"]),
            response: .result(CommandResult(exitStatus: 0, stdout: #"[{"dst":"default","dev":"eth0"}]"#)),
            repeating: true))
    return runner
}

/// The empty world, with a Mac whose pf is the stock one: `pfctl`, `route` and the pf files go to a
/// ``FakePfctlCLI``, everything else to ``emptyWorldRunner()``.
struct EmptyWorldWithPf: CommandRunner {
    let world = emptyWorldRunner()
    let pf = FakePfctlCLI()

    func run(_ command: Command) async throws -> CommandResult {
        let path = command.argv.last ?? ""
        let isPfFile = command.program == "cat" && (path.hasPrefix("/etc/pf") || path.hasPrefix("/Library/"))
        if ["pfctl", "route"].contains(command.program) || isPfFile { return try await pf.run(command) }
        return try await world.run(command)
    }
}

/// Plans an example against the empty world and renders it without colour.
func planExample(_ name: String, environment: [String: String] = [:]) async throws -> (String, Diagnostics) {
    let directory = repositoryRoot.appendingPathComponent("examples/\(name)").path
    let both = EmptyWorldWithPf()
    let runner = both.world
    let loader = ManifestLoader(catalog: StandardProviders.catalog, environment: environment)
    let (manifest, diagnostics) = await loader.load(
        [directory], detector: CommandFactDetector(runner: { _ in both }))
    let m = try #require(manifest, "\(diagnostics.items)")
    let state = try TempDirectory()
    let context = EngineContext(
        registry: StandardProviders.registry, runner: { _ in both },
        journal: try StateJournal(stack: m.stack, stateDirectory: state.path), logger: Logger(label: "test"))
    let (plan, planDiagnostics) = await Planner(context: context, environment: environment).plan(m)
    let p = try #require(plan, "\(planDiagnostics.items)")
    #expect(runner.unexpected.isEmpty, "\(runner.unexpected)")
    #expect(runner.mutatingCalls.isEmpty)
    #expect(both.pf.calls.allSatisfy { !$0.mutating })
    return (HumanPlanRenderer(style: Style(colour: false)).render(p), planDiagnostics)
}

/// Compares `text` with a golden file; `OC_RECORD_GOLDEN=1` rewrites it and fails the run.
func expectGolden(_ text: String, path: String) throws {
    let url = repositoryRoot.appendingPathComponent(path)
    if ProcessInfo.processInfo.environment["OC_RECORD_GOLDEN"] == "1" {
        try Data(text.utf8).write(to: url)
        Issue.record("recorded \(path); run again without OC_RECORD_GOLDEN")
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(text == expected, "\(path) differs; run with OC_RECORD_GOLDEN=1 to record it after checking")
}

@Suite struct ExamplesTests {
    @Test(arguments: ["linux-lab", "files", "sysctl", "iptables-audit", "pf-nat"])
    func examplePlansMatchTheirExpectedPlan(name: String) async throws {
        let (text, _) = try await planExample(name, environment: ["OCPLAN_EXAMPLE_TOKEN": "example-secret"])
        try expectGolden(text, path: "examples/\(name)/expected-plan.txt")
    }

    @Test func secretsFromTheEnvironmentNeverAppearInThePlan() async throws {
        let (text, _) = try await planExample("files", environment: ["OCPLAN_EXAMPLE_TOKEN": "example-secret"])
        #expect(!text.contains("example-secret"))
        // The template read a secret, so the whole content is marked.
        #expect(text.contains("+ content = (sensitive)"))
    }

    @Test func everyExampleValidates() async throws {
        let examples = try FileManager.default.contentsOfDirectory(
            atPath: repositoryRoot.appendingPathComponent("examples").path)
        #expect(examples.count >= 3)
        for name in examples.sorted() {
            let directory = repositoryRoot.appendingPathComponent("examples/\(name)").path
            let loader = ManifestLoader(
                catalog: StandardProviders.catalog,
                environment: ["OCPLAN_EXAMPLE_TOKEN": "x", "HEADSCALE_AUTHKEY": "x"])
            let (manifest, diagnostics) = await loader.load([directory])
            #expect(manifest != nil, "examples/\(name): \(diagnostics.errors)")
        }
    }
}
