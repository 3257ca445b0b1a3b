import Foundation
import Logging
import OCAppleContainer
import OCCLI
import OCContainerModel
import OCCore
import OCFiles
import OCPacketFilter
import OCPodman
import OCSysctl
import OCTestSupport
import Synchronization
import Testing

@testable import OCIPTables

/// A runner that records every command `base` runs for it.
final class RecordingRunner: CommandRunner {
    let base: any CommandRunner
    private let log = Mutex<[Command]>([])

    init(_ base: any CommandRunner) { self.base = base }

    /// Every command run so far.
    var calls: [Command] { log.withLock { $0 } }

    func run(_ command: Command) async throws -> CommandResult {
        log.withLock { $0.append(command) }
        return try await base.run(command)
    }
}

/// A host's files for the files provider: the commands of ``FakeFileCommands`` plus GNU `stat`.
final class FakeFilesHost: Sendable {
    private let world = Mutex<(files: [String: String], modes: [String: String])>(([:], [:]))

    /// The files by path.
    var files: [String: String] { world.withLock { $0.files } }

    /// A runner answering every command from this host.
    var runner: ScriptedRunner {
        let runner = ScriptedRunner()
        runner.expect(
            ScriptedRunner.Expectation(
                .predicate("any command on the fake host", { _ in true }), response: .handler(respond), repeating: true)
        )
        return runner
    }

    @Sendable private func respond(_ command: Command) -> CommandResult {
        world.withLock { world in
            if command.argv.first == "stat" {
                guard let separator = command.argv.firstIndex(of: "--") else { return CommandResult(exitStatus: 2) }
                var out = ""
                var failed = ""
                for path in command.argv[(separator + 1)...] {
                    guard let text = world.files[path] else {
                        failed += "stat: cannot statx '\(path)': No such file or directory\n"
                        continue
                    }
                    let mode = String((world.modes[path] ?? "0644").drop { $0 == "0" })
                    out += "\(mode)\0\(text.utf8.count)\0regular file\0root\0root\0"
                }
                return CommandResult(exitStatus: failed.isEmpty ? 0 : 1, stdout: out, stderr: failed)
            }
            return FakeFileCommands.respond(
                command.argv, stdin: command.stdin, files: &world.files, modes: &world.modes)
                ?? CommandResult(exitStatus: 127, stdout: "", stderr: "fake host: unknown command \(command.argv)\n")
        }
    }
}

/// `--show-commands` prints the program the engine interprets, and the interpreter runs exactly those commands,
/// in that order, for every provider that is migrated to step programs.
@Suite struct ShownIsRunTests {
    /// Plans `body`, renders the plan with `--show-commands`, applies it, and checks for the one action at
    /// `address` that the `$` lines are the program's commands and that those ran, in order (after the fresh
    /// observation of a program that ``StepProgram/refreshesFirst``).
    ///
    /// - Returns: the commands that ran, for further checks.
    @discardableResult
    static func expectShownIsRun(
        _ body: String, harness: EngineHarness, recorder: RecordingRunner, address: Address,
        probes: Set<String> = [], sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws -> [[String]] {
        let before = recorder.calls.count
        let plan = try await harness.plan(body)
        let observing = recorder.calls.count - before
        let change = try #require(plan.change(address), sourceLocation: sourceLocation)
        let rendered = HumanPlanRenderer(style: Style(colour: false), showCommands: true) {
            Session.preview($0, stack: harness.stack, registry: harness.registry)
        }.render(plan)
        let shown = rendered.split(separator: "\n").filter { $0.hasPrefix("      $ ") }.map { String($0.dropFirst(8)) }

        let provider = try #require(harness.registry.provider(named: change.provider), sourceLocation: sourceLocation)
        let context = ChangeContext(stack: harness.stack, host: change.host, privateState: change.privateState)
        let program = try provider.program(for: change, context: context)
        let planned = program.commands(os: change.host.os)
        #expect(!planned.isEmpty, sourceLocation: sourceLocation)
        #expect(shown == planned.map(\.description), sourceLocation: sourceLocation)

        let start = recorder.calls.count
        let report = await harness.apply(plan)
        #expect(report.failed.map(\.error) == [], sourceLocation: sourceLocation)
        let skip = program.refreshesFirst ? observing : 0
        // The reads a provider documents as made at apply time, before its program (the folders a write creates).
        let run = recorder.calls.dropFirst(start + skip).drop { probes.contains($0.argv.first ?? "") }
        let ran = Array(run.prefix(planned.count)).map(\.argv)
        #expect(ran == FakeFileCommands.asRun(planned).map(\.argv), sourceLocation: sourceLocation)
        return ran
    }

    static let linux = "hosts:\n  box: { transport: local, os: linux }\n"

    @Test func podmanTolerancesAreShownAndTheCommandsRunAsShown() async throws {
        let (change, runner) = try await PodmanFixtures.alreadyDoneReconnect()
        let registry = ProviderRegistry([PodmanProvider()])
        let rendered = HumanPlanRenderer(style: Style(colour: false), showCommands: true) {
            Session.preview($0, stack: PodmanFixtures.stack, registry: registry)
        }.render(Plan(stack: PodmanFixtures.stack, changes: [change]))
        #expect(
            rendered.contains(
                "      $ podman network disconnect podman ocplan-t-fixture0-full\n      # not connected is fine\n"
                    + "      $ podman network connect extra ocplan-t-fixture0-full\n      # already connected is fine\n"
            ))
        let shown = rendered.split(separator: "\n").filter { $0.hasPrefix("      $ ") }.map { String($0.dropFirst(8)) }
        let planned = try PodmanProvider().commands(for: change, context: PodmanFixtures.context())
        #expect(shown == planned.map(\.description))

        _ = try await PodmanProvider().apply(
            ApplyRequest(
                stack: PodmanFixtures.stack, host: PodmanFixtures.host, runner: runner, change: change,
                logger: Logger(label: "podman")))
        #expect(runner.unexpected.isEmpty)
        #expect(Array(runner.calls.prefix(planned.count)).map(\.argv) == planned.map(\.argv))
    }

