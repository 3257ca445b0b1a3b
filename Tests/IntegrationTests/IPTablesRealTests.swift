import Foundation
import OCCore
import OCExec
import OCIPTables
import OCTestSupport
import Testing

/// The `iptables` section for real, in network namespaces the tests create.
///
/// An exit node in a namespace forwards and masquerades a client's traffic to an "internet" namespace, with
/// the OC_EGRESS logging chain counting new connections (reference §7). Each test proves the rules work (the listener sees the exit's address, counters grow), then checks
/// the second plan, drift from a hand edit, and that removal takes exactly what the stack wrote.
@Suite(.serialized) struct IPTablesRealTests {
    static func stackName() -> String { "nf-" + String(UUID().uuidString.prefix(8)).lowercased() }

    /// The exit host in the lab's exit namespace, with forwarding on, and the `iptables:` key.
    static func exitHost(_ lab: ExitNodeLab) -> String {
        """
        hosts:
          exit: { transport: netns, namespace: \(lab.exit.name) }
        sysctl:
          forward: { host: exit, key: net.ipv4.ip_forward, value: "1" }
        iptables:

        """
    }

    /// The exit-node manifest with the iptables backend; `egressRules` and `persist` vary per step.
    static func iptablesManifest(
        _ lab: ExitNodeLab, egress: Bool = true, nat: Bool = true, family: String = "ipv4",
        persist: String? = nil
    ) -> String {
        var text = exitHost(lab)
        let persistLines =
            persist.map { "    persist: true\n    persistDirectory: \($0)/rules\n    unitDirectory: \($0)/units\n" }
            ?? ""
        if egress {
            text += """
                  egress-log:
                    host: exit
                    table: mangle
                    chain: OC_EGRESS
                    family: \(family)
                    rules:
                      - -m conntrack --ctstate NEW -j LOG --log-prefix "OC_EGRESS " --log-level 4
                    hook: { chain: FORWARD, position: 1, match: -i e0 }

                """ + persistLines
        }
        if nat {
            text += """
                  exit-nat:
                    host: exit
                    table: nat
                    chain: OC_EXIT_NAT
                    rules:
                      - -s 10.99.1.0/24 -o e1 -j MASQUERADE
                    hook: { chain: POSTROUTING }

                """ + persistLines
        }
        return text
    }

