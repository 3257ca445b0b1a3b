import Foundation
import Logging
import OCCore
import OCTestSupport
import Testing

/// A stack of `things` in memory: write a manifest, plan, apply, change the world by hand.
final class MemoryStack: Sendable {
    let world = InMemoryWorld()
    let dir: TempDirectory
    let state: TempDirectory
    let cascade: Bool

    init(cascade: Bool = false) throws {
        dir = try TempDirectory()
        state = try TempDirectory()
        self.cascade = cascade
    }

    func context() throws -> EngineContext {
        EngineContext(
            registry: ProviderRegistry([InMemoryProvider(world: world, cascade: cascade)]),
            runner: { _ in ScriptedRunner() },
            journal: try StateJournal(stack: "lab", stateDirectory: state.path),
            logger: Logger(label: "test"))
    }

    func plan(
        _ things: String, options: PlanOptions = PlanOptions(), environment: [String: String] = [:]
    ) async throws -> (Plan?, Diagnostics) {
        try dir.write("version: 1\nstack: lab\nthings:\n" + things, to: "stack.yaml")
        let (manifest, diagnostics) = await ManifestLoader(
            catalog: SpecCatalog([ThingSpec.self]), environment: environment
        ).load([dir.path])
        let m = try #require(manifest, "\(diagnostics.items)")
        return await Planner(context: try context(), environment: [:]).plan(m, options: options)
    }

    func apply(_ plan: Plan, parallelism: Int = 10) async throws -> ApplyReport {
        await Applier(context: try context(), parallelism: parallelism).apply(plan)
    }

    /// Plans and applies, requiring success.
    @discardableResult
    func converge(_ things: String) async throws -> Plan {
        let (plan, diagnostics) = try await plan(things)
        let p = try #require(plan, "\(diagnostics.items)")
        let report = try await apply(p)
        #expect(report.succeeded)
        return p
    }
}

@Suite struct PlannerTests {
    @Test func createsThenNothing() async throws {
        let stack = try MemoryStack()
        let first = try await stack.converge("  a: { value: one }\n  b: { value: two, peer: a }\n")
        #expect(first.actions.map(\.action) == [.create, .create])
        #expect(first.actions.allSatisfy { $0.cause == .manifest })
        #expect(stack.world.operations == ["create a", "create b"])
        let (second, _) = try await stack.plan("  a: { value: one }\n  b: { value: two, peer: a }\n")
        #expect(second?.hasChanges == false)
    }

    @Test func manifestEditsAndHandEditsHaveDifferentCauses() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one }\n")
        let (edited, _) = try await stack.plan("  a: { value: two }\n")
        #expect(edited?.actions.first?.action == .update)
        #expect(edited?.actions.first?.cause == .manifest)

        stack.world.set("a", ["value": "by hand"], owner: "lab")
        let (drifted, _) = try await stack.plan("  a: { value: one }\n")
        let change = try #require(drifted?.actions.first)
        #expect(change.action == .update)
        #expect(change.cause == .drift)
        #expect(change.attributes.first?.before == "by hand")

        stack.world.set("a", nil)
        let (deleted, _) = try await stack.plan("  a: { value: one }\n")
        #expect(deleted?.actions.first?.action == .create)
        #expect(deleted?.actions.first?.cause == .drift)
    }

    @Test func replaceNamesTheForcingAttribute() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one, kind: k1 }\n")
        let (plan, _) = try await stack.plan("  a: { value: one, kind: k2 }\n")
        let change = try #require(plan?.actions.first)
        #expect(change.action == .replace)
        #expect(change.replaceReasons == [ValuePath("kind")])
    }

    @Test func removedResourcesAreDeletedButForeignOnesAreNeverTouched() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one }\n  b: { value: two }\n")
        let (plan, _) = try await stack.plan("  a: { value: one }\n")
        #expect(plan?.actions.map { "\($0.action.rawValue) \($0.address)" } == ["delete things.b"])

        stack.world.set("c", ["value": "theirs"], owner: nil)
        let (refused, diagnostics) = try await stack.plan("  a: { value: one }\n  c: { value: mine }\n")
        #expect(refused == nil)
        #expect(diagnostics.errors.first?.summary.contains("not created by stack 'lab'") == true)
        #expect(diagnostics.errors.first?.detail?.contains("--adopt things.c") == true)

        let (adopted, _) = try await stack.plan(
            "  a: { value: one }\n  c: { value: mine }\n", options: PlanOptions(adopt: ["things.c"]))
        #expect(adopted?.change("things.c")?.action == .create)
        #expect(adopted?.change("things.c")?.notes.first?.hasPrefix("adopted") == true)
    }

    @Test func objectsWithOurMarkButNoRecordAreDeleted() async throws {
        let stack = try MemoryStack()
        stack.world.set("orphan", ["value": "x"], owner: "lab")
        let (plan, _) = try await stack.plan("  a: { value: one }\n")
        #expect(plan?.change("things.orphan")?.action == .delete)
    }

    @Test func targetsIncludeDependencies() async throws {
        let stack = try MemoryStack()
        let (plan, _) = try await stack.plan(
            "  a: { value: one }\n  b: { value: two, peer: a }\n  c: { value: three }\n",
            options: PlanOptions(targets: ["things.b"]))
        #expect(Set(plan?.changes.map(\.address) ?? []) == ["things.a", "things.b"])
    }

    @Test func destroyDeletesEverythingTheStackOwns() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one }\n  b: { value: two, peer: a }\n")
        let (plan, _) = try await stack.plan(
            "  a: { value: one }\n  b: { value: two, peer: a }\n", options: PlanOptions(destroy: true))
        let p = try #require(plan)
        #expect(p.actions.allSatisfy { $0.action == .delete })
        let report = try await stack.apply(p)
        #expect(report.succeeded)
        #expect(stack.world.operations.suffix(2) == ["delete b", "delete a"])
        #expect(stack.world.objects.isEmpty)
    }

    @Test func sensitiveValuesAreFlagged() async throws {
        let stack = try MemoryStack()
        let (plan, _) = try await stack.plan("  a: { value: one, secret: hush }\n")
        let attribute = try #require(plan?.actions.first?.attributes.first { $0.path == ValuePath("secret") })
        #expect(attribute.sensitive)
    }
}

