import Foundation
import OCCore
import OCTestSupport
import Testing

/// A spec for tests whose resources cannot be restarted (`stills: NAME: { value }`).
struct StillSpec: ResourceSpec {
    static let section = "stills"
    static let schema = ObjectSchema(
        "A thing that cannot be restarted (tests only)", fields: [FieldSchema("value", .string(), doc: "A value.")])
    var value: String?
}

/// `restartOn`: validated by the loader, planned as a restart only when a trigger really changes, applied after
/// the trigger and skipped when it fails, carried by the plan file.
@Suite struct RestartOnTests {
    static func manifest(conf: String = "one", proxy: String = "p", kind: String? = nil) -> String {
        "  conf: { value: \(conf) }\n  other: { value: x }\n"
            + "  proxy: { value: \(proxy)\(kind.map { ", kind: \($0)" } ?? ""), restartOn: [things.conf] }\n"
    }

    /// A stack that has applied ``manifest(conf:proxy:kind:)`` with its defaults.
    static func converged() async throws -> MemoryStack {
        let stack = try MemoryStack()
        try await stack.converge(manifest())
        return stack
    }

    // MARK: - Loader

    @Test func aTriggerIsADependencyAndIsKeptOnTheDeclaration() async throws {
        let (manifest, diagnostics, _) = try await load([
            "stack.yaml": "version: 1\nstack: lab\nthings:\n" + Self.manifest()
        ])
        let m = try #require(manifest, "\(diagnostics.items)")
        let proxy = try #require(m.resource("things.proxy"))
        #expect(proxy.restartOn == ["things.conf"])
        #expect(proxy.dependencies.contains("things.conf"))
        #expect(m.graph.closure(of: ["things.proxy"]).contains("things.conf"))
        // The spec never sees the engine's key.
        #expect(proxy.node["restartOn"] == nil)
    }

