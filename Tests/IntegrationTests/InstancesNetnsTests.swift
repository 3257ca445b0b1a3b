import Foundation
import OCCore
import OCExec
import OCSysctl
import OCTestSupport
import Testing

/// Resource instances and host moves on real sysctl, in two network namespaces the test creates: `hosts: [a, b]`
/// is one instance per host, and moving a setting to another host restores the first host's original value.
@Suite(.serialized) struct InstancesNetnsTests {
    static let key = "net.ipv4.ip_default_ttl"

    static func ttl(_ namespace: NetNamespace) async throws -> String {
        try await namespace.run(["sysctl", "-n", key]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func harness(_ a: NetNamespace, _ b: NetNamespace, state: TempDirectory? = nil) throws -> EngineHarness {
        let header =
            "hosts:\n  a: { transport: netns, namespace: \(a.name) }\n  b: { transport: netns, namespace: \(b.name) }\n"
        let real = SubprocessRunner()
        return try EngineHarness(
            stack: "instances", header: header, catalog: SpecCatalog([SysctlSpec.self]), providers: [SysctlProvider()],
            runner: { host in makeRunner(for: host, base: real) }, stateDirectory: state)
    }

    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(1)))
    func oneDeclarationOnTwoHostsIsOneInstancePerHost() async throws {
        try await withNetNamespace { a in
            try await withNetNamespace { b in
                let (foundA, foundB) = (try await Self.ttl(a), try await Self.ttl(b))
                let wanted = foundA == "71" ? "72" : "71"
                let harness = try Self.harness(a, b)
                let body = "sysctl:\n  ttl: { hosts: [a, b], key: \(Self.key), value: \(wanted) }\n"
                let plan = try await harness.plan(body)
                #expect(plan.actions.map(\.address.description).sorted() == ["sysctl.ttl[a]", "sysctl.ttl[b]"])
                #expect(plan.actions.map(\.host.name).sorted() == ["a", "b"])
                #expect(await harness.apply(plan).succeeded)
                #expect(try await Self.ttl(a) == wanted)
                #expect(try await Self.ttl(b) == wanted)
                #expect(!(try await harness.plan(body)).hasChanges)

                // --target on the declaration selects both instances; on an instance, that one only.
                let one = try await harness.plan(
                    body, options: PlanOptions(targets: ["sysctl.ttl[b]"], destroy: true))
                #expect(one.actions.map(\.address.description) == ["sysctl.ttl[b]"])
                let both = try await harness.plan(body, options: PlanOptions(targets: ["sysctl.ttl"], destroy: true))
                #expect(both.actions.count == 2)
                #expect(await harness.apply(both).succeeded)
                #expect(try await Self.ttl(a) == foundA)
                #expect(try await Self.ttl(b) == foundB)
            }
        }
    }

    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(1)))
    func movingASettingToAnotherHostRestoresTheFirstHostsOriginal() async throws {
        try await withNetNamespace { a in
            try await withNetNamespace { b in
                let (foundA, foundB) = (try await Self.ttl(a), try await Self.ttl(b))
                let wanted = foundA == "73" || foundB == "73" ? "74" : "73"
                let harness = try Self.harness(a, b)
                let onA = "sysctl:\n  ttl: { host: a, key: \(Self.key), value: \(wanted) }\n"
                let onB = "sysctl:\n  ttl: { host: b, key: \(Self.key), value: \(wanted) }\n"
                #expect(await harness.apply(try await harness.plan(onA)).succeeded)
                #expect(try await Self.ttl(a) == wanted)

                let move = try await harness.plan(onB)
                let change = try #require(move.actions.first)
                #expect(move.actions.count == 1)
                #expect(change.action == .replace)
                #expect(change.host.name == "b")
                #expect(change.move?.host.name == "a")
                #expect(change.notes.contains("moves from host a: destroyed there first"), "\(change.notes)")
                #expect(change.privateState == nil, "a's original value is not carried to b")

                // A saved plan of the move is stale when the setting changed by hand where it was.
                let planner = Planner(context: harness.context)
                #expect(try await planner.staleChanges(in: move.changes, stack: harness.stack).isEmpty)
                let other = wanted == "73" ? "75" : "73"
                _ = try await a.run(["sysctl", "-w", "\(Self.key)=\(other)"])
                #expect(
                    try await planner.staleChanges(in: move.changes, stack: harness.stack).map(\.description)
                        == ["sysctl.ttl"], "a's value changed since the plan: its destroy there must not run")
                _ = try await a.run(["sysctl", "-w", "\(Self.key)=\(wanted)"])
                #expect(try await planner.staleChanges(in: move.changes, stack: harness.stack).isEmpty)

                let report = await harness.apply(move)
                #expect(report.succeeded, "\(report.failed.map(\.error))")
                #expect(try await Self.ttl(a) == foundA, "a gets its own original value back")
                #expect(try await Self.ttl(b) == wanted)
                #expect(await harness.journal.entry("sysctl.ttl")?.host.name == "b")
                #expect(!(try await harness.plan(onB)).hasChanges)

                #expect(await harness.apply(try await harness.plan(onB, options: PlanOptions(destroy: true))).succeeded)
                #expect(try await Self.ttl(b) == foundB, "b's original value, read when it was taken over")
                #expect(try await Self.ttl(a) == foundA)
            }
        }
    }

    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(1)))
    func aDeclarationGainingAHostKeepsItsFirstInstance() async throws {
        try await withNetNamespace { a in
            try await withNetNamespace { b in
                let (foundA, foundB) = (try await Self.ttl(a), try await Self.ttl(b))
                let wanted = foundA == "75" ? "76" : "75"
                let harness = try Self.harness(a, b)
                let one = "sysctl:\n  ttl: { host: a, key: \(Self.key), value: \(wanted) }\n"
                let two = "sysctl:\n  ttl: { hosts: [a, b], key: \(Self.key), value: \(wanted) }\n"
                #expect(await harness.apply(try await harness.plan(one)).succeeded)

                let grow = try await harness.plan(two)
                #expect(grow.actions.map(\.address.description) == ["sysctl.ttl[b]"], "a's instance is the same object")
                #expect(await harness.apply(grow).succeeded)
                #expect(await harness.journal.entry("sysctl.ttl") == nil)
                #expect(await harness.journal.entry("sysctl.ttl[a]")?.privateState != nil)
                #expect(!(try await harness.plan(two)).hasChanges)

                #expect(await harness.apply(try await harness.plan(two, options: PlanOptions(destroy: true))).succeeded)
                #expect(try await Self.ttl(a) == foundA, "the original value read by the first apply comes back")
                #expect(try await Self.ttl(b) == foundB)
            }
        }
    }
}
