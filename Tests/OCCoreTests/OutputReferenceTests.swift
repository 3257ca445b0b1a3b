import Foundation
import OCCore
import OCTestSupport
import Testing

/// Values passed between resources: `${SECTION.NAME.OUTPUT}` is `(known after apply)` while its producer changes,
/// resolved just before the consumer runs, and the journaled value once the producer is unchanged.
@Suite struct OutputReferenceTests {
    static func harness() throws -> (EngineHarness, InMemoryWorld) {
        let world = InMemoryWorld()
        let harness = try EngineHarness(
            catalog: SpecCatalog([ThingSpec.self]), providers: [InMemoryProvider(world: world)],
            runner: ScriptedRunner())
        return (harness, world)
    }

    static let body = """
        things:
          reader: { value: "peer=${things.source.id}" }
          source: { value: one }

        """

    @Test func aProducerCreatedInThisRunIsKnownAfterApplyThenResolvedBeforeTheConsumerRuns() async throws {
        let (harness, world) = try Self.harness()
        let plan = try await harness.plan(Self.body)
        let reader = try #require(plan.change("things.reader"))
        #expect(reader.dependencies == ["things.source"], "a reference is a dependency edge")
        #expect(plan.outputReferences.count == 1)
        #expect(plan.displayed.change("things.reader")?.after?["value"] == "peer=(known after apply)")
        #expect(plan.change("things.reader")?.after?["value"].stringValue?.contains("known") == false)

        let report = await harness.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        #expect(world.objects["reader"]?.value["value"] == "peer=source-1")
        #expect(await harness.journal.entry("things.source")?.outputs?["id"] == "source-1")

        // Unchanged producer: the value is known at plan time, and nothing differs.
        let again = try await harness.plan(Self.body)
        #expect(!again.hasChanges, "\(again.actions.map { ($0.address, $0.attributes.map(\.path)) })")
        #expect(again.outputReferences.isEmpty)
    }

    @Test func aReplacedProducerMakesTheConsumerAnUpdateWithTheNewValue() async throws {
        let (harness, world) = try Self.harness()
        _ = try await harness.converge(Self.body)
        let replaced = Self.body.replacingOccurrences(of: "value: one }", with: "value: one, kind: b }")
        let plan = try await harness.plan(replaced)
        #expect(plan.change("things.source")?.action == .replace)
        #expect(plan.change("things.reader")?.action == .update)
        #expect(plan.displayed.change("things.reader")?.after?["value"] == "peer=(known after apply)")
        #expect(await harness.apply(plan).succeeded)
        let id = try #require(await harness.journal.entry("things.source")?.outputs?["id"].stringValue)
        #expect(id != "source-1")
        #expect(world.objects["reader"]?.value["value"] == .string("peer=\(id)"))
        #expect(!(try await harness.plan(replaced)).hasChanges)
    }

    @Test func aProducerUpdatedInPlaceWhoseValueStaysLeavesTheConsumerAlone() async throws {
        let (harness, world) = try Self.harness()
        _ = try await harness.converge(Self.body)
        let updated = Self.body.replacingOccurrences(of: "value: one }", with: "value: two }")
        let plan = try await harness.plan(updated)
        #expect(plan.change("things.reader")?.action == .update, "the id may change: known after apply")
        #expect(await harness.apply(plan).succeeded)
        #expect(!world.operations.contains("update reader"), "the id did not change, so reader was not touched")
        #expect(!(try await harness.plan(updated)).hasChanges)
    }

    @Test func aSensitiveOutputIsMarkedWhereItFlows() async throws {
        let (harness, _) = try Self.harness()
        let body = "things:\n  reader: { value: \"key=${things.source.token}\" }\n  source: { value: one }\n"
        _ = try await harness.converge(body)
        let plan = try await harness.plan(body + "  other: { value: \"again ${things.source.token}\" }\n")
        let other = try #require(plan.change("things.other"))
        #expect(other.sensitivePaths.covers(ValuePath("value")))
        #expect(other.secretValues.contains("again secret-of-source-1"))
    }

    @Test func unknownResourcesOutputsAndAmbiguousInstancesAreLocatedErrorsWithSuggestions() async throws {
        let (harness, _) = try Self.harness()
        func errors(_ body: String) async throws -> [String] {
            let (_, diagnostics) = try await harness.load(body)
            let found = diagnostics.errors.map {
                "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.summary)"
            }
            return found
        }
        #expect(
            try await errors("things:\n  a: { value: \"${things.sourc.id}\" }\n  source: { value: x }\n")
                == [
                    "4:15 Reference to undeclared things resource 'sourc' in '${things.sourc.id}' — did you mean 'source'?"
                ]
        )
        #expect(
            try await errors("things:\n  a: { value: \"${things.source.idd}\" }\n  source: { value: x }\n")
                == ["4:15 things resources have no output 'idd' — did you mean 'id'?"])
        #expect(
            try await errors("things:\n  a: { value: \"${things.a.id}\" }\n") == [
                "4:15 things.a reads its own output 'things.a.id'"
            ])
        #expect(
            try await errors(
                "hosts:\n  b: { transport: local }\nthings:\n  a: { value: \"${things.s.id}\" }\n"
                    + "  s: { hosts: [local, b], value: x }\n")
                == ["6:15 things.s has 2 instances; '${things.s.id}' must name one"])
        #expect(
            try await errors(
                "hosts:\n  b: { transport: local }\nthings:\n  a: { value: \"${things.s[b].id}\" }\n"
                    + "  s: { hosts: [local, b], value: x }\n"
            ).isEmpty)
    }
}
