import Foundation
import Logging
import OCCore
import OCTestSupport
import Synchronization
import Testing

/// A replace destroys nothing before its replacement can be made: its destroy waits for the replacement's new
/// dependencies, and the provider's preconditions run first.
@Suite struct ReplaceOrderTests {
    /// Records what runs; an image build can be made to fail, and the container's precondition to be unmet.
    final class World: Sendable {
        let log = Mutex<[String]>([])
        let failing = Mutex<Set<Address>>([])
    }

    struct OrderProvider: Provider {
        let world: World
        let name = "order"
        let sections = ["images", "networks", "containers"]
        func schema(for section: String) -> ResourceSchema { ResourceSchema() }
        func prerequisites(on host: OCCore.Host) -> [Prerequisite] { [] }
        func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value { [:] }
        func observe(_ request: ObserveRequest) async throws -> ObserveResponse { ObserveResponse() }
        func program(for change: Change, context: ChangeContext) throws -> StepProgram { StepProgram() }
        func preconditions(for change: Change, context: ChangeContext) throws -> [Precondition] {
            guard change.address.section == "containers", let image = change.after?["image"].stringValue else {
                return []
            }
            return [
                Precondition(
                    Command(["image-exists", image]),
                    unmet: "image \(image) does not exist on host \(context.host.name); the running container is left "
                        + "in place")
            ]
        }
        func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
            let change = request.change
            world.log.withLock { $0.append("\(change.action) \(change.address)") }
            if world.failing.withLock({ $0.contains(change.address) }) {
                throw OCError(.commandFailed, "build failed")
            }
            return ApplyResponse(observed: change.after)
        }
    }

    static func change(
        _ address: Address, _ action: Action, image: String? = nil, dependencies: [Address] = []
    ) -> Change {
        let tree: Value = image.map { ["image": .string($0)] } ?? [:]
        return Change(
            address: address, provider: "order", host: .local, action: action, cause: .manifest,
            before: action == .create ? nil : [:], after: action == .delete ? nil : tree, dependencies: dependencies)
    }

    static func apply(_ changes: [Change], world: World, runner: ScriptedRunner, parallelism: Int) async throws
        -> ApplyReport
    {
        let state = try TempDirectory()
        let context = EngineContext(
            registry: ProviderRegistry([OrderProvider(world: world)]), runner: { _ in runner },
            journal: try StateJournal(stack: "lab", stateDirectory: state.path), logger: Logger(label: "t"))
        return await Applier(context: context, parallelism: parallelism).apply(Plan(stack: "lab", changes: changes))
    }

    static func runner(whereImageExists image: String) -> ScriptedRunner {
        let runner = ScriptedRunner()
        runner.expect(argv: ["image-exists", image], repeating: true)
        return runner
    }

    /// The container comes first in the plan, so a walker that does not wait destroys it first.
    static let replaceOntoNewImage = [
        change("containers.app", .replace, image: "localhost/app:2", dependencies: ["images.app"]),
        change("images.app", .create),
    ]

    @Test(arguments: [1, 10])
    func aReplaceWaitsForTheNewImageBeforeDestroying(parallelism: Int) async throws {
        let world = World()
        let runner = Self.runner(whereImageExists: "localhost/app:2")
        let report = try await Self.apply(
            Self.replaceOntoNewImage, world: world, runner: runner, parallelism: parallelism)
        #expect(report.failed.map(\.error) == [])
        #expect(world.log.withLock { $0 } == ["create images.app", "delete containers.app", "create containers.app"])
        #expect(runner.callArgvs == [["image-exists", "localhost/app:2"]], "checked once, before the destroy")
    }

    @Test(arguments: [1, 10])
    func aFailedBuildSkipsTheWholeReplace(parallelism: Int) async throws {
        let world = World()
        world.failing.withLock { _ = $0.insert("images.app") }
        let report = try await Self.apply(
            Self.replaceOntoNewImage, world: world, runner: ScriptedRunner(), parallelism: parallelism)
        #expect(report.failed.map(\.change.address) == ["images.app"])
        #expect(report.skipped.map(\.change.address) == ["containers.app"])
        #expect(world.log.withLock { $0 } == ["create images.app"], "the old container is never destroyed")
    }

    @Test func anUnmetPreconditionFailsTheReplaceBeforeItDestroys() async throws {
        let world = World()
        let runner = ScriptedRunner()
        runner.expect(argv: ["image-exists", "localhost/nope:1"], result: CommandResult(exitStatus: 1))
        let report = try await Self.apply(
            [Self.change("containers.app", .replace, image: "localhost/nope:1")], world: world, runner: runner,
            parallelism: 10)
        #expect(
            report.failed.map(\.error) == [
                "image localhost/nope:1 does not exist on host local; the running container is left in place"
            ])
        #expect(world.log.withLock { $0 } == [], "nothing destroyed, nothing created")
        #expect(report.applied.isEmpty)
    }

    @Test func aCheckThatCannotRunIsAFailureNotAnUnmetCondition() async throws {
        let world = World()
        let runner = ScriptedRunner()
        runner.expect(
            argv: ["image-exists", "localhost/app:1"], result: CommandResult(exitStatus: 125, stderr: Data("boom".utf8))
        )
        let report = try await Self.apply(
            [Self.change("containers.app", .create, image: "localhost/app:1")], world: world, runner: runner,
            parallelism: 10)
        #expect(report.failed.count == 1)
        #expect(report.failed.first?.error.contains("125") == true, "\(report.failed.map(\.error))")
        #expect(world.log.withLock { $0 } == [])
    }

    @Test(arguments: [1, 10])
    func aReplacedDependencyStillDestroysAfterItsDependents(parallelism: Int) async throws {
        // Waiting for the new network would close a cycle (its destroy waits for the container's): left out.
        let world = World()
        let runner = Self.runner(whereImageExists: "localhost/app:1")
        let report = try await Self.apply(
            [
                Self.change("networks.int", .replace),
                Self.change("containers.app", .replace, image: "localhost/app:1", dependencies: ["networks.int"]),
            ], world: world, runner: runner, parallelism: parallelism)
        #expect(report.failed.map(\.error) == [])
        #expect(
            world.log.withLock { $0 } == [
                "delete containers.app", "delete networks.int", "create networks.int", "create containers.app",
            ])
    }
}