    @Test func sysctlRuntimeWriteAndPersistenceEdit() async throws {
        let fake = FakeSysctlHost(
            values: ["net.ipv4.ip_forward": "0"], files: [SysctlFixture.file: "# kept\nvm.swappiness = 10\n"])
        let recorder = RecordingRunner(fake.runner())
        let harness = try EngineHarness(
            header: Self.linux, catalog: SpecCatalog([SysctlSpec.self]), providers: [SysctlProvider()],
            runner: recorder)
        let body = "sysctl:\n  fwd: { host: box, key: net.ipv4.ip_forward, value: \"1\", persist: true }\n"
        let ran = try await Self.expectShownIsRun(body, harness: harness, recorder: recorder, address: "sysctl.fwd")
        #expect(ran.first == ["sysctl", "-w", "net.ipv4.ip_forward=1"])
        #expect(ran.contains(["cat", "--", SysctlFixture.file]))
        #expect(
            fake.files[SysctlFixture.file]
                == "# kept\nvm.swappiness = 10\n# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n")

        // Removed from the manifest: the original value comes back and the block goes.
        try await Self.expectShownIsRun("sysctl: {}\n", harness: harness, recorder: recorder, address: "sysctl.fwd")
        #expect(fake.values["net.ipv4.ip_forward"] == "0")
        #expect(fake.files[SysctlFixture.file] == "# kept\nvm.swappiness = 10\n")
    }

    @Test func filesWriteAndRemove() async throws {
        let fake = FakeFilesHost()
        let recorder = RecordingRunner(fake.runner)
        let harness = try EngineHarness(
            header: Self.linux, catalog: SpecCatalog([FileSpec.self]), providers: [FilesProvider()], runner: recorder)
        let body = "files:\n  conf: { host: box, path: /srv/app.conf, content: \"a = 1\\n\", mode: \"0640\" }\n"
        // FilesProvider.apply first finds the folders the write creates (`stat`), to journal them.
        try await Self.expectShownIsRun(
            body, harness: harness, recorder: recorder, address: "files.conf", probes: ["stat", "ls"])
        #expect(fake.files["/srv/app.conf"] == "a = 1\n")
        try await Self.expectShownIsRun("files: {}\n", harness: harness, recorder: recorder, address: "files.conf")
        #expect(fake.files["/srv/app.conf"] == nil)
    }

    @Test func pfConfEditCheckLoadAndEnable() async throws {
        let fake = FakePfctlCLI()
        let recorder = RecordingRunner(fake)
        let harness = try EngineHarness(
            header: PFStack.header(), catalog: SpecCatalog([PFAnchorSpec.self]), providers: [PFProvider()],
            runner: recorder)
        let body = """
            pf:
              vmnet-nat:
                host: mac
                enable: true
                rules: ["nat on ${uplink} from 192.168.64.0/24 to any -> (${uplink})"]

            """
        let ran = try await Self.expectShownIsRun(body, harness: harness, recorder: recorder, address: "pf.vmnet-nat")
        #expect(ran.contains(["pfctl", "-nf", "/etc/.pf.conf.0000000001"]))
        #expect(ran.last == ["pfctl", "-E"])
        try await Self.expectShownIsRun("pf: {}\n", harness: harness, recorder: recorder, address: "pf.vmnet-nat")
    }

    @Test func iptablesTransactionBuiltFromAFreshListing() async throws {
        let fake = MiniIPTables()
        let recorder = RecordingRunner(fake.runner)
        let harness = try EngineHarness(
            header: IPTablesJumpOrderTests.header, catalog: SpecCatalog([IPTablesChainSpec.self]),
            providers: [IPTablesProvider()], runner: recorder)
        let body = """
            iptables:
              log:
                host: exit
                table: mangle
                chain: OC_LOG
                rules: ["-j LOG --log-prefix \\"OC_LOG \\""]
                hook: { chain: FORWARD }

            """
        let ran = try await Self.expectShownIsRun(body, harness: harness, recorder: recorder, address: "iptables.log")
        #expect(ran == [["iptables-restore", "-w", "5", "--noflush"]])
        try await Self.expectShownIsRun("iptables: {}\n", harness: harness, recorder: recorder, address: "iptables.log")
        #expect(fake.userChains.isEmpty)
    }

    @Test func appleContainerNetworkAndContainer() async throws {
        let fake = FakeAppleContainerCLI()
        let recorder = RecordingRunner(fake)
        let harness = try EngineHarness(
            header: "hosts:\n  mac: { transport: local, os: macos }\n",
            catalog: SpecCatalog([NetworkSpec.self, ContainerSpec.self]), providers: [AppleContainerProvider()],
            runner: recorder)
        let body = "networks:\n  oc-internal: { host: mac, runtime: apple, internal: true, subnet: 10.89.10.0/24 }\n"
        try await Self.expectShownIsRun(body, harness: harness, recorder: recorder, address: "networks.oc-internal")
        try await Self.expectShownIsRun(
            "networks: {}\n", harness: harness, recorder: recorder, address: "networks.oc-internal")
    }
}
