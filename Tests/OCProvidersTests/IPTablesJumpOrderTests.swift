import Foundation
import OCCore
import OCTestSupport
import Synchronization
import Testing

@testable import OCIPTables

/// An owned chain whose rule jumps to another owned chain depends on that chain's resource: it is created
/// after it and deleted before it, so both apply in one run.
@Suite struct IPTablesJumpOrderTests {
    static let header = "hosts:\n  exit: { transport: local, os: linux }\n"

    /// `iptables.egress` jumps to `iptables.log` (by `-j` and by `--goto`); `egress` sorts first, so without
    /// the edge it would be started first.
    static let manifest = """
        iptables:
          egress:
            host: exit
            table: mangle
            chain: OC_EGRESS
            rules:
              - -i e0 -j OC_LOG
              - -i e1 --goto OC_LOG
              - -j RETURN
            hook: { chain: FORWARD }
          log:
            host: exit
            table: mangle
            chain: OC_LOG
            rules:
              - -j LOG --log-prefix "OC_LOG "

        """

    static func harness(_ fake: MiniIPTables) throws -> EngineHarness {
        try EngineHarness(
            header: header, catalog: SpecCatalog([IPTablesChainSpec.self]), providers: [IPTablesProvider()],
            runner: fake.runner)
    }

    @Test func theJumpingChainIsCreatedAfterAndDeletedBeforeItsTarget() async throws {
        let fake = MiniIPTables()
        let harness = try Self.harness(fake)

        let create = try await harness.plan(Self.manifest)
        #expect(create.change("iptables.egress")?.dependencies == ["iptables.log"])
        #expect(create.change("iptables.log")?.dependencies == [])
        let created = await harness.apply(create)
        #expect(created.failed.map(\.error) == [])
        #expect(fake.transactions.map(\.chain) == ["OC_LOG", "OC_EGRESS"])
        #expect(try await harness.plan(Self.manifest).actions.isEmpty)

        // Both removed from the manifest: the journal keeps the edge, the jumping chain goes first.
        let remove = try await harness.plan("iptables: {}\n")
        #expect(remove.actions.map(\.action) == [.delete, .delete])
        #expect(remove.change("iptables.egress")?.dependencies == ["iptables.log"])
        let removed = await harness.apply(remove)
        #expect(removed.failed.map(\.error) == [])
        #expect(fake.transactions.map(\.chain) == ["OC_LOG", "OC_EGRESS", "OC_EGRESS", "OC_LOG"])
        #expect(fake.userChains.isEmpty)
    }

    @Test func aDestroyDeletesTheJumpingChainFirst() async throws {
        let fake = MiniIPTables()
        let harness = try Self.harness(fake)
        try await harness.converge(Self.manifest)
        let destroy = try await harness.plan(Self.manifest, options: PlanOptions(destroy: true))
        #expect(destroy.change("iptables.egress")?.dependencies == ["iptables.log"])
        let report = await harness.apply(destroy)
        #expect(report.failed.map(\.error) == [])
        #expect(fake.transactions.map(\.chain).suffix(2) == ["OC_EGRESS", "OC_LOG"])
        #expect(fake.userChains.isEmpty)
    }

    @Test func chainsJumpingToEachOtherAreALocatedDependencyCycle() async throws {
        let harness = try Self.harness(MiniIPTables())
        let (manifest, diagnostics) = try await harness.load(
            """
            iptables:
              a: { host: exit, chain: OC_A, rules: [-j RETURN, -j OC_B] }
              b: { host: exit, chain: OC_B, rules: [-j OC_A] }

            """)
        #expect(manifest == nil)
        let cycle = try #require(diagnostics.errors.first { $0.summary.hasPrefix("Dependency cycle") })
        #expect(cycle.summary == "Dependency cycle: iptables.a → iptables.b → iptables.a")
        #expect(cycle.location?.line == 6)  // a's `-j OC_B`
        #expect(cycle.location?.column == 52)
    }

    @Test func jumpsToBuiltinOrUndeclaredChainsAreNoDependency() async throws {
        let harness = try Self.harness(MiniIPTables())
        let (manifest, diagnostics) = try await harness.load(
            "iptables:\n  a: { host: exit, chain: OC_A, rules: [-j LOG, -j OC_FOREIGN, -j OC_A] }\n")
        #expect(diagnostics.errors.isEmpty)
        #expect(try #require(manifest).resources.map(\.dependencies) == [Set<Address>()])
    }
}

