import Foundation
import OCCore
import OCTestSupport
import Testing

/// The pfctl double speaks the formats of reference §8, so the provider's tests mean something.
@Suite struct PFFakeCLITests {
    @Test func listsTheDocumentedNormalisationWithTheALTQNoise() async throws {
        let fake = FakePfctlCLI()
        let load = try await fake.run(
            Command(
                ["pfctl", "-a", "ocplan/lab", "-f", "-"],
                stdin: Data("nat on en0 from 192.168.64.0/24 to any -> (en0)\n".utf8)))
        #expect(load.succeeded)
        let listed = try await fake.run(Command(["pfctl", "-a", "ocplan/lab", "-sn"]))
        #expect(listed.stdoutText == "nat on en0 inet from 192.168.64.0/24 to any -> (en0) round-robin\n")
        #expect(listed.stderrText == "No ALTQ support in kernel\nALTQ related functions disabled\n")
        #expect(try await fake.run(Command(["pfctl", "-sn"])).stdoutText.contains("nat-anchor \"com.apple/*\" all\n"))
    }

    @Test func theStockMacIsLoadedAsAtBoot() {
        let fake = FakePfctlCLI()
        #expect(fake.mainRuleset.contains("anchor \"com.apple/*\" all"))
        #expect(
            fake.rules(inAnchor: "com.apple") == [
                "anchor \"200.AirDrop/*\" all", "anchor \"250.ApplicationFirewall/*\" all",
            ])
        #expect(!fake.enabled)
    }

    @Test func parseOnlyEchoesMacrosAndFailsWithTheLineOfASyntaxError() throws {
        let fake = FakePfctlCLI()
        let parsed = try fake.byHand(
            ["pfctl", "-a", "ocplan/lab", "-nvf", "-"],
            stdin: "ext_if = \"en0\"\nnat on $ext_if from 192.168.64.0/24 to any -> ($ext_if)\n")
        #expect(
            parsed.stdoutText
                == "ext_if = \"en0\"\nnat on en0 inet from 192.168.64.0/24 to any -> (en0) round-robin\n")
        #expect(fake.rules(inAnchor: "ocplan/lab").isEmpty, "-n loads nothing")
        let broken = try fake.byHand(["pfctl", "-a", "ocplan/lab", "-nvf", "-"], stdin: "pass out all\nnatt on en0\n")
        #expect(broken.exitStatus == 1)
        #expect(broken.stderrText.hasSuffix("stdin:2: syntax error\n"))
    }

    @Test func checkingAMainRulesetReadsTheFilesOfItsLoadAnchorLines() throws {
        let fake = FakePfctlCLI()
        fake.write(
            FakePfctlCLI.stockPfConf + "load anchor \"ocplan/lab\" from \"/etc/pf.anchors/ocplan.lab\"\n",
            to: "/etc/pf.conf.new")
        let missing = try fake.byHand(["pfctl", "-nf", "/etc/pf.conf.new"])
        #expect(missing.exitStatus == 1)
        #expect(missing.stderrText.contains("pfctl: /etc/pf.anchors/ocplan.lab: No such file or directory\n"))
        fake.write("pass out all\n", to: "/etc/pf.anchors/ocplan.lab")
        #expect(try fake.byHand(["pfctl", "-nf", "/etc/pf.conf.new"]).succeeded)
        #expect(fake.rules(inAnchor: "ocplan/lab").isEmpty, "a check loads nothing")
        let load = try fake.byHand(["pfctl", "-f", "/etc/pf.conf.new"])
        #expect(load.stderrText.contains("could result in flushing of rules"))
        #expect(fake.rules(inAnchor: "ocplan/lab") == ["pass out all flags S/SA keep state"])
    }

    @Test func enableReferencesCountLikeXNU() throws {
        let fake = FakePfctlCLI()
        let first = try fake.byHand(["pfctl", "-E"])
        let second = try fake.byHand(["pfctl", "-E"])
        #expect(first.succeeded && second.succeeded, "-E succeeds also when pf is on")
        #expect(first.stderrText.contains("pf enabled\nToken : "))
        #expect(fake.tokens.count == 2)
        let already = try fake.byHand(["pfctl", "-e"])
        #expect(already.exitStatus == 1)
        #expect(already.stderrText.hasSuffix("pfctl: pf already enabled\n"))
        #expect(try fake.byHand(["pfctl", "-X", fake.tokens[0]]).succeeded)
        #expect(fake.enabled, "one reference is still held")
        #expect(try fake.byHand(["pfctl", "-X", "42"]).stderrText.hasSuffix("pfctl: DIOCSTOPREF: Invalid argument\n"))
        #expect(try fake.byHand(["pfctl", "-X", fake.tokens[0]]).succeeded)
        #expect(!fake.enabled, "the last reference disables pf")
        #expect(try fake.byHand(["pfctl", "-X", "1"]).stderrText.hasSuffix("pfctl: pf not enabled\n"))
    }

    @Test func disablingInvalidatesEveryToken() throws {
        let fake = FakePfctlCLI()
        let token = try #require(PFFakeCLITests.token(try fake.byHand(["pfctl", "-E"])))
        try fake.byHand(["pfctl", "-d"])
        #expect(fake.tokens.isEmpty)
        try fake.byHand(["pfctl", "-E"])
        #expect(try fake.byHand(["pfctl", "-X", token]).exitStatus == 1)
    }

    @Test(arguments: [
        ["pfctl", "-s", "Anchors"], ["pfctl", "-e", "-d"], ["pfctl", "-a", "x", "-F", "rules"], ["launchctl", "list"],
        ["rm", "-rf", "/etc"],
    ])
    func anyOtherCommandThrowsNamingIt(argv: [String]) async {
        await #expect(throws: FakePfctlCLI.UnknownCommand.self) {
            _ = try await FakePfctlCLI().run(Command(argv))
        }
    }

    static func token(_ result: CommandResult) -> String? {
        result.stderrText.split(separator: "\n").first { $0.hasPrefix("Token : ") }.map { String($0.dropFirst(8)) }
    }
}
