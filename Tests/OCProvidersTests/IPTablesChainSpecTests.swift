import Foundation
import OCCore
import OCIPTables
import Testing

@Suite struct IPTablesChainSpecTests {
    static let design = """
        host: oc-exit
        table: filter
        chain: OC_EGRESS
        rules: ["-j LOG --log-prefix \\"OC_EGRESS \\""]
        hook: { chain: FORWARD, position: 1 }
        """

    private func decode(_ yaml: String) throws -> IPTablesChainSpec {
        try SpecDecoding.decode(IPTablesChainSpec.self, yaml: yaml)
    }

    private func validate(_ yaml: String, others: [Address: any ResourceSpec] = [:]) throws -> [Diagnostic] {
        try decode(yaml).validate(in: SpecTest.context(Address("iptables", "oc-egress"), specs: others))
    }

    @Test func decodesTheDesignsChain() throws {
        let spec = try decode(Self.design)
        #expect(spec.chain == "OC_EGRESS")
        #expect(spec.rules == ["-j LOG --log-prefix \"OC_EGRESS \""])
        #expect(spec.hook == IPTablesChainSpec.Hook(chain: "FORWARD", position: 1))
        #expect(spec.family == .ipv4)
        #expect(spec.backend == .iptables)
        #expect(spec.hostNames == ["oc-exit"])
    }

    @Test func warnsThatTheDesignsFilterForwardHookMissesExitTraffic() throws {
        let diagnostics = try validate(Self.design)
        #expect(diagnostics.map(\.summary) == ["A filter FORWARD hook misses exit-node traffic"])
        #expect(diagnostics.first?.severity == .warning)
        let mangle = Self.design.replacingOccurrences(of: "table: filter", with: "table: mangle")
        #expect(try validate(mangle).isEmpty)
    }

    @Test(arguments: [
        ("-j LOG --log-prefix \"OC_EGRESS \"", ["-j", "LOG", "--log-prefix", "OC_EGRESS "]),
        (
            "-m comment --comment 'has \"quotes\"' -j RETURN",
            ["-m", "comment", "--comment", "has \"quotes\"", "-j", "RETURN"]
        ),
        ("-s 10.0.0.0/8  -j\tACCEPT", ["-s", "10.0.0.0/8", "-j", "ACCEPT"]),
        ("--log-prefix \"a \\\"b\\\"\" x\\ y", ["--log-prefix", "a \"b\"", "x y"]),
        ("--comment \"\"", ["--comment", ""]),
    ])
    func tokenizesRulesLikeAShell(rule: String, arguments: [String]) {
        #expect(IPTablesRuleTokenizer.arguments(of: rule) == arguments)
    }

    @Test(arguments: ["-j LOG --log-prefix \"open", "-j 'x", "ends \\"])
    func rejectsUnbalancedQuotes(rule: String) {
        #expect(IPTablesRuleTokenizer.arguments(of: rule) == nil)
    }

    @Test(arguments: [
        ("table: mangle\nchain: FORWARD", "Owned chains must be user chains"),
        ("table: mangle\nchain: OC_THIS_NAME_IS_FAR_TOO_LONG_FOR_IT", "Invalid chain name"),
        ("table: raw\nchain: OC_X\nhook: { chain: POSTROUTING }", "Hook chain is not in the raw table"),
        (
            "table: filter\nchain: OC_X\nrules: [\"-s 100.64.0.0/10 -j MASQUERADE\"]",
            "MASQUERADE only works in the nat table"
        ),
        (
            "table: nat\nchain: OC_X\nrules: [\"-A POSTROUTING -j MASQUERADE\"]",
            "Rules must not name a command or table"
        ),
        ("table: nat\nchain: OC_X\nrules: [\"oifname eth0 masquerade\"]", "Rule is not in iptables syntax"),
        ("table: nat\nchain: OC_X\nrules: [\"-j LOG --log-prefix \\\"x\"]", "Unbalanced quote in rule"),
        ("table: nat\nchain: OC_X\nrules: [\"-o ${wan} -j MASQUERADE\"]", "Unresolved variable in rule"),
        (
            "table: nat\nchain: OC_X\nfamily: both\nrules: [\"-s 100.64.0.0/10 -j MASQUERADE\"]",
            "IPv4 address in a rule loaded into ip6tables"
        ),
        (
            "table: filter\nchain: OC_X\nrules: [\"-d fd7a:115c:a1e0::/48 -j ACCEPT\"]",
            "IPv6 address in a rule loaded into iptables"
        ),
        ("table: nat\nchain: OC_X\nbackend: nft\nrules: [\"-j MASQUERADE\"]", "iptables syntax with the nft backend"),
    ])
    func reportsInvalidChains(yaml: String, summary: String) throws {
        #expect(SpecTest.summaries(try validate(yaml), .error) == [summary])
    }

