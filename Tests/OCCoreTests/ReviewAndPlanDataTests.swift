import Foundation
import OCCore
import OCTestSupport
import Synchronization
import Testing

/// The in-memory provider with a review and plan data of the test's choosing.
struct Reviewed: Provider {
    let base: InMemoryProvider
    var review: @Sendable (Change) -> Review = { _ in .none }
    var planData: Value?

    var name: String { base.name }
    var sections: [String] { base.sections }
    func schema(for section: String) -> ResourceSchema { base.schema(for: section) }
    func prerequisites(on host: OCCore.Host) -> [Prerequisite] { base.prerequisites(on: host) }
    func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        try base.desiredState(of: declaration, context: context)
    }
    func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
        var response = try await base.observe(request)
        for address in response.observations.keys { response.observations[address]?.planData = planData }
        return response
    }
    func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        try base.program(for: change, context: context)
    }
    func review(_ change: Change, context: ChangeContext) -> Review { review(change) }
    func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
        // Leaves a reviewed-as-kept object in place, as a provider that runs nothing for it does.
        if request.change.reason == .notCreatedByStack { return ApplyResponse(observed: request.change.before) }
        return try await base.apply(request)
    }
}

@Suite struct ReviewAndPlanDataTests {
    static func harness(_ provider: Reviewed) throws -> EngineHarness {
        try EngineHarness(catalog: SpecCatalog([ThingSpec.self]), providers: [provider], runner: ScriptedRunner())
    }

    @Test func aDeleteReviewedAsNotCreatedByTheStackIsLeftInPlaceWithoutBeingAFailure() async throws {
        let world = InMemoryWorld()
        let provider = Reviewed(
            base: InMemoryProvider(world: world),
            review: { $0.action == .delete ? Review(notes: ["kept by review"], reason: .notCreatedByStack) : .none })
        let harness = try Self.harness(provider)
        try await harness.converge("things:\n  a: { value: one }\n")

        let plan = try await harness.plan("things: {}\n")
        let change = try #require(plan.change("things.a"))
        #expect(change.action == .delete)
        #expect(change.reason == .notCreatedByStack)
        #expect(
            change.notes == [
                "kept by review", "it stays on the host; the stack stops managing it",
            ])
        let report = await harness.apply(plan)
        #expect(report.succeeded, "the object is still there, as the review said: not a failed delete")
        #expect(await harness.journal.entries["things.a"] == nil)

        // Saved and read back, the reason stays.
        let decoded = try JSONDecoder().decode(Change.self, from: try JSONEncoder().encode(change))
        #expect(decoded.reason == .notCreatedByStack)
    }

    @Test func aRefusalIsAPlanErrorNamingTheResource() async throws {
        let provider = Reviewed(
            base: InMemoryProvider(world: InMemoryWorld()),
            review: { $0.action == .create ? Review(refusals: ["it would delete its data"]) : .none })
        let (plan, diagnostics) = try await Self.harness(provider).attempt("things:\n  a: { value: one }\n")
        #expect(plan == nil)
        let error = try #require(diagnostics.items.first { $0.severity == .error })
        #expect(error.summary == "things.a cannot be created")
        #expect(error.detail == "it would delete its data")
        #expect(error.location != nil, "located at the resource in the manifest")
    }

    @Test func aReplaceSaysWhichAttributesForceIt() async throws {
        let harness = try Self.harness(Reviewed(base: InMemoryProvider(world: InMemoryWorld())))
        try await harness.converge("things:\n  a: { value: one, kind: x }\n")
        let plan = try await harness.plan("things:\n  a: { value: one, kind: y }\n")
        #expect(plan.change("things.a")?.reason == .replaceBecauseOf([ValuePath("kind")]))
    }

    @Test func planDataTravelsBesideTheTreeIntoTheChangeAndTheFingerprint() async throws {
        let world = InMemoryWorld()
        let harness = try Self.harness(Reviewed(base: InMemoryProvider(world: world), planData: ["file": "v1"]))
        try await harness.converge("things:\n  a: { value: one }\n")
        let plan = try await harness.plan("things:\n  a: { value: two }\n")
        let change = try #require(plan.change("things.a"))
        #expect(change.planData == ["file": "v1"])
        #expect(change.attributes.map(\.path) == [ValuePath("value")], "plan data is never diffed")
        #expect(change.before?["file"] == .null, "nor part of the observed tree")
        let decoded = try JSONDecoder().decode(Change.self, from: try JSONEncoder().encode(change))
        #expect(decoded.planData == ["file": "v1"])

        let value = change.before
        #expect(
            Planner.fingerprint(Observation(value: value, ownership: .ours, planData: ["file": "v1"]))
                != Planner.fingerprint(Observation(value: value, ownership: .ours, planData: ["file": "v2"])),
            "a file edited since the plan makes a saved plan stale")
        #expect(
            Planner.fingerprint(Observation(value: value, ownership: .ours))
                == Planner.fingerprint(Observation(value: value, ownership: .ours, planData: nil)))
    }
}
