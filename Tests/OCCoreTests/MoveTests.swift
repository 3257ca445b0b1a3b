import Foundation
import OCCore
import OCTestSupport
import Testing

/// A provider of `things` under another name: a resource whose provider changes (a container's `runtime`).
struct RenamedProvider: Provider {
    let base: InMemoryProvider
    let name: String
    var sections: [String] { base.sections }
    func schema(for section: String) -> ResourceSchema { base.schema(for: section) }
    func prerequisites(on host: OCCore.Host) -> [Prerequisite] { [] }
    func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        try base.desiredState(of: declaration, context: context)
    }
    func observe(_ request: ObserveRequest) async throws -> ObserveResponse { try await base.observe(request) }
    func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        try base.program(for: change, context: context)
    }
    func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
        var request = request
        request.change.provider = base.name
        return try await base.apply(request)
    }
}

/// Moves: a resource whose host or provider changed is destroyed where it was, then created where it is declared.
@Suite struct MoveTests {
    static let body = "things:\n  a: { value: one }\n"

    @Test func aResourceWhoseProviderChangesIsReplacedAcrossProviders() async throws {
        let world = InMemoryWorld()
        let first = try EngineHarness(
            catalog: SpecCatalog([ThingSpec.self]), providers: [InMemoryProvider(world: world)],
            runner: ScriptedRunner())
        _ = try await first.converge(Self.body)
        let second = try EngineHarness(
            catalog: SpecCatalog([ThingSpec.self]),
            providers: [
                RenamedProvider(base: InMemoryProvider(world: world), name: "other"), InMemoryProvider(world: world),
            ],
            runner: { _ in ScriptedRunner() }, stateDirectory: first.stateDirectory)
        let plan = try await second.plan(Self.body)
        let change = try #require(plan.actions.first)
        #expect(plan.actions.count == 1)
        #expect(change.action == .replace)
        #expect(change.provider == "other")
        #expect(change.move?.provider == "memory")
        #expect(change.notes.first == "moves from provider memory: destroyed there first")
        // A saved plan keeps the move (the destroy where it was).
        let decoded = try JSONDecoder().decode(Change.self, from: try JSONEncoder().encode(change))
        #expect(decoded.move == change.move)
        let report = await second.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        #expect(world.operations.suffix(2) == ["delete a", "create a"])
        #expect(await second.journal.entry("things.a")?.provider == "other")
        #expect(!(try await second.plan(Self.body)).hasChanges)
    }

    @Test func aDestroyOfAMovedResourceDeletesItWhereItIs() async throws {
        let world = InMemoryWorld()
        let harness = try EngineHarness(
            header: "hosts:\n  b: { transport: local }\n", catalog: SpecCatalog([ThingSpec.self]),
            providers: [InMemoryProvider(world: world)], runner: ScriptedRunner())
        _ = try await harness.converge(Self.body)
        let moved = "things:\n  a: { host: b, value: one }\n"
        let destroy = try await harness.plan(moved, options: PlanOptions(destroy: true))
        let change = try #require(destroy.actions.first)
        #expect(destroy.actions.count == 1)
        #expect(change.action == .delete)
        #expect(change.host.name == "local", "destroyed where it was applied")
        #expect(await harness.apply(destroy).succeeded)
        #expect(world.objects["a"] == nil)
        #expect(await harness.journal.entry("things.a") == nil)
    }
}
