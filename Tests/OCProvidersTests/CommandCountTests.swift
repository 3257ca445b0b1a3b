import Foundation
import OCAppleContainer
import OCContainerModel
import OCCore
import OCPacketFilter
import OCTestSupport
import Testing

/// How many commands an apply runs per action through the real engine, against the stateful doubles: each
/// action costs the same however many resources the stack has, and a no-op plan's observation is the same for
/// every size, so that growth is caught. (Podman's are pinned in `PodmanCommandCountTests`.)
@Suite struct CommandCountTests {
    static func appleManifest(_ count: Int) -> String {
        "containers:\n"
            + (0..<count).map {
                "  c\($0): { host: mac, runtime: apple, image: docker.io/library/alpine:3.20, command: [sleep, \"1000\"] }\n"
            }.joined()
    }

    /// Apple `container`: a create is one `container run` and a read-back of the status and the two lists.
    @Test func anAppleContainerCreateRunsFourCommandsWhateverTheSize() async throws {
        var perAction: [Int: Int] = [:]
        var observation: [Int: Int] = [:]
        for count in [1, 5] {
            let stack = try AppleContainerStack()
            let plan = try await stack.harness.plan(Self.appleManifest(count))
            stack.fake.resetCalls()
            let report = await stack.apply(plan)
            #expect(report.succeeded, "\(report.failed.map(\.error))")
            #expect(stack.fake.mutatingCalls.count == count, "\(stack.fake.mutatingCalls.map(\.argv))")
            perAction[count] = stack.fake.calls.count / count
            #expect(stack.fake.calls.count % count == 0)

            stack.fake.resetCalls()
            #expect(try await !stack.harness.plan(Self.appleManifest(count)).hasChanges)
            observation[count] = stack.fake.calls.count
        }
        #expect(perAction == [1: 4, 5: 4], "container run, then system status, network and container lists")
        #expect(observation == [1: 3, 5: 3], "a no-op plan is the same three commands for every size")
    }

    /// pf (one anchor per host): a create edits pf.conf through a checked temp file (eight commands), loads it and
    /// the anchor and enables pf (three), then reads back that anchor only (nine: the status, the main ruleset,
    /// pf.conf, the anchor's rules and its dry run, the anchor and boot files); a no-op plan is the uplink's
    /// `route get` and the same nine.
    @Test func aPfAnchorCreateAndANoOpPlanRunAFixedNumberOfCommands() async throws {
        let stack = try PFStack()
        let plan = try await stack.plan(PFEngineTests.manifest)
        stack.fake.resetCalls()
        let report = await stack.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        #expect(stack.fake.calls.count == 20, "\(stack.fake.callArgvs)")
        stack.fake.resetCalls()
        #expect(try await !stack.plan(PFEngineTests.manifest).hasChanges)
        #expect(stack.fake.calls.count == 10, "\(stack.fake.callArgvs)")
    }
}
