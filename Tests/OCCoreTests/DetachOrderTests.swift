import Foundation
import Logging
import OCCore
import OCTestSupport
import Synchronization
import Testing

/// A destroy waits for every change that detaches from it, in-place updates included.
@Suite struct DetachOrderTests {
    /// A network that refuses to go while a container is still attached to it (as `podman network rm` does).
    final class World: Sendable {
        let attached = Mutex(true)
        let log = Mutex<[String]>([])
    }

    struct AttachProvider: Provider {
        let world: World
        let name = "attach"
        let sections = ["networks", "containers"]
        func schema(for section: String) -> ResourceSchema { ResourceSchema() }
        func prerequisites(on host: OCCore.Host) -> [Prerequisite] { [] }
        func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value { [:] }
        func observe(_ request: ObserveRequest) async throws -> ObserveResponse { ObserveResponse() }
        func program(for change: Change, context: ChangeContext) throws -> StepProgram { StepProgram() }
        func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
            let change = request.change
            world.log.withLock { $0.append("\(change.action) \(change.address)") }
            if change.address.section == "containers" { world.attached.withLock { $0 = false } }
            if change.address.section == "networks", change.action == .delete, world.attached.withLock({ $0 }) {
                throw OCError(.commandFailed, "network is being used")
            }
            return ApplyResponse(observed: change.after)
        }
    }

    @Test(arguments: [1, 10])
    func aNetworkIsDestroyedAfterTheUpdateThatDetachesItsLastContainer(parallelism: Int) async throws {
        let world = World()
        let state = try TempDirectory()
        let context = EngineContext(
            registry: ProviderRegistry([AttachProvider(world: world)]), runner: { _ in ScriptedRunner() },
            journal: try StateJournal(stack: "lab", stateDirectory: state.path), logger: Logger(label: "t"))
        // The delete comes first in the plan, so a walker that does not wait runs it first.
        var update = Change(
            address: "containers.a", provider: "attach", host: .local, action: .update, cause: .manifest,
            before: ["networks": ["int"]], after: ["networks": ["podman"]])
        update.formerDependencies = ["networks.int"]
        let plan = Plan(
            stack: "lab",
            changes: [
                Change(
                    address: "networks.int", provider: "attach", host: .local, action: .delete, cause: .manifest,
                    before: [:], after: nil),
                update,
            ])
        let report = await Applier(context: context, parallelism: parallelism).apply(plan)
        #expect(report.failed.map(\.error) == [])
        #expect(world.log.withLock { $0 } == ["update containers.a", "delete networks.int"])
    }
}