@Suite struct ApplierTests {
    @Test func aReplaceDestroysDependentsFirstAndCreatesThemAfter() async throws {
        let stack = try MemoryStack(cascade: true)
        try await stack.converge(
            "  net: { value: n, kind: k1 }\n  ctr: { value: c, peer: net }\n  other: { value: o }\n")
        let plan = try await stack.converge(
            "  net: { value: n, kind: k2 }\n  ctr: { value: c, peer: net }\n  other: { value: o }\n")
        #expect(plan.change("things.net")?.action == .replace)
        let ctr = try #require(plan.change("things.ctr"))
        #expect(ctr.action == .replace)
        #expect(ctr.notes.contains("replaced because things.net is replaced"))
        #expect(plan.change("things.other")?.action == .noop)
        #expect(stack.world.operations.suffix(4) == ["delete ctr", "delete net", "create net", "create ctr"])
        let (again, _) = try await stack.plan(
            "  net: { value: n, kind: k2 }\n  ctr: { value: c, peer: net }\n  other: { value: o }\n")
        #expect(again?.hasChanges == false)
    }

    @Test func aFailedDestroyStopsTheCreateOfTheSameReplace() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one, kind: k1 }\n")
        stack.world.fail("a")
        let (plan, _) = try await stack.plan("  a: { value: one, kind: k2 }\n")
        let report = try await stack.apply(try #require(plan))
        #expect(report.failed.map(\.change.address) == ["things.a"])
        #expect(report.applied.isEmpty)
        #expect(stack.world.objects["a"]?.value["kind"] == "k1")
    }

    @Test func aFailureSkipsOnlyItsDependentsAndARerunConverges() async throws {
        let stack = try MemoryStack()
        stack.world.fail("a")
        let things = "  a: { value: one }\n  b: { value: two, peer: a }\n  c: { value: three }\n"
        let (plan, _) = try await stack.plan(things)
        let report = try await stack.apply(try #require(plan))
        #expect(report.failed.map(\.change.address) == ["things.a"])
        #expect(report.skipped.map(\.change.address) == ["things.b"])
        #expect(report.applied.map(\.address) == ["things.c"])

        let healthy = try MemoryStack()
        _ = healthy
        let (again, _) = try await stack.plan(things)
        #expect(again?.actions.map(\.address).sorted() == ["things.a", "things.b"])
    }

    @Test func dependenciesRunFirstEvenInParallel() async throws {
        let stack = try MemoryStack()
        var things = ""
        for i in 0..<20 { things += "  t\(i): { value: v\(i)\(i > 0 ? ", peer: t\(i - 1)" : "") }\n" }
        try await stack.converge(things)
        #expect(stack.world.operations == (0..<20).map { "create t\($0)" })
    }

    @Test func theJournalRecordsWhatWasApplied() async throws {
        let stack = try MemoryStack()
        try await stack.converge("  a: { value: one }\n")
        let journal = try StateJournal(stack: "lab", stateDirectory: stack.state.path)
        let entry = try #require(await journal.entry("things.a"))
        #expect(entry.applied == ["value": "one"])
        #expect(entry.provider == "memory")
    }
}