    /// The packet counter of the first rule of `chain` in `table` (`iptables-save -c`).
    static func packets(_ lab: ExitNodeLab, table: String, chain: String, tool: String = "iptables-save") async throws
        -> Int
    {
        let save = IPTablesSave(parsing: try await lab.exitRun([tool, "-c"]))
        return try #require(save.tables[table]?.rules(of: chain).first?.packets, "no rule in \(table) \(chain)")
    }

    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(3)))
    func iptablesChainsForwardMasqueradeCountDriftAndRemoveExactly() async throws {
        try #require(ToolLocator.isAvailable("iptables-restore"), "apt-get install iptables")
        try await withExitNodeLab { lab in
            let stack = try EngineStack(name: Self.stackName())

            // 1. From nothing: forwarding, the egress chain with its hook, the NAT chain with its hook.
            let first = try await stack.plan(Self.iptablesManifest(lab))
            #expect(
                first.actions.map(\.address).sorted() == ["iptables.egress-log", "iptables.exit-nat", "sysctl.forward"])
            #expect(first.actions.allSatisfy { $0.action == .create })
            await stack.apply(first)

            // 2. It works: the internet side sees the exit's address, and OC_EGRESS counted the connection.
            #expect(try await lab.sourceSeenByInternet() == ExitNodeLab.exitOutside)
            let counted = try await Self.packets(lab, table: "mangle", chain: "OC_EGRESS")
            #expect(counted >= 1)
            #expect(try await lab.sourceSeenByInternet() == ExitNodeLab.exitOutside)
            #expect(try await Self.packets(lab, table: "mangle", chain: "OC_EGRESS") > counted)
            let save = IPTablesSave(parsing: try await lab.exitRun(["iptables-save"]))
            let hook = try #require(save.tables["mangle"]?.rules(of: "FORWARD").first)
            #expect(hook.spec == "-i e0 -m comment --comment \(hook.comment ?? "") -j OC_EGRESS")
            #expect(hook.mark?.isHook == true)
            #expect(save.tables["nat"]?.rules(of: "OC_EXIT_NAT").map(\.mark?.name) == ["exit-nat"])

            // 3. The second plan is empty.
            #expect(try await stack.plan(Self.iptablesManifest(lab)).actions.isEmpty)

            // 4. Hand edits: a rule deleted from an owned chain and a rule added inside one are drift; a rule
            //    added elsewhere is not ours and stays.
            try await lab.exitRun(["iptables", "-t", "nat", "-D", "OC_EXIT_NAT", "1"])
            try await lab.exitRun(["iptables", "-t", "mangle", "-A", "OC_EGRESS", "-s", "10.99.1.9", "-j", "DROP"])
            try await lab.exitRun(["iptables", "-A", "FORWARD", "-s", "10.99.1.8", "-j", "DROP"])
            let drifted = try await stack.plan(Self.iptablesManifest(lab))
            #expect(drifted.actions.map(\.address).sorted() == ["iptables.egress-log", "iptables.exit-nat"])
            #expect(drifted.actions.allSatisfy { $0.action == .update && $0.cause == .drift })
            let egress = try #require(drifted.change("iptables.egress-log"))
            #expect(egress.before?["rules"].listValue?.last == "-s 10.99.1.9/32 -j DROP")
            await stack.apply(drifted)
            let healed = IPTablesSave(parsing: try await lab.exitRun(["iptables-save"]))
            #expect(healed.tables["mangle"]?.rules(of: "OC_EGRESS").count == 1)
            #expect(healed.tables["nat"]?.rules(of: "OC_EXIT_NAT").count == 1)
            #expect(healed.tables["mangle"]?.rules(of: "FORWARD").count == 1)
            #expect(try await lab.sourceSeenByInternet() == ExitNodeLab.exitOutside)
            #expect(try await stack.plan(Self.iptablesManifest(lab)).actions.isEmpty)

            // 5. A hook moved down by a rule inserted above it is drift too (position 1 is wanted).
            try await lab.exitRun(["iptables", "-t", "mangle", "-I", "FORWARD", "1", "-s", "10.99.1.7", "-j", "ACCEPT"])
            let moved = try await stack.plan(Self.iptablesManifest(lab))
            #expect(moved.actions.map(\.address) == ["iptables.egress-log"])
            #expect(moved.change("iptables.egress-log")?.attributes.map(\.path) == [ValuePath("hook.position")])
            await stack.apply(moved)
            let rehooked = IPTablesSave(parsing: try await lab.exitRun(["iptables-save"]))
            let forward = rehooked.tables["mangle"]?.rules(of: "FORWARD") ?? []
            #expect(forward.map { $0.mark?.isHook == true } == [true, false])

            // 6. Removing the egress resource removes exactly its chain and hook.
            let removed = try await stack.plan(Self.iptablesManifest(lab, egress: false))
            #expect(removed.actions.map(\.address) == ["iptables.egress-log"])
            #expect(removed.actions.map(\.action) == [.delete])
            await stack.apply(removed)
            let after = IPTablesSave(parsing: try await lab.exitRun(["iptables-save"]))
            #expect(after.tables["mangle"]?.has(chain: "OC_EGRESS") == false)
            #expect(after.tables["mangle"]?.rules(of: "FORWARD").map(\.spec) == ["-s 10.99.1.7/32 -j ACCEPT"])
            #expect(after.tables["filter"]?.rules(of: "FORWARD").map(\.spec) == ["-s 10.99.1.8/32 -j DROP"])
            #expect(after.tables["nat"]?.rules(of: "OC_EXIT_NAT").count == 1)
            #expect(try await lab.sourceSeenByInternet() == ExitNodeLab.exitOutside)

            // 7. Destroy takes the rest; nothing of the stack is left.
            await stack.apply(try await stack.plan(Self.iptablesManifest(lab, egress: false), destroy: true))
            let empty = try await lab.exitRun(["iptables-save"])
            #expect(!empty.contains("ocplan:"))
            #expect(!empty.contains("OC_EXIT_NAT"))
            #expect(await stack.journal.entries.isEmpty)
        }
    }

    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(3)))
    func nftChainsForwardMasqueradeCountDriftAndRemoveExactly() async throws {
        try #require(ToolLocator.isAvailable("nft"), "apt-get install nftables")
        try await withExitNodeLab { lab in
            let stack = try EngineStack(name: Self.stackName())
            let table = "ocplan_\(stack.name)"
            func manifest(egress: Bool = true) -> String {
                var text =
                    Self.exitHost(lab) + """
                          exit-nat:
                            host: exit
                            backend: nft
                            table: nat
                            chain: OC_EXIT_NAT
                            rules:
                              - ip saddr 10.99.1.0/24 oifname "e1" counter masquerade
                            hook: { chain: POSTROUTING }

                        """
                if egress {
                    text += """
                          egress-log:
                            host: exit
                            backend: nft
                            table: mangle
                            chain: OC_EGRESS
                            rules:
                              - ct state new counter log prefix "OC_EGRESS "
                            hook: { chain: FORWARD, match: iifname "e0" }

                        """
                }
                return text
            }
            func ruleset() async throws -> NFTRuleset {
                let listing = try await lab.exit.runner().run(Command(["nft", "-j", "list", "table", "inet", table]))
                return listing.succeeded ? try NFTRuleset(json: listing.stdoutText) : NFTRuleset()
            }

            let first = try await stack.plan(manifest())
            #expect(first.actions.count == 3)
            await stack.apply(first)
            #expect(try await lab.sourceSeenByInternet() == ExitNodeLab.exitOutside)
            let counted = try #require(try await ruleset().rules(of: "OC_EGRESS").first?.packets)
            #expect(counted >= 1)
            #expect(try await lab.sourceSeenByInternet() == ExitNodeLab.exitOutside)
            #expect(try #require(try await ruleset().rules(of: "OC_EGRESS").first?.packets) > counted)
            let hookChain = try #require(try await ruleset().chain("OC_EGRESS_hook"))
            #expect(hookChain.type == "filter")
            #expect(hookChain.hook == "forward")
            #expect(hookChain.priority == -150)
            #expect(try await stack.plan(manifest()).actions.isEmpty)

            // A rule deleted by hand is drift, healed.
            let handle = try #require(try await ruleset().rules(of: "OC_EXIT_NAT").first?.handle)
            try await lab.exitRun(["nft", "delete", "rule", "inet", table, "OC_EXIT_NAT", "handle", String(handle)])
            let drifted = try await stack.plan(manifest())
            #expect(drifted.actions.map(\.address) == ["iptables.exit-nat"])
            #expect(drifted.actions.map(\.cause) == [.drift])
            await stack.apply(drifted)
            #expect(try await ruleset().rules(of: "OC_EXIT_NAT").count == 1)
            #expect(try await lab.sourceSeenByInternet() == ExitNodeLab.exitOutside)

            // Removing one resource removes its two chains; the last one takes the table.
            await stack.apply(try await stack.plan(manifest(egress: false)))
            #expect(try await ruleset().chains.map(\.name).sorted() == ["OC_EXIT_NAT", "OC_EXIT_NAT_hook"])
            await stack.apply(try await stack.plan(manifest(egress: false), destroy: true))
            #expect(try await ruleset().chains.isEmpty)
            let tables = try await lab.exitRun(["nft", "list", "tables"])
            #expect(!tables.contains(table))
        }
    }

    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(3)))
    func persistedRulesRestoreTheSameChainsInAFreshNamespace() async throws {
        try await withExitNodeLab { lab in
            let stack = try EngineStack(name: Self.stackName())
            let files = try TempDirectory(prefix: "ocplan-nf-persist")
            let manifest = Self.iptablesManifest(lab, family: "both", persist: files.path)
            await stack.apply(try await stack.plan(manifest))
            #expect(try await stack.plan(manifest).actions.isEmpty)

            let unit = "ocplan-netfilter-\(stack.name)-egress-log.service"
            let unitText = try String(contentsOfFile: files.path + "/units/" + unit, encoding: .utf8)
            let v4 = files.path + "/rules/\(stack.name).egress-log.v4.rules"
            let v6 = files.path + "/rules/\(stack.name).egress-log.v6.rules"
            #expect(unitText.contains("ExecStart=/usr/sbin/iptables-restore -w 5 --noflush \(v4)\n"))
            #expect(unitText.contains("ExecStart=/usr/sbin/ip6tables-restore -w 5 --noflush \(v6)\n"))
            let link = try FileManager.default.destinationOfSymbolicLink(
                atPath: files.path + "/units/multi-user.target.wants/" + unit)
            #expect(link == files.path + "/units/" + unit)

            // "Reboot": load the files into a namespace that has never seen the stack, as the unit would.
            try await withNetNamespace { fresh in
                for (tool, file) in [
                    ("iptables-restore", v4), ("ip6tables-restore", v6),
                    ("iptables-restore", files.path + "/rules/\(stack.name).exit-nat.v4.rules"),
                ] {
                    let text = try String(contentsOfFile: file, encoding: .utf8)
                    try await fresh.runner().check(
                        Command([tool, "-w", "5", "--noflush"], stdin: Data(text.utf8)), host: fresh.name)
                }
                for tool in ["iptables-save", "ip6tables-save"] {
                    let booted = IPTablesSave(parsing: try await fresh.run([tool]))
                    let live = IPTablesSave(parsing: try await lab.exitRun([tool]))
                    for table in ["mangle", "nat"] {
                        #expect(booted.tables[table]?.rules == live.tables[table]?.rules, "\(tool) \(table)")
                    }
                }
            }

            // persist turned off: the files and the unit go, the rules stay.
            let unpersisted = try await stack.plan(Self.iptablesManifest(lab, family: "both"))
            #expect(unpersisted.actions.map(\.address).sorted() == ["iptables.egress-log", "iptables.exit-nat"])
            #expect(unpersisted.actions.allSatisfy { $0.attributes.map(\.path) == [ValuePath("persist")] })
            await stack.apply(unpersisted)
            #expect(!FileManager.default.fileExists(atPath: v4))
            #expect(!FileManager.default.fileExists(atPath: files.path + "/units/" + unit))
            #expect(try await lab.exitRun(["ip6tables-save"]).contains("OC_EGRESS"))
            await stack.apply(try await stack.plan(Self.iptablesManifest(lab, family: "both"), destroy: true))
        }
    }

    /// Two owned chains, `iptables.egress` jumping to `iptables.log` (which sorts after it), in one namespace.
    static func jumpManifest(_ namespace: NetNamespace, backend: String, chains: Bool = true) -> String {
        var text = "hosts:\n  ns: { transport: netns, namespace: \(namespace.name) }\niptables:"
        guard chains else { return text + " {}\n" }
        let (jump, goto, log) =
            backend == "nft"
            ? (#"iifname "lo" jump OC_LOG"#, "goto OC_LOG", #"counter log prefix "OC_LOG ""#)
            : ("-i lo -j OC_LOG", "-g OC_LOG", #"-j LOG --log-prefix "OC_LOG ""#)
        text += """

              egress:
                host: ns
                backend: \(backend)
                table: mangle
                chain: OC_EGRESS
                rules: ['\(jump)', '\(goto)']
                hook: { chain: OUTPUT }
              log:
                host: ns
                backend: \(backend)
                table: mangle
                chain: OC_LOG
                rules: ['\(log)']

            """
        return text
    }

    @Test(
        .enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(3)),
        arguments: ["iptables", "nft"])
    func aChainJumpingToAnotherOwnedChainAppliesAndGoesInOneRun(backend: String) async throws {
        try #require(ToolLocator.isAvailable(backend == "nft" ? "nft" : "iptables-restore"))
        try await withNetNamespace { namespace in
            let stack = try EngineStack(name: Self.stackName())
            let manifest = Self.jumpManifest(namespace, backend: backend)
            func listing() async throws -> String {
                guard backend == "nft" else { return try await namespace.run(["iptables-save", "-t", "mangle"]) }
                let listed = try await namespace.runner().run(
                    Command(["nft", "list", "table", "inet", "ocplan_\(stack.name)"]))
                return listed.succeeded ? listed.stdoutText : ""
            }

            // From nothing, in one apply: the jumped-to chain first.
            let first = try await stack.plan(manifest)
            #expect(first.actions.map(\.action) == [.create, .create])
            #expect(first.change("iptables.egress")?.dependencies == ["iptables.log"])
            await stack.apply(first)
            let loaded = try await listing()
            #expect(loaded.contains("OC_EGRESS"))
            #expect(loaded.contains(backend == "nft" ? "jump OC_LOG" : "-j OC_LOG"))
            #expect(loaded.contains(backend == "nft" ? "goto OC_LOG" : "-g OC_LOG"))
            #expect(try await stack.plan(manifest).actions.isEmpty)

            // Both removed in one apply: the jumping chain goes first (a chain still jumped to cannot be deleted).
            let removal = try await stack.plan(Self.jumpManifest(namespace, backend: backend, chains: false))
            #expect(removal.actions.map(\.action) == [.delete, .delete])
            await stack.apply(removal)
            let left = try await listing()
            #expect(!left.contains("OC_EGRESS"))
            #expect(!left.contains("OC_LOG"))
            #expect(!left.contains("ocplan:"))
            #expect(await stack.journal.entries.isEmpty)
        }
    }
}
