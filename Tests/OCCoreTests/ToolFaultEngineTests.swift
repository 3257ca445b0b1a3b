import Foundation
import OCCore
import OCTestSupport
import Testing

/// How the engine treats tool faults: an observation failure is a plan error naming the host, the tool and the
/// output (never "absent"), and an action whose read-back does not show its effect fails and is not journaled.
@Suite struct ToolFaultEngineTests {
    @Test func everyUnobservableResourceIsAPlanErrorAndNoneIsReadAsAbsent() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one }\n  b: { value: two }\n  c: { value: three }\n")
        stack.world.garble("a")
        stack.world.garble("c")
        let (plan, diagnostics) = try await stack.plan(
            "  a: { value: one }\n  b: { value: two }\n  c: { value: three }\n")
        #expect(plan == nil)
        #expect(diagnostics.errors.map(\.address) == ["things.a", "things.c"], "collected, not the first only")
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary == "Cannot observe things.a on host 'local'")
        let detail = try #require(error.detail)
        #expect(detail.contains("'thing' on local printed output ocplan does not recognise (expected a thing)"))
        #expect(detail.contains("output: \\u{1B}[2Jgarbage"), "escaped: \(detail)")
        #expect(!detail.contains("\u{1B}"))
        #expect(error.location != nil, "located at the resource")
    }

    @Test func theOutputShownHidesTheManifestsSecrets() async throws {
        let stack = try MemoryStack()
        stack.world.garble("a", output: "{\"token\": \"hunter2-secret\"}")
        let (plan, diagnostics) = try await stack.plan("  a: { value: one, secret: hunter2-secret }\n")
        #expect(plan == nil)
        let detail = try #require(diagnostics.errors.first?.detail)
        #expect(detail.contains("output: {\"token\": \"(sensitive)\"}"), "\(detail)")
        #expect(!detail.contains("hunter2"))
    }

    @Test func aHostThatCannotBeObservedIsAPlanErrorNamingItsResources() async throws {
        let stack = try MemoryStack()
        stack.world.breakObservation()
        let (plan, diagnostics) = try await stack.plan("  a: { value: one }\n  b: { value: two }\n")
        #expect(plan == nil)
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary == "Cannot observe memory resources on host 'local' (things.a, things.b)")
        #expect(error.detail?.contains("'thing' failed on local with exit status 255") == true, "\(error)")
        #expect(error.detail?.contains("output: ssh: connect to host: Connection refused") == true)
    }

    @Test func reobservingASavedPlanThatFailsIsAnErrorNotStale() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one }\n")
        let (saved, _) = try await stack.plan("  a: { value: two }\n")
        let plan = try #require(saved)
        let planner = Planner(context: try stack.context(), environment: [:])

        stack.world.breakObservation()
        await #expect(throws: CommandFailure.self) { try await planner.staleChanges(in: plan.changes, stack: "lab") }
        stack.world.breakObservation(false)
        stack.world.garble("a")
        await #expect(throws: CommandFailure.self) { try await planner.staleChanges(in: plan.changes, stack: "lab") }
    }

    @Test func anActionWhoseReadBackDoesNotShowItFailsIsNotJournaledAndSkipsItsDependents() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one }\n")
        let before = try #require(await stack.context().journal.entries["things.a"])
        stack.world.ignoreChanges("a")
        let (planned, _) = try await stack.plan("  a: { value: two }\n  b: { value: x, peer: a }\n")
        let plan = try #require(planned)
        let report = try await stack.apply(plan)
        #expect(report.failed.map(\.change.address) == ["things.a"])
        #expect(report.failed.first?.error.contains("reading it back shows value still differing") == true)
        #expect(report.applied.isEmpty)
        #expect(report.skipped.map(\.change.address) == ["things.b"])
        #expect(report.notConverged.map(\.change.address) == ["things.a"])
        #expect(!report.succeeded)
        let after = try await stack.context().journal.entries
        #expect(after["things.a"]?.applied == before.applied, "the journal keeps the last applied tree")
        #expect(after["things.b"] == nil)
    }

    /// Issue 10: a replace or update whose read-back keeps differing is not drift on the next plan, it is ocplan's
    /// own failure to converge; the mark goes once the resource converges.
    @Test func aResourceThatDidNotConvergeInTheLastApplySaysSoInsteadOfDrift() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one }\n")
        stack.world.set("a", ["value": "by-hand"], owner: "lab")
        stack.world.ignoreChanges("a")
        let (drifted, _) = try await stack.plan("  a: { value: one }\n")
        #expect(try #require(drifted).actions.map(\.cause) == [.drift])
        let report = try await stack.apply(try #require(drifted))
        #expect(report.notConverged.map(\.change.address) == ["things.a"])
        let entry = try #require(await stack.context().journal.entries["things.a"])
        #expect(entry.notConverged == ["value"])
        #expect(entry.applied["value"] == "one", "the journal keeps the last applied tree")

        let (again, _) = try await stack.plan("  a: { value: one }\n")
        let change = try #require(again?.actions.first)
        #expect(change.cause == .notConverged, "not drift: ocplan's own apply left it so")

        // Once it converges (here: fixed by hand), the mark is gone and a later change by hand is drift again.
        stack.world.set("a", ["value": "one"], owner: "lab")
        let (clean, _) = try await stack.plan("  a: { value: one }\n")
        #expect(try #require(clean).actions.isEmpty)
        _ = try await stack.apply(try #require(clean))
        #expect(try await stack.context().journal.entries["things.a"]?.notConverged == nil)
        stack.world.set("a", ["value": "by-hand"], owner: "lab")
        let (later, _) = try await stack.plan("  a: { value: one }\n")
        #expect(try #require(later).actions.map(\.cause) == [.drift])
    }

    /// A create that does not converge is recorded as an unconfirmed intent with the mark.
    @Test func aCreateThatDidNotConvergeIsMarkedToo() async throws {
        let stack = try MemoryStack()
        stack.world.ignoreChanges("a")
        let (planned, _) = try await stack.plan("  a: { value: one }\n")
        let report = try await stack.apply(try #require(planned))
        #expect(report.notConverged.map(\.change.address) == ["things.a"])
        let entry = try #require(await stack.context().journal.entries["things.a"])
        #expect(entry.notConverged != nil)
        #expect(entry.pending == true)
    }

    @Test func aDeleteThatLeavesTheObjectKeepsItsJournalEntry() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one }\n")
        stack.world.ignoreChanges("a")
        let (planned, _) = try await stack.plan("")
        let report = try await stack.apply(try #require(planned))
        #expect(report.failed.map(\.change.address) == ["things.a"])
        #expect(try await stack.context().journal.entries["things.a"] != nil, "still managed: a rerun deletes it")
    }

    @Test func outputHeadsAreEscapedAndBounded() {
        #expect(OutputHead.of(Data()) == nil)
        #expect(OutputHead.of("a\tb\r\n\u{1B}[0m\u{7F}\\") == "a\\tb\\r\\n\\u{1B}[0m\\u{7F}\\\\")
        let long = String(repeating: "é", count: 150)  // 300 bytes
        let head = OutputHead.of(long) ?? ""
        #expect(head.hasSuffix("…"))
        #expect(head.utf8.count <= OutputHead.limit + 3)
        #expect(!head.contains("\u{FFFD}"), "no character cut in two")
        #expect(OutputHead.seconds(.seconds(30)) == "30 s")
        #expect(OutputHead.seconds(.milliseconds(1500)) == "1.5 s")
        #expect(OutputHead.seconds(.milliseconds(250)) == "250 ms")
    }

    @Test func aTimeoutSaysHowLongItWaited() {
        let failure = CommandFailure(
            host: "web", command: Command(["stat", "/x"], timeout: .seconds(30)), reason: .timedOut)
        #expect(failure.description == "'stat' timed out after 30 s on web: stat /x")
    }
}
