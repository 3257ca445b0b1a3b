import Foundation
import Logging
import OCContainerModel
import OCCore
import OCTestSupport
import Testing

@testable import OCPodman

/// How many commands Podman work runs, pinned so that growth is caught: an action reads back only its object,
/// and observing N containers runs the same commands for every N.
@Suite struct PodmanCommandCountTests {
    @Test func aContainerCreateIsOneCommandAndAReadBackOfThatContainerAndItsImage() async throws {
        let tree = try await PodmanFixtures.desired(PodmanCommandsTests.full)
        let runner = ScriptedRunner()
        runner.expect(
            prefix: ["podman", "run", "--detach", "--name", "ocplan-t-fixture0-full"],
            result: CommandResult(exitStatus: 0, stdout: "id\n"))
        try PodmanFixtures.addRecordings(to: runner)
        let response = try await PodmanCommandsTests.apply(
            PodmanFixtures.change(PodmanCommandsTests.full, .create, before: nil, after: tree), runner: runner)

        #expect(runner.calls.count == 3, "\(runner.callArgvs)")
        #expect(runner.mutatingCalls.count == 1)
        #expect(
            Set(runner.callArgvs.dropFirst()) == [
                ["podman", "container", "inspect", "ocplan-t-fixture0-full"],
                ["podman", "image", "inspect", "localhost/ocplan-busybox:ocplan-t-fixture0"],
            ])
        let observed = try #require(response.observed)
        #expect(Differ.diff(observed, tree, schema: PodmanProvider().schema(for: "containers")).isEmpty)
    }

    @Test func onlyAReplaceChecksTheImageFirst() async throws {
        let tree = try await PodmanFixtures.desired(PodmanCommandsTests.full)
        let provider = PodmanProvider()
        let create = PodmanFixtures.change(PodmanCommandsTests.full, .create, before: nil, after: tree)
        #expect(try provider.preconditions(for: create, context: PodmanFixtures.context()).isEmpty)
        var before = tree
        before["env"]["FOO"] = "old"
        let replace = PodmanFixtures.change(PodmanCommandsTests.full, .replace, before: before, after: tree)
        #expect(
            try provider.preconditions(for: replace, context: PodmanFixtures.context()).map(\.command.argv) == [
                ["podman", "image", "exists", "--", "localhost/ocplan-busybox:ocplan-t-fixture0"]
            ])
    }

    @Test func aContainerDeleteIsOneCommand() async throws {
        let tree = try await PodmanFixtures.desired(PodmanCommandsTests.full)
        let runner = ScriptedRunner()
        runner.expect(argv: ["podman", "rm", "--force", "--ignore", "--time", "10", "--", "ocplan-t-fixture0-gone"])
        let gone = Address("containers", "ocplan-t-fixture0-gone")
        let response = try await PodmanCommandsTests.apply(
            PodmanFixtures.change(gone, .delete, before: tree, after: nil), runner: runner)
        #expect(response.observed == nil)
        #expect(
            runner.callArgvs == [
                ["podman", "rm", "--force", "--ignore", "--time", "10", "--", "ocplan-t-fixture0-gone"]
            ])
    }

    @Test(arguments: [1, 10, 100])
    func observingNContainersRunsTheCommandsOfOne(count: Int) async throws {
        let tree = try await PodmanFixtures.desired(PodmanCommandsTests.full)
        let runner = ScriptedRunner()
        runner.expect(
            ScriptedRunner.Expectation(
                .prefix(["podman"]), response: .result(CommandResult(exitStatus: 0, stdout: "[]\n")), repeating: true))
        let targets = (0..<count).map {
            ObserveTarget(address: Address("containers", "ocplan-t-count-\($0)"), desired: tree, lastApplied: nil)
        }
        _ = try await PodmanProvider().observe(
            ObserveRequest(
                stack: PodmanFixtures.stack, host: PodmanFixtures.host, runner: runner, targets: targets,
                logger: Logger(label: "podman")))
        // ps, network ls, volume ls, images; then container inspect and network inspect (the networks joined).
        #expect(runner.calls.count == 6, "\(runner.callArgvs.map { $0.prefix(3).joined(separator: " ") })")
        #expect(runner.calls.allSatisfy { !$0.mutating })
    }
}