@Suite struct SensitivityTests {
    /// A secret marks the attribute it flowed into, and only that one: a value `1` from the environment does
    /// not hide every `1` of the plan.
    @Test func aSecretMarksTheAttributeItFlowedIntoAndNoOther() async throws {
        let stack = try MemoryStack()
        let (plan, diagnostics) = try await stack.plan(
            "  a: { value: \"port ${env:K}\", tags: [\"1\", \"x\"], size: 1 }\n", environment: ["K": "1"])
        let change = try #require(plan?.change("things.a"), "\(diagnostics.items)")
        #expect(change.sensitivePaths == SensitivePaths([ValuePath("value")]))
        #expect(change.attributes.filter(\.sensitive).map(\.path) == [ValuePath("value")])
        #expect(change.secretValues == ["port 1"])
    }

    /// The marks travel into the journal, so a secret removed from the manifest keeps its old value hidden.
    @Test func marksAreJournaledAndHideTheOldValueOfARotatedOrRemovedSecret() async throws {
        let stack = try MemoryStack()
        let (first, _) = try await stack.plan("  a: { value: \"${env:K}\" }\n", environment: ["K": "old-secret"])
        let applied = try await stack.apply(try #require(first))
        #expect(applied.succeeded)
        let journal = try StateJournal(stack: "lab", stateDirectory: stack.state.path)
        #expect(await journal.entry("things.a")?.sensitivePaths == SensitivePaths([ValuePath("value")]))
        let (plain, _) = try await stack.plan("  a: { value: now-plain }\n")
        let change = try #require(plain?.change("things.a"))
        #expect(change.attributes.map(\.sensitive) == [true], "the old value came from a secret")
    }
}

@Suite struct PlanFileTests {
    @Test func roundTripsAndRefusesOtherVersions() throws {
        let dir = try TempDirectory()
        let plan = Plan(
            stack: "lab",
            changes: [
                Change(
                    address: "things.a", provider: "memory", host: .local, action: .create, cause: .manifest,
                    before: nil, after: ["value": "x"], fingerprint: "f")
            ])
        let path = dir.path + "/p.plan"
        try plan.write(to: path)
        #expect(Plan.isPlanFile(path))
        let read = try Plan.read(from: path)
        #expect(read.changes == plan.changes)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        try dir.write("{\"formatVersion\": 99}", to: "old.plan")
        #expect(throws: OCError.self) { try Plan.read(from: dir.path + "/old.plan") }
    }

    /// A hand edit of anything that drives the apply is refused before anything runs, naming what differs.
    @Test(arguments: [
        ("a file's content", "\"content\" : \"x\"", "\"content\" : \"evil\"", "change files.a"),
        ("a file's path", "\"path\" : \"/tmp/a\"", "\"path\" : \"/etc/shadow\"", "change files.a"),
        ("the stack", "\"stack\" : \"lab\"", "\"stack\" : \"other\"", "stack"),
        ("the seal itself", "\"stack\" : \"", "\"stack\" : \"", ""),
    ])
    func aPlanEditedByHandIsRefused(what: String, from: String, to: String, names: String) throws {
        let dir = try TempDirectory()
        let plan = Plan(
            stack: "lab",
            changes: [
                Change(
                    address: "files.a", provider: "files", host: .local, action: .create, cause: .manifest,
                    before: nil, after: ["content": "x", "path": "/tmp/a"], fingerprint: "f")
            ])
        let path = dir.path + "/p.plan"
        try plan.write(to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(from), "\(what): the plan file is written as expected")
        var edited = Data(text.replacingOccurrences(of: from, with: to).utf8)
        if names.isEmpty {
            // Removing the seal is refused too.
            var object = try #require(try JSONSerialization.jsonObject(with: edited) as? [String: Any])
            object["seal"] = nil
            edited = try JSONSerialization.data(withJSONObject: object)
        }
        try edited.write(to: URL(fileURLWithPath: path))
        do {
            _ = try Plan.read(from: path)
            Issue.record("\(what): an edited plan was accepted")
        } catch let error as OCError {
            #expect("\(error)".contains(names.isEmpty ? "has no seal" : "\(names) differ"), "\(error)")
            #expect("\(error)".contains("Nothing was applied"))
        }
    }
}

@Suite struct StackLockTests {
    @Test func aSecondHolderIsRefusedUntilTheFirstReleases() throws {
        let dir = try TempDirectory()
        var first: StackLock? = try StackLock.acquire(directory: dir.path, purpose: "test")
        #expect(first != nil)
        #expect(throws: OCError.self) { try StackLock.acquire(directory: dir.path, purpose: "second") }
        first = nil
        let again = try StackLock.acquire(directory: dir.path, purpose: "third")
        _ = again
    }
}