/// A minimal stateful `iptables-save`/`iptables-restore --noflush` for one table, which refuses what the
/// kernel refuses here: a jump to a chain that does not exist, and deleting a chain a rule still jumps to.
final class MiniIPTables: Sendable {
    struct Transaction: Sendable {
        /// The user chain the transaction declares (`:CHAIN - [0:0]`).
        var chain: String
        var script: String
    }

    private struct World {
        var table = "mangle"
        var chains: [String] = []
        var rules: [(chain: String, spec: String)] = []
        var transactions: [Transaction] = []
    }

    private let world = Mutex(World())
    private static let builtins = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]

    /// The transactions that succeeded, in order.
    var transactions: [Transaction] { world.withLock { $0.transactions } }
    /// The user chains that exist.
    var userChains: [String] { world.withLock { $0.chains } }

    /// A runner answering `iptables-save` and `iptables-restore -w 5 --noflush`.
    var runner: ScriptedRunner {
        let runner = ScriptedRunner()
        runner.expect(
            .init(.argv(["iptables-save"]), response: .handler { _ in self.save() }, repeating: true))
        runner.expect(
            .init(
                .argv(["iptables-restore", "-w", "5", "--noflush"]),
                response: .handler { self.restore(String(decoding: $0.stdin ?? Data(), as: UTF8.self)) },
                repeating: true))
        return runner
    }

    private func save() -> CommandResult {
        world.withLock { world in
            var text = "*\(world.table)\n"
            for chain in Self.builtins { text += ":\(chain) ACCEPT [0:0]\n" }
            for chain in world.chains { text += ":\(chain) - [0:0]\n" }
            for rule in world.rules { text += "-A \(rule.chain) \(rule.spec)\n" }
            return CommandResult(exitStatus: 0, stdout: text + "COMMIT\n")
        }
    }

    private static func target(of spec: String) -> String? {
        let arguments = IPTablesRuleTokenizer.arguments(of: spec) ?? []
        guard let index = arguments.firstIndex(where: { ["-j", "-g", "--jump", "--goto"].contains($0) }),
            index + 1 < arguments.count
        else { return nil }
        return arguments[index + 1]
    }

    private func restore(_ script: String) -> CommandResult {
        world.withLock { world in
            var next = world
            var declared = ""
            for (number, line) in script.split(separator: "\n").map(String.init).enumerated() {
                let failed = CommandResult(
                    exitStatus: 2, stderr: Data("iptables-restore: line \(number + 1) failed\n".utf8))
                let words = line.split(separator: " ", maxSplits: 2).map(String.init)
                switch words.first {
                case let first? where first.hasPrefix(":"):
                    let chain = String(first.dropFirst())
                    declared = chain
                    if next.chains.contains(chain) {
                        next.rules.removeAll { $0.chain == chain }
                    } else {
                        next.chains.append(chain)
                    }
                case "-A", "-I":
                    guard words.count == 3 else { return failed }
                    var spec = words[2]
                    if words[0] == "-I", let space = spec.firstIndex(of: " ") {
                        spec = String(spec[spec.index(after: space)...])
                    }
                    if let target = Self.target(of: spec), target.hasPrefix("OC_"), !next.chains.contains(target) {
                        return failed
                    }
                    if words[0] == "-I" {
                        next.rules.insert((words[1], spec), at: 0)
                    } else {
                        next.rules.append((words[1], spec))
                    }
                case "-D":
                    guard words.count == 3,
                        let index = next.rules.firstIndex(where: { $0.chain == words[1] && $0.spec == words[2] })
                    else { return failed }
                    next.rules.remove(at: index)
                case "-X":
                    guard words.count == 2, !next.rules.contains(where: { Self.target(of: $0.spec) == words[1] })
                    else { return failed }
                    next.rules.removeAll { $0.chain == words[1] }
                    next.chains.removeAll { $0 == words[1] }
                default:
                    continue
                }
            }
            next.transactions.append(Transaction(chain: declared, script: script))
            world = next
            return CommandResult(exitStatus: 0)
        }
    }
}