    @Test func anInstanceRestartsOnTheTriggerOfItsOwnHost() async throws {
        let (manifest, diagnostics, _) = try await load([
            "stack.yaml": "version: 1\nstack: lab\nhosts:\n  a: { transport: local }\n  b: { transport: local }\n"
                + "things:\n  conf: { hosts: [a, b], value: one }\n"
                + "  proxy: { hosts: [a, b], value: p, restartOn: [things.conf] }\n"
                + "  solo: { host: a, value: s, restartOn: [things.conf] }\n"
                + "  pinned: { hosts: [a, b], value: s, restartOn: [\"things.conf[b]\"] }\n"
        ])
        let m = try #require(manifest, "\(diagnostics.items)")
        #expect(m.resource("things.proxy[a]")?.restartOn == ["things.conf[a]"])
        #expect(m.resource("things.proxy[b]")?.restartOn == ["things.conf[b]"])
        #expect(m.resource("things.solo")?.restartOn == ["things.conf[a]", "things.conf[b]"])
        #expect(m.resource("things.pinned[a]")?.restartOn == ["things.conf[b]"])
        // Every instance still waits for every trigger instance it names.
        #expect(
            m.resource("things.proxy[a]")?.dependencies.isSuperset(of: ["things.conf[a]", "things.conf[b]"]) == true)
    }

    @Test func anUnknownTriggerIsALocatedErrorWithASuggestion() async throws {
        let (manifest, diagnostics, dir) = try await load([
            "stack.yaml": "version: 1\nstack: lab\nthings:\n  conf: { value: one }\n"
                + "  proxy:\n    value: p\n    restartOn: [things.cnof, things.proxy, 7]\n"
        ])
        #expect(manifest == nil)
        let errors = diagnostics.items.filter { $0.severity == .error }
        let unknown = try #require(errors.first { $0.summary.contains("undeclared resource 'things.cnof'") })
        #expect(unknown.summary.contains("did you mean 'things.conf'?"), "\(unknown.summary)")
        #expect(unknown.location == SourceLocation(file: dir.path + "/stack.yaml", line: 7, column: 17))
        #expect(unknown.keyPath == "things.proxy.restartOn")
        #expect(errors.contains { $0.summary == "restartOn names things.proxy itself" })
        #expect(errors.contains { $0.summary == "Invalid restartOn entry '7'" })
    }

    @Test func aResourceThatCannotRestartIsALocatedError() async throws {
        let dir = try TempDirectory()
        try dir.write(
            "version: 1\nstack: lab\nthings:\n  conf: { value: one }\nstills:\n  s:\n    restartOn: [things.conf]\n",
            to: "stack.yaml")
        let (manifest, diagnostics) = await ManifestLoader(catalog: SpecCatalog([ThingSpec.self, StillSpec.self]))
            .load([dir.path])
        #expect(manifest == nil)
        let error = try #require(diagnostics.items.first { $0.severity == .error })
        #expect(error.summary == "stills cannot be restarted, so stills.s cannot take restartOn")
        #expect(error.detail?.hasPrefix("things can be restarted; stills cannot.") == true, "\(error.detail ?? "")")
        #expect(error.location == SourceLocation(file: dir.path + "/stack.yaml", line: 7, column: 17))
    }

    @Test func restartOnMustBeAList() async throws {
        let (_, diagnostics, _) = try await load([
            "stack.yaml": "version: 1\nstack: lab\nthings:\n  conf: { value: one }\n"
                + "  proxy: { value: p, restartOn: things.conf }\n"
        ])
        #expect(diagnostics.items.contains { $0.summary == "'restartOn' must be a list of resource addresses" })
    }

    // MARK: - Planner

    @Test func aChangedTriggerRestartsAnUnchangedConsumer() async throws {
        let stack = try MemoryStack()
        // The first apply creates both: a created consumer needs no restart.
        let first = try await stack.converge(Self.manifest())
        #expect(first.changes.allSatisfy { !$0.restarts })

        let (edited, _) = try await stack.plan(Self.manifest(conf: "two"))
        let plan = try #require(edited)
        let proxy = try #require(plan.change("things.proxy"))
        #expect(proxy.action == .noop)
        #expect(proxy.triggeredBy == ["things.conf"])
        #expect(plan.actions.map(\.address) == ["things.conf", "things.proxy"])
        #expect(plan.restartCount == 1)
        #expect(plan.change("things.other")?.restarts == false)

        let report = try await stack.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        #expect(stack.world.operations.suffix(2) == ["update conf", "restart proxy"])
        // The identity is kept: the consumer was never recreated.
        #expect(stack.world.operations.filter { $0.hasSuffix(" proxy") } == ["create proxy", "restart proxy"])

        // Nothing changed: nothing restarts.
        let (again, _) = try await stack.plan(Self.manifest(conf: "two"))
        #expect(again?.hasChanges == false)
        #expect(again?.restartCount == 0)
    }

    @Test func anUnchangedTriggerRestartsNothing() async throws {
        let stack = try await Self.converged()
        // Only the consumer changes: an update, no restart.
        let (edited, _) = try await stack.plan(Self.manifest(proxy: "q"))
        let proxy = try #require(edited?.change("things.proxy"))
        #expect(proxy.action == .update)
        #expect(!proxy.restarts)
    }

    @Test func anUpdatedConsumerIsUpdatedThenRestarted() async throws {
        let stack = try await Self.converged()
        let (edited, _) = try await stack.plan(Self.manifest(conf: "two", proxy: "q"))
        let plan = try #require(edited)
        let proxy = try #require(plan.change("things.proxy"))
        #expect(proxy.action == .update)
        #expect(proxy.triggeredBy == ["things.conf"])
        #expect(try await stack.apply(plan).succeeded)
        #expect(stack.world.operations.suffix(3) == ["update conf", "update proxy", "restart proxy"])
    }

    /// A consumer that reads its trigger's output is planned as an update while the trigger changes; when the
    /// value turns out unchanged at apply time, the update is dropped but the restart still runs.
    @Test func aConsumerWaitingForAnUnchangedOutputIsStillRestarted() async throws {
        let stack = try MemoryStack()
        func manifest(_ conf: String) -> String {
            "  conf: { value: \(conf) }\n  proxy: { value: \"peer=${things.conf.id}\", restartOn: [things.conf] }\n"
        }
        try await stack.converge(manifest("one"))
        let (edited, _) = try await stack.plan(manifest("two"))
        let plan = try #require(edited)
        let proxy = try #require(plan.change("things.proxy"))
        #expect(proxy.action == .update)
        #expect(proxy.triggeredBy == ["things.conf"])
        let report = try await stack.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        #expect(stack.world.operations.suffix(2) == ["update conf", "restart proxy"])
        let (again, _) = try await stack.plan(manifest("two"))
        #expect(again?.hasChanges == false)
    }

    @Test func aReplacedOrCreatedConsumerIsNotRestarted() async throws {
        let stack = try await Self.converged()
        let (replaced, _) = try await stack.plan(Self.manifest(conf: "two", kind: "new"))
        let proxy = try #require(replaced?.change("things.proxy"))
        #expect(proxy.action == .replace)
        #expect(!proxy.restarts)

        stack.world.set("proxy", nil)
        let (recreated, _) = try await stack.plan(Self.manifest(conf: "two"))
        let again = try #require(recreated?.change("things.proxy"))
        #expect(again.action == .create)
        #expect(!again.restarts)
    }

    @Test func aDestroyRestartsNothing() async throws {
        let stack = try await Self.converged()
        let (destroy, _) = try await stack.plan(Self.manifest(conf: "two"), options: PlanOptions(destroy: true))
        #expect(destroy?.restartCount == 0)
        #expect(destroy?.actions.allSatisfy { $0.action == .delete } == true)
    }

    @Test func aFailedTriggerSkipsTheRestart() async throws {
        let stack = try await Self.converged()
        stack.world.fail("conf")
        let (edited, _) = try await stack.plan(Self.manifest(conf: "two"))
        let report = try await stack.apply(try #require(edited))
        #expect(report.failed.map(\.change.address) == ["things.conf"])
        #expect(report.skipped.map(\.change.address) == ["things.proxy"])
        #expect(report.skipped.first?.because == "things.conf")
        #expect(!stack.world.operations.contains("restart proxy"))
    }

    @Test func aFailedRestartIsOwedToTheNextApply() async throws {
        let stack = try await Self.converged()
        let (edited, _) = try await stack.plan(Self.manifest(conf: "two"))
        stack.world.fail("proxy")
        let report = try await stack.apply(try #require(edited))
        #expect(report.failed.map(\.change.address) == ["things.proxy"])
        #expect(report.applied.map(\.address) == ["things.conf"])
        func owedRestart() async throws -> [Address]? {
            try await StateJournal(stack: "lab", stateDirectory: stack.state.path).entry("things.proxy")?
                .restartPending
        }
        #expect(try await owedRestart() == ["things.conf"])

        // The trigger is done, but the restart is still owed: the next plan restarts, and says why.
        stack.world.recover("proxy")
        let (next, _) = try await stack.plan(Self.manifest(conf: "two"))
        let owed = try #require(next?.change("things.proxy"))
        #expect(owed.triggeredBy == ["things.conf"])
        #expect(owed.notes.contains("an earlier apply did not finish restarting it"))
        #expect(next?.change("things.conf")?.action == .noop)
        #expect(try await stack.apply(try #require(next)).succeeded)
        #expect(stack.world.operations.last == "restart proxy")
        #expect(try await owedRestart() == nil)
        let (clean, _) = try await stack.plan(Self.manifest(conf: "two"))
        #expect(clean?.hasChanges == false)
    }

    // MARK: - Plan file

    @Test func theRestartSurvivesThePlanFileAndIsSealed() async throws {
        let stack = try await Self.converged()
        let (edited, _) = try await stack.plan(Self.manifest(conf: "two"))
        let plan = try #require(edited)
        let dir = try TempDirectory()
        let path = dir.path + "/plan.json"
        try plan.write(to: path)
        let read = try Plan.read(from: path)
        #expect(read.change("things.proxy")?.triggeredBy == ["things.conf"])
        #expect(read.restartCount == 1)
        #expect(read.actions.map(\.address) == plan.actions.map(\.address))

        // Dropping the restart from the file is refused by the seal.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let tampered = text.replacingOccurrences(
            of: "\"triggeredBy\" : [\n        \"things.conf\"\n      ]", with: "\"triggeredBy\" : [\n\n      ]")
        #expect(tampered != text)
        try tampered.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: OCError.self) { try Plan.read(from: path) }
    }

    @Test func aPlanFileWithoutTriggeredByStillReads() throws {
        let change = Change(
            address: "things.a", provider: "memory", host: .local, action: .noop, cause: nil, before: nil, after: nil)
        let encoded = try JSONEncoder().encode(change)
        var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        object["triggeredBy"] = nil
        let decoded = try JSONDecoder().decode(Change.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(decoded.triggeredBy.isEmpty)
        #expect(!decoded.doesSomething)
    }
}
