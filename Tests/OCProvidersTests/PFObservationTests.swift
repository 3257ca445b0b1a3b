import Foundation
import OCPacketFilter
import Testing

/// pfctl output in the shapes of reference §8.2 (no Mac was available to record them; the `Token` line is the
/// one dlenski/vpn-slice #74 parses, the listing with `all` the one TheNewNormal/corectl #105 shows).
enum PfctlOutput {
    static let noise = "No ALTQ support in kernel\nALTQ related functions disabled\n"
    static let infoEnabled = """
        Status: Enabled for 0 days 01:02:03           Debug: Urgent

        State Table                          Total             Rate
          current entries                        4
        """
    static let infoDisabled = "Status: Disabled                              Debug: Urgent\n\nState Table\n"
    static let mainNAT = """
        nat-anchor "com.apple/*" all
        nat-anchor "com.apple.internet-sharing" all
        nat-anchor "ocplan/lab" all
        rdr-anchor "com.apple/*" all

        """
    static let mainRules = "scrub-anchor \"com.apple/*\" all\nanchor \"com.apple/*\" all\nanchor \"ocplan/lab\" all\n"
    static let enableStderr = noise + "pf enabled\nToken : 16876543210001\n"
}

@Suite struct PFObservationTests {
    @Test(arguments: [
        (PfctlOutput.infoEnabled, true as Bool?), (PfctlOutput.infoDisabled, false), ("", nil),
        ("Status: Unknown\n", nil),
    ])
    func readsTheStatusLineOfInfo(info: String, enabled: Bool?) {
        #expect(PFObservation.enabled(info: info) == enabled)
    }

    @Test func findsAnchorRulesWithOrWithoutTheTrailingAll() {
        #expect(PFObservation.lists("nat-anchor", anchor: "ocplan/lab", in: PfctlOutput.mainNAT))
        #expect(PFObservation.lists("anchor", anchor: "ocplan/lab", in: "anchor \"ocplan/lab\"\n"))
        #expect(!PFObservation.lists("anchor", anchor: "ocplan/la", in: PfctlOutput.mainRules))
        #expect(!PFObservation.lists("anchor", anchor: "ocplan/lab", in: "anchor \"ocplan/lab\" on en0 all\n"))
        #expect(!PFObservation.lists("nat-anchor", anchor: "ocplan/lab", in: PfctlOutput.mainRules))
    }

    @Test func theMainRulesetReferencesTheAnchorOnlyWithBothLines() {
        #expect(PFObservation.references(anchor: "ocplan/lab", nat: PfctlOutput.mainNAT, rules: PfctlOutput.mainRules))
        #expect(!PFObservation.references(anchor: "ocplan/lab", nat: PfctlOutput.mainNAT, rules: ""))
        #expect(!PFObservation.references(anchor: "ocplan/lab", nat: "", rules: PfctlOutput.mainRules))
    }

    @Test func readsTheTokenFromStandardErrorPastTheALTQNoise() {
        #expect(PFObservation.token(stderr: PfctlOutput.enableStderr) == "16876543210001")
        #expect(PFObservation.token(stderr: PfctlOutput.noise + "pf enabled\n") == nil)
        #expect(PFObservation.messages(PfctlOutput.enableStderr) == ["pf enabled", "Token : 16876543210001"])
    }

    @Test func parsedRulesDropMacrosTablesOptionsAndBlankLines() {
        let output = """
            ext_if = "en0"
            table <vms> persist { 192.168.64.0/24 }
            set skip on lo0

            nat on en0 inet from 192.168.64.0/24 to any -> (en0) round-robin
            pass out on en0 inet from 192.168.64.0/24 to any flags S/SA keep state

            """
        #expect(
            PFObservation.parsedRules(output) == [
                "nat on en0 inet from 192.168.64.0/24 to any -> (en0) round-robin",
                "pass out on en0 inet from 192.168.64.0/24 to any flags S/SA keep state",
            ])
    }

    @Test func listingOrderPutsTranslationBeforeScrubAndKeepsOrderWithinAKind() {
        let parsed = [
            "scrub in all", "rdr pass on lo0 proto tcp from any to any port 80 -> 127.0.0.1 port 8080",
            "nat on en0 inet from any to any -> (en0) round-robin", "block in all", "pass out all",
        ]
        #expect(
            PFObservation.listingOrder(parsed) == [
                parsed[2], parsed[1], parsed[0], parsed[3], parsed[4],
            ])
    }

    @Test func parseProblemsPointAtTheRuleOfTheirLine() {
        let problems = PFObservation.parseProblems(PfctlOutput.noise + "stdin:2: syntax error\npfctl: bad\n")
        #expect(problems.map(\.rule) == [1, nil])
        #expect(problems.first?.message == "stdin:2: syntax error")
    }

    @Test(arguments: [
        ("pfctl: DIOCSTOPREF: Invalid argument\n", true), ("pfctl: pf not enabled\n", true),
        ("pfctl: /dev/pf: Permission denied\n", false),
    ])
    func aTokenAlreadyGoneIsRecognised(stderr: String, gone: Bool) {
        #expect(PFObservation.tokenAlreadyReleased(PfctlOutput.noise + stderr) == gone)
    }
}
