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

    @Test func twoEntriesOnOneHostShareTheStacksAnchor() {
        let other = PFAnchorSpec(host: "mac", rules: ["pass out all"])
        let elsewhere = PFAnchorSpec(host: "mac2", rules: ["pass out all"])
        let hosts = Self.macHosts.merging(["mac2": Host(name: "mac2", transport: .ssh, os: .macos)]) { $1 }
        let diagnostics = PFAnchorSpec(host: "mac", rules: ["pass out all"])
            .validate(
                in: SpecTest.context(
                    Address("pf", "vmnet-nat"),
                    specs: [Address("pf", "other"): other, Address("pf", "far"): elsewhere],
                    hosts: hosts))
        #expect(SpecTest.summaries(diagnostics, .error) == ["pf entries share the stack's anchor"])
        #expect(diagnostics.first?.detail?.contains("pf.other also loads rules on host mac") == true)
        #expect(diagnostics.first?.detail?.contains("Merge the rules") == true)
        #expect(diagnostics.first?.keyPath == "pf.vmnet-nat.host")
    }

    @Test(arguments: ["rdr pass on lo0 proto tcp from any to any port 80 -> 127.0.0.1 port 8080", "scrub in all"])
    func warnsAboutRulesTheAnchorLinesDoNotReach(rule: String) throws {
        let diagnostics = try validate([rule])
        #expect(
            SpecTest.summaries(diagnostics, .warning).first?.hasSuffix("rules are not evaluated in the stack's anchor")
                == true)
        #expect(SpecTest.summaries(diagnostics, .error).isEmpty)
    }

    @Test func warnsWhenTheHostIsNotMacOS() throws {
        let hosts: [String: Host] = ["vm": Host(name: "vm", transport: .multipass, vm: "vm")]
        let diagnostics = PFAnchorSpec(host: "vm", rules: [])
            .validate(in: SpecTest.context(Address("pf", "x"), hosts: hosts))
        #expect(SpecTest.summaries(diagnostics, .warning) == ["pf rules on a host that is not macOS"])
    }
}