    @Test func warnsAboutChainsOutsideTheOCPrefix() throws {
        #expect(
            SpecTest.summaries(try validate("table: mangle\nchain: EGRESS"), .warning) == ["Chain is not named OC_*"])
    }

    @Test func reportsTheSameChainDeclaredTwiceOnAHost() throws {
        let others: [Address: any ResourceSpec] = [
            Address("iptables", "copy"): IPTablesChainSpec(table: .mangle, chain: "OC_EGRESS"),
            Address("iptables", "other-table"): IPTablesChainSpec(table: .filter, chain: "OC_EGRESS"),
        ]
        #expect(
            try validate("table: mangle\nchain: OC_EGRESS", others: others).map(\.summary) == ["Chain declared twice"])
    }

    @Test func hooksFromAnotherOwnedChainAreRefusedForARule() throws {
        let others: [Address: any ResourceSpec] = [
            Address("iptables", "parent"): IPTablesChainSpec(table: .mangle, chain: "OC_PARENT")
        ]
        let diagnostics = try validate("table: mangle\nchain: OC_CHILD\nhook: { chain: OC_PARENT }", others: others)
        #expect(diagnostics.map(\.summary) == ["Hooks jump from built-in chains"])
        #expect(diagnostics.first?.detail?.contains("`-j OC_CHILD`") == true)
    }

    @Test func twoHooksAtTheSamePositionWouldPushEachOtherDown() throws {
        let hook = IPTablesChainSpec.Hook(chain: "FORWARD", position: 1)
        let others: [Address: any ResourceSpec] = [
            Address("iptables", "first"): IPTablesChainSpec(
                table: .mangle, chain: "OC_FIRST", hook: hook, family: .both),
            Address("iptables", "v6"): IPTablesChainSpec(table: .mangle, chain: "OC_V6", hook: hook, family: .ipv6),
            Address("iptables", "second"): IPTablesChainSpec(
                table: .mangle, chain: "OC_SECOND", hook: .init(chain: "FORWARD", position: 2)),
        ]
        let diagnostics = try validate(
            "table: mangle\nchain: OC_EGRESS\nhook: { chain: FORWARD, position: 1 }", others: others)
        #expect(diagnostics.map(\.summary) == ["Two hooks at the same position"])
        #expect(diagnostics.first?.detail?.contains("iptables.first") == true)
        #expect(diagnostics.first?.keyPath == "iptables.oc-egress.hook.position")
    }

    // MARK: - Jumps to other owned chains

    @Test(arguments: [
        ("-i e0 -j OC_CHILD", IPTablesChainSpec.Backend.iptables, ["OC_CHILD"]),
        ("-p tcp --jump OC_A -g OC_B", .iptables, ["OC_A", "OC_B"]),
        ("--goto=OC_C", .iptables, ["OC_C"]),
        ("-j LOG --log-prefix \"-j OC_NOT \"", .iptables, ["LOG"]),
        ("iifname \"e0\" jump OC_CHILD", .nft, ["OC_CHILD"]),
        ("tcp dport vmap { 22 : jump OC_SSH, 80 : goto OC_WEB }", .nft, ["OC_SSH", "OC_WEB"]),
        ("-j 'open", .iptables, []),
    ])
    func findsJumpAndGotoTargets(rule: String, backend: IPTablesChainSpec.Backend, targets: [String]) {
        #expect(IPTablesChainSpec.jumpTargets(of: rule, backend: backend) == targets)
    }

    @Test func referencesTheOwnerOfAJumpedToChainOnTheSameHostTableAndFamily() {
        let parent = IPTablesChainSpec(
            host: "exit", table: .mangle, chain: "OC_PARENT",
            rules: [
                "-j ACCEPT", "-i e0 -j OC_CHILD", "-g OC_CHILD", "-j OC_V6", "-j OC_ELSEWHERE", "-j OC_OTHER_TABLE",
            ])
        let specs: [Address: any ResourceSpec] = [
            "iptables.parent": parent,
            "iptables.child": IPTablesChainSpec(host: "exit", table: .mangle, chain: "OC_CHILD", family: .both),
            "iptables.v6": IPTablesChainSpec(host: "exit", table: .mangle, chain: "OC_V6", family: .ipv6),
            "iptables.elsewhere": IPTablesChainSpec(host: "mac", table: .mangle, chain: "OC_ELSEWHERE"),
            "iptables.other-table": IPTablesChainSpec(host: "exit", table: .filter, chain: "OC_OTHER_TABLE"),
            "iptables.nft": IPTablesChainSpec(host: "exit", table: .mangle, chain: "OC_NFT", backend: .nft),
        ]
        let references = parent.references(among: specs)
        #expect(references.map(\.target) == ["iptables.child"])
        #expect(references.map(\.keyPath) == ["rules[1]"])
        #expect(references.allSatisfy { !$0.required })

        // nft chains all live in the stack's table: any nft chain of the host can be jumped to.
        let nftParent = IPTablesChainSpec(
            host: "exit", table: .filter, chain: "OC_NFT_PARENT", rules: ["jump OC_NFT", "jump OC_CHILD"],
            backend: .nft)
        #expect(nftParent.references(among: specs).map(\.target) == ["iptables.nft"])
    }
}
