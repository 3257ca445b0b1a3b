import OCCore
import OCPacketFilter
import Testing

@Suite struct PFAnchorSpecTests {
    static let macHosts: [String: Host] = ["mac": Host(name: "mac", transport: .local, os: .macos)]

    private func validate(_ rules: [String], host: String = "mac") throws -> [Diagnostic] {
        PFAnchorSpec(host: host, rules: rules)
            .validate(in: SpecTest.context(Address("pf", "vmnet-nat"), hosts: Self.macHosts))
    }

    @Test func decodesTheDesignsNATRuleWithDefaults() throws {
        let spec = try SpecDecoding.decode(
            PFAnchorSpec.self,
            yaml: "host: mac\nrules: [\"nat on ${uplink} from 192.168.64.0/24 to any -> (${uplink})\"]")
        #expect(spec.rules.count == 1)
        #expect(spec.enable)
        #expect(!spec.persist)
        #expect(spec.hostNames == ["mac"])
    }

    @Test func acceptsTheSubstitutedNATRule() throws {
        #expect(try validate(["nat on en0 from 192.168.64.0/24 to any -> (en0)"]).isEmpty)
    }

    @Test func reportsVariablesLeftUnresolved() throws {
        let diagnostics = try validate(["nat on ${uplnk} from 192.168.64.0/24 to any -> (${uplnk})"])
        #expect(diagnostics.map(\.summary) == ["Unresolved variable in pf rule", "Unresolved variable in pf rule"])
        #expect(diagnostics.first?.detail?.contains("`${uplnk}`") == true)
        #expect(diagnostics.first?.keyPath == "pf.vmnet-nat.rules[0]")
    }

    @Test func reportsTranslationAfterFiltering() throws {
        let diagnostics = try validate([
            "pass out on en0 from 192.168.64.0/24", "nat on en0 from 192.168.64.0/24 to any -> (en0)",
        ])
        #expect(diagnostics.map(\.summary) == ["pf rules are out of order"])
        #expect(diagnostics.first?.keyPath == "pf.vmnet-nat.rules[1]")
    }

    @Test(arguments: [
        (["nat on en0 from 192.168.64.0/24 to any -> en0"], "NAT to an interface without parentheses"),
        (["natt on en0 from any to any -> (en0)"], "Unknown pf rule"),
        (["nat on $ext_if from 192.168.64.0/24 to any -> ($ext_if)"], "Undefined pf macro"),
    ])
    func reportsRuleMistakes(rules: [String], summary: String) throws {
        #expect(try validate(rules).map(\.summary).first == summary)
    }

    @Test func macrosDefinedInTheAnchorAreFine() throws {
        #expect(try validate(["ext_if = \"en0\"", "nat on $ext_if from 192.168.64.0/24 to any -> ($ext_if)"]).isEmpty)
    }

    @Test func warnsWhenTheHostIsNotMacOS() throws {
        let hosts: [String: Host] = ["vm": Host(name: "vm", transport: .multipass, vm: "vm")]
        let diagnostics = PFAnchorSpec(host: "vm", rules: [])
            .validate(in: SpecTest.context(Address("pf", "x"), hosts: hosts))
        #expect(SpecTest.summaries(diagnostics, .warning) == ["pf rules on a host that is not macOS"])
    }
}
