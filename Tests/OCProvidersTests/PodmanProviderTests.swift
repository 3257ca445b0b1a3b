import Foundation
import Logging
import OCContainerModel
import OCCore
import OCTestSupport
import Testing

@testable import OCPodman

/// The Podman provider against outputs recorded from Podman 4.3.1 (`Fixtures/podman-4.3.1`).
@Suite struct PodmanProviderTests {
    @Test func sectionsSchemaAndPrerequisites() {
        let provider = PodmanProvider()
        #expect(provider.sections == ["networks", "containers", "volumes", "images"])
        #expect(provider.prerequisites(on: .local).map(\.tool) == ["podman"])
        #expect(
            provider.prerequisites(on: OCCore.Host(name: "mac", transport: .local, os: .macos)).first?.install
                == "brew install podman && podman machine init && podman machine start (macOS, Homebrew)")
        #expect(
            provider.prerequisites(on: OCCore.Host(name: "vm", transport: .ssh)).first?.install
                == "apt-get install podman runc (Debian/Ubuntu)")

        let containers = provider.schema(for: "containers")
        #expect(containers.replacedWith == ["networks", "volumes", "images"])
        #expect(!containers.forcesReplace(ValuePath("state")))
        #expect(!containers.forcesReplace(ValuePath("networks.lab.aliases")))
        #expect(containers.forcesReplace(ValuePath("env.FOO")))
        #expect(containers.forcesReplace(ValuePath("imageCurrent")))
        #expect(containers.isIgnored(ValuePath("networkOrder")))
        #expect(provider.schema(for: "networks").forcesReplace(ValuePath("subnet")))
        #expect(!provider.schema(for: "volumes").forcesReplace(ValuePath("deleteData")))
        #expect(provider.schema(for: "volumes").forcesReplace(ValuePath("driver")))
        #expect(provider.schema(for: "images").forcesReplace(ValuePath("buildHash")))
        #expect(!provider.schema(for: "images").forcesReplace(ValuePath("current")))
    }

    @Test func managesPodmanRuntimeContainersAndNetworksAndEveryVolumeAndImage() async throws {
        let edit = { (text: String) in
            text + """

                  apple-one:
                    image: docker.io/library/alpine:3.20
                    runtime: apple
                    host: local

                """
        }
        try await PodmanFixtures.withManifest(edit) { manifest in
            let managed = manifest.resources.filter { PodmanProvider().manages($0) }.map(\.address.name)
            #expect(!managed.contains("apple-one"))
            #expect(managed.count == manifest.resources.count - 1)
        }
    }

    @Test func planningTheRecordedStackChangesNothingAndRunsNoMutatingCommand() async throws {
        let runner = try PodmanFixtures.runner()
        let state = try TempDirectory(prefix: "ocplan-podman-state")
        let journal = try StateJournal(stack: PodmanFixtures.stack, stateDirectory: state.path)
        let context = PodmanFixtures.engine(runner: runner, journal: journal)
        let (plan, diagnostics) = try await PodmanFixtures.withManifest {
            await Planner(context: context, environment: [:]).plan($0)
        }
        let checked = try #require(plan, "\(diagnostics.errors)")
        #expect(diagnostics.errors.isEmpty)
        #expect(checked.changes.count == 5)
        #expect(checked.actions.map(\.address) == [], "\(checked.actions.map { ($0.address, $0.attributes) })")
        let report = await Applier(context: context).apply(checked)
        #expect(report.succeeded)
        #expect(runner.mutatingCalls.isEmpty)
        #expect(runner.unexpected.isEmpty)
    }

    @Test func observationIsBatchedIntoOneListAndOneInspectPerKind() async throws {
        let runner = try PodmanFixtures.runner()
        let response = try await PodmanFixtures.withManifest {
            try await PodmanFixtures.observe(try PodmanFixtures.targets($0), runner: runner)
        }
        #expect(response.observations.count == 5)
        #expect(runner.unexpected.isEmpty)
        let programs = runner.callArgvs.map { Array($0.dropFirst().prefix(2)) }
        #expect(
            Set(programs.map { $0.joined(separator: " ") }) == [
                "network ls", "volume ls", "ps -a", "network inspect", "container inspect", "image inspect",
            ])
        #expect(runner.calls.count == 6, "one list and one inspect per kind, never one call per resource")
        // The lists print what inspect does: only the default network, which is not the stack's, is inspected,
        // and the stack's volume not at all; one inspect covers the images the manifest names and the containers
        // run (no `podman images` of the whole store).
        #expect(runner.callArgvs.contains(["podman", "network", "inspect", "podman"]))
        #expect(!runner.callArgvs.contains { $0.starts(with: ["podman", "volume", "inspect"]) })
        #expect(runner.calls.allSatisfy { !$0.mutating })
    }

    @Test func anUnownedLookAlikeIsForeignWithANoteAndAMissingOneIsAbsent() async throws {
        let runner = try PodmanFixtures.runner()
        let response = try await PodmanFixtures.observe(
            [
                ObserveTarget(address: PodmanFixtures.address("containers", "foreign"), desired: nil),
                ObserveTarget(address: PodmanFixtures.address("containers", "missing"), desired: nil),
            ], runner: runner)
        let foreign = try #require(response.observations[PodmanFixtures.address("containers", "foreign")])
        #expect(foreign.ownership == .foreign)
        #expect(foreign.note?.contains("was not created by ocplan") == true)
        #expect(foreign.value?["owner"] == .null)
        #expect(foreign.value?["capDrop"] == PodmanTree.unknown, "no spec hash: what it drops is unknown")
        #expect(response.observations[PodmanFixtures.address("containers", "missing")]?.exists == false)
        // The stack's own containers that were not asked for are discovered (planned for deletion).
        #expect(
            Set(response.discovered.keys) == [
                PodmanFixtures.address("containers", "full"), PodmanFixtures.address("containers", "idle"),
                PodmanFixtures.address("networks", "int"),
            ])
        #expect(response.discovered.values.allSatisfy { $0.ownership == .ours })
        #expect(runner.mutatingCalls.isEmpty)
    }

    @Test func aForeignContainerWithAManagedNameIsAPlanErrorNamingAdopt() async throws {
        let runner = try PodmanFixtures.runner()
        // The look-alike is declared in the manifest; the runner answers its inspect with the recorded one.
        let state = try TempDirectory(prefix: "ocplan-podman-state")
        let context = PodmanFixtures.engine(
            runner: runner, journal: try StateJournal(stack: PodmanFixtures.stack, stateDirectory: state.path))
        let edit = { (text: String) in
            text + """

                  \(PodmanFixtures.name("foreign")):
                    image: localhost/ocplan-busybox:ocplan-t-fixture0
                    command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]

                """
        }
        runner.expect(
            argv: [
                "podman", "container", "inspect", PodmanFixtures.name("foreign"), PodmanFixtures.name("full"),
                PodmanFixtures.name("idle"),
            ],
            result: try PodmanFixtures.result(
                try #require(try PodmanFixtures.recordings().first { $0.exitStatus == 125 })),
            repeating: true)
        let (plan, diagnostics) = try await PodmanFixtures.withManifest(edit) {
            await Planner(context: context, environment: [:]).plan($0)
        }
        #expect(plan == nil)
        let error = try #require(diagnostics.errors.first)
        #expect(error.detail?.contains("--adopt containers.\(PodmanFixtures.name("foreign"))") == true)
        #expect(runner.mutatingCalls.isEmpty)
    }

    @Test func aContainerOnANetworkThatExistsNowhereIsAnErrorNamingBoth() async throws {
        let runner = try PodmanFixtures.runner()
        let edit = { (text: String) in
            text.replacingOccurrences(of: "networks: [ocplan-t-fixture0-int]", with: "networks: [zz-nowhere]")
        }
        let recorded = try PodmanFixtures.result(["podman", "network", "inspect", PodmanFixtures.name("int"), "podman"])
        runner.expect(
            argv: ["podman", "network", "inspect", PodmanFixtures.name("int"), "podman", "zz-nowhere"],
            result: CommandResult(
                exitStatus: 125, stdout: recorded.stdout,
                stderr: Data(
                    "Error: inspecting object: network zz-nowhere: unable to find network with name or ID zz-nowhere: network not found\n"
                        .utf8)),
            repeating: true)
        let response = try await PodmanFixtures.withManifest(edit) {
            try await PodmanFixtures.observe(try PodmanFixtures.targets($0), runner: runner)
        }
        let error = try #require(response.diagnostics.first { $0.severity == .error })
        #expect(error.summary.contains("containers.\(PodmanFixtures.name("idle")) joins network 'zz-nowhere'"))
        #expect(error.address == PodmanFixtures.address("containers", "idle"))
    }

    @Test func inspectFailuresOtherThanMissingNamesAreErrors() async throws {
        let runner = ScriptedRunner()
        runner.expect(prefix: ["podman", "network", "ls"], result: CommandResult(exitStatus: 0, stdout: "[]"))
        runner.expect(prefix: ["podman", "volume", "ls"], result: CommandResult(exitStatus: 0, stdout: "[]"))
        runner.expect(prefix: ["podman", "ps"], result: CommandResult(exitStatus: 0, stdout: "[]"))
        runner.expect(
            argv: ["podman", "network", "inspect", "lab"],
            result: CommandResult(exitStatus: 125, stdout: "", stderr: "Error: database is locked\n"))
        await #expect(throws: CommandFailure.self) {
            _ = try await PodmanFixtures.observe(
                [ObserveTarget(address: Address("networks", "lab"), desired: nil)], runner: runner)
        }
    }

    @Test func aMissingPodmanIsAMissingTool() async throws {
        let runner = ScriptedRunner()
        for prefix in [["podman", "network", "ls"], ["podman", "volume", "ls"], ["podman", "ps"]] {
            runner.expect(Expectation(.prefix(prefix), response: .failure(.toolMissing), repeating: true))
        }
        do {
            _ = try await PodmanFixtures.observe(
                [ObserveTarget(address: Address("networks", "lab"), desired: nil)], runner: runner)
            Issue.record("observe should throw")
        } catch let failure as CommandFailure {
            #expect(failure.reason == .toolMissing)
        }
    }

    @Test(arguments: [ImageSpec.PullPolicy.missing, .never])
    func aPresentImageIsInSyncWithoutARegistry(_ pull: ImageSpec.PullPolicy) async throws {
        let runner = try PodmanFixtures.runner()
        let address = Address("images", "busybox")
        let desired = try PodmanDesiredState.image(
            ImageSpec(reference: "ocplan-busybox:ocplan-t-fixture0", pull: pull), resolve: { $0 })
        let response = try await PodmanFixtures.observe(
            [ObserveTarget(address: address, desired: desired)], runner: runner)
        let observed = try #require(response.observations[address])
        #expect(observed.ownership == .ours)
        #expect(Differ.diff(observed.value, desired, schema: PodmanProvider().schema(for: "images")).isEmpty)
        #expect(runner.mutatingCalls.isEmpty)

        let always = try PodmanDesiredState.image(
            ImageSpec(reference: "ocplan-busybox:ocplan-t-fixture0", pull: .always), resolve: { $0 })
        let pulled = try await PodmanFixtures.observe(
            [ObserveTarget(address: address, desired: always)], runner: runner)
        let attributes = Differ.diff(
            pulled.observations[address]?.value, always, schema: PodmanProvider().schema(for: "images"))
        #expect(attributes.map(\.path) == [ValuePath("current")], "pull: always pulls on every apply")
        #expect(!attributes.contains { $0.forcesReplace })
    }
}

private typealias Expectation = ScriptedRunner.Expectation
