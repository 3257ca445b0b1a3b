import Foundation
import OCCore
import OCPacketFilter
import OCTestSupport
import Testing

@Suite struct PFProviderTests {
    static let confWrite: [[String]] = {
        var write = FakeFileCommands.writeArgv("/etc/pf.conf", os: .macos, resolved: false)
        write.insert(["pfctl", "-nf", "$TMP"], at: write.count - 1)
        return [["cat", "--", "/etc/pf.conf"], ["cp", "-p", "--", "/etc/pf.conf", "/etc/pf.conf.ocplan-backup"]] + write
    }()

    static func fileWrite(_ path: String) -> [[String]] {
        FakeFileCommands.writeArgv(path, os: .macos, resolved: false)
    }

    @Test func schemaUpdatesEverythingInPlace() {
        let provider = PFProvider()
        #expect(provider.name == "pf")
        #expect(provider.sections == ["pf"])
        let schema = provider.schema(for: "pf")
        #expect(schema.replaceOn.isEmpty)
        #expect(schema.lifecycle == .object)
        #expect(!schema.isIgnored(ValuePath("rules")))
        #expect(provider.prerequisites(on: PFFixture.mac).map(\.description) == ["pfctl on mac: part of macOS"])
    }

    // MARK: - Observe

    @Test func observesTheHostOnceAndTheAnchorWithItsOwnParse() async throws {
        let fake = FakePfctlCLI()
        let response = try await PFFixture.observe(
            [ObserveTarget(address: "pf.vmnet-nat", desired: PFFixture.desired())], runner: fake)
        #expect(response.diagnostics.isEmpty)
        #expect(response.observations["pf.vmnet-nat"]?.exists == false, "nothing of the stack on a stock Mac")
        #expect(
            fake.callArgvs == [
                ["pfctl", "-s", "info"], ["pfctl", "-sn"], ["pfctl", "-sr"], ["cat", "--", "/etc/pf.conf"],
                ["pfctl", "-a", "ocplan/lab", "-sn"], ["pfctl", "-a", "ocplan/lab", "-sr"],
                ["pfctl", "-a", "ocplan/lab", "-nvf", "-"], ["cat", "--", "/etc/pf.anchors/ocplan.lab"],
                ["cat", "--", "/Library/LaunchDaemons/io.ocplan.pf.lab.plist"],
            ])
        #expect(fake.calls[6].stdin == Data((PFFixture.natRule + "\n").utf8))
        #expect(fake.mutatingCalls.isEmpty)
    }

    @Test func normalisedRulesThatMatchAreObservedAsWritten() async throws {
        let fake = FakePfctlCLI(enabled: true, files: ["/etc/pf.conf": PFFixture.stockWithAnchor])
        try fake.byHand(["pfctl", "-f", "/etc/pf.conf"])
        try fake.byHand(["pfctl", "-a", "ocplan/lab", "-f", "-"], stdin: PFFixture.natRule + "\n")
        #expect(fake.rules(inAnchor: "ocplan/lab") == [PFFixture.natListed])
        let response = try await PFFixture.observe(
            [ObserveTarget(address: "pf.vmnet-nat", desired: PFFixture.desired())], runner: fake)
        let observation = try #require(response.observations["pf.vmnet-nat"])
        #expect(observation.ownership == .ours)
        let tree = try #require(observation.value)
        #expect(tree["rules"] == .list([.string(PFFixture.natRule)]))
        #expect(tree["enabled"] == true)
        #expect(tree["referenced"] == true)
        #expect(tree["pfConf"] == true)
        #expect(tree["persist"] == false)
        #expect(observation.planData?["/etc/pf.conf"] == .string(PFFixture.stockWithAnchor))
        #expect(tree["fileContents"] == .null, "the file snapshots travel as plan data, outside the tree")
        #expect(PFFixture.desired() == tree)
    }

    @Test func rulesThatDifferAreObservedAsListed() async throws {
        let fake = FakePfctlCLI()
        try fake.byHand(
            ["pfctl", "-a", "ocplan/lab", "-f", "-"], stdin: "nat on en1 from 10.0.0.0/8 to any -> (en1)\n")
        let response = try await PFFixture.observe(
            [ObserveTarget(address: "pf.vmnet-nat", desired: PFFixture.desired(enable: false))], runner: fake)
        let tree = try #require(response.observations["pf.vmnet-nat"]?.value)
        #expect(tree["rules"] == .list(["nat on en1 inet from 10.0.0.0/8 to any -> (en1) round-robin"]))
        #expect(tree["referenced"] == false)
        #expect(tree["enabled"] == .null, "enabled is only observed for entries that enable pf")
    }

    @Test func aRuleOrderPfctlListsDifferentlyIsStillInSync() async throws {
        let rules = [
            "scrub in all", "rdr pass on lo0 proto tcp from any to 127.0.0.2 port 80 -> 127.0.0.1 port 8080",
            PFFixture.natRule, "pass out on en0 from 192.168.64.0/24 to any",
        ]
        let fake = FakePfctlCLI()
        try fake.byHand(["pfctl", "-a", "ocplan/lab", "-f", "-"], stdin: rules.joined(separator: "\n"))
        #expect(fake.rules(inAnchor: "ocplan/lab").first == PFFixture.natListed, "listed nat, rdr, then scrub, pass")
        let response = try await PFFixture.observe(
            [ObserveTarget(address: "pf.vmnet-nat", desired: PFFixture.desired(rules))], runner: fake)
        #expect(response.observations["pf.vmnet-nat"]?.value?["rules"] == .list(rules.map(Value.string)))
    }

    @Test func aRuleThatPfctlRejectsIsAPlanErrorAtThatRule() async throws {
        let fake = FakePfctlCLI()
        let rules = [PFFixture.natRule, "nat on en0 from 192.168.64.0/24 to any (en0)"]
        let response = try await PFFixture.observe(
            [ObserveTarget(address: "pf.vmnet-nat", desired: PFFixture.desired(rules))], runner: fake)
        let error = try #require(response.diagnostics.first)
        #expect(error.severity == .error)
        #expect(error.summary == "pfctl rejects the rules of pf.vmnet-nat")
        #expect(error.keyPath == "pf.vmnet-nat.rules[1]")
        #expect(error.address == "pf.vmnet-nat")
        #expect(error.detail?.contains("stdin:2: syntax error") == true)
        #expect(error.detail?.contains("ALTQ") == false)
    }

    @Test func aHostThatIsNotMacOSRunsNothingAndIsAPlanError() async throws {
        let fake = FakePfctlCLI()
        let linux = OCCore.Host(name: "vm", transport: .local, os: .linux)
        let response = try await PFFixture.observe(
            [ObserveTarget(address: "pf.vmnet-nat", desired: PFFixture.desired())], on: linux, runner: fake)
        #expect(response.diagnostics.map(\.summary) == ["pf runs on macOS only"])
        #expect(response.diagnostics.first?.detail?.contains("which runs linux") == true)
        #expect(fake.calls.isEmpty)
    }

    @Test func pfctlWithoutRootIsAPlanErrorSayingSo() async throws {
        let runner = ScriptedRunner()
        runner.expect(
            argv: ["pfctl", "-s", "info"],
            result: CommandResult(
                exitStatus: 1, stdout: "", stderr: PfctlOutput.noise + "pfctl: /dev/pf: Permission denied\n"))
        let response = try await PFFixture.observe(
            [ObserveTarget(address: "pf.vmnet-nat", desired: PFFixture.desired())], runner: runner)
        #expect(response.diagnostics.map(\.summary) == ["pfctl needs root on host 'mac'"])
        #expect(response.diagnostics.first?.detail?.contains("become: sudo") == true)
        #expect(runner.calls.count == 1)
    }

    @Test func aRenamedEntryLeavesTheAnchorToTheDeclaredOne() async throws {
        let fake = FakePfctlCLI()
        try fake.byHand(["pfctl", "-a", "ocplan/lab", "-f", "-"], stdin: PFFixture.natRule)
        let response = try await PFFixture.observe(
            [
                ObserveTarget(address: "pf.old", desired: nil, lastApplied: PFFixture.desired()),
                ObserveTarget(address: "pf.new", desired: PFFixture.desired()),
            ], runner: fake)
        #expect(response.observations["pf.old"]?.exists == false)
        #expect(response.observations["pf.old"]?.note == "anchor ocplan/lab is managed by pf.new now")
        #expect(response.observations["pf.new"]?.exists == true)
    }

    // MARK: - Commands

    @Test func createFromNothingEditsPfConfReloadsLoadsAndEnables() async throws {
        let change = try await PFFixture.change(.create, desired: PFFixture.desired(), fake: FakePfctlCLI())
        #expect(change.before == nil)
        let commands = try PFFixture.commands(change)
        #expect(
            PFFixture.argv(commands)
                == Self.confWrite + [
                    ["pfctl", "-f", "/etc/pf.conf"], ["pfctl", "-a", "ocplan/lab", "-f", "-"], ["pfctl", "-E"],
                ])
        #expect(
            commands.first { $0.argv == ["pfctl", "-a", "ocplan/lab", "-f", "-"] }?.stdin
                == Data((PFFixture.natRule + "\n").utf8))
        #expect(commands.filter(\.mutating).map(\.program).contains("cat") == false)
        #expect(commands.first { $0.argv == ["pfctl", "-nf", "$TMP"] }?.mutating == false)
    }

    @Test func createWithoutEnableTakesNoReference() async throws {
        let change = try await PFFixture.change(
            .create, desired: PFFixture.desired(enable: false), fake: FakePfctlCLI())
        #expect(!PFFixture.argv(try PFFixture.commands(change)).contains(["pfctl", "-E"]))
    }

    @Test func createWithPersistWritesTheFilesBeforePfConf() async throws {
        let change = try await PFFixture.change(
            .create, desired: PFFixture.desired(persist: true), fake: FakePfctlCLI())
        let commands = try PFFixture.commands(change)
        let anchorFile = "/etc/pf.anchors/ocplan.lab"
        let daemon = "/Library/LaunchDaemons/io.ocplan.pf.lab.plist"
        #expect(
            PFFixture.argv(commands)
                == Self.fileWrite(anchorFile) + Self.fileWrite(daemon) + Self.confWrite + [
                    ["pfctl", "-f", "/etc/pf.conf"], ["pfctl", "-a", "ocplan/lab", "-f", "-"], ["pfctl", "-E"],
                ])
        let tees = commands.filter { $0.program == "tee" }.map { String(decoding: $0.stdin ?? Data(), as: UTF8.self) }
        #expect(tees[0] == PFFixture.natRule + "\n")
        #expect(tees[1] == PFFixture.anchor.daemonPlist(enable: true))
        #expect(tees[1].contains("<string>/sbin/pfctl</string>\n\t\t<string>-E</string>"))
    }

    @Test func anUpdateOfTheRulesOnlyReloadsTheAnchor() async throws {
        let fake = FakePfctlCLI(enabled: true, files: ["/etc/pf.conf": PFFixture.stockWithAnchor])
        try fake.byHand(["pfctl", "-f", "/etc/pf.conf"])
        try fake.byHand(["pfctl", "-a", "ocplan/lab", "-f", "-"], stdin: PFFixture.natRule)
        let rules = ["nat on en1 from 192.168.64.0/24 to any -> (en1)"]
        let change = try await PFFixture.change(.update, desired: PFFixture.desired(rules), fake: fake)
        let commands = try PFFixture.commands(change)
        #expect(PFFixture.argv(commands) == [["pfctl", "-a", "ocplan/lab", "-f", "-"]])
        #expect(commands.first?.stdin == Data((rules[0] + "\n").utf8))
    }

    @Test func turningPersistOffRemovesTheLoadLineThenTheFiles() async throws {
        let fake = FakePfctlCLI()
        let persisted = try await PFFixture.change(.create, desired: PFFixture.desired(persist: true), fake: fake)
        let applied = try await PFFixture.apply(persisted, runner: fake)
        let change = try await PFFixture.change(
            .update, desired: PFFixture.desired(persist: false), privateState: applied.privateState, fake: fake)
        #expect(change.before?["persist"] == true, "the leftovers are observed so that the plan removes them")
        let commands = try PFFixture.commands(change)
        #expect(
            PFFixture.argv(commands)
                == Self.confWrite + [
                    ["rm", "-f", "--", "/etc/pf.anchors/ocplan.lab"],
                    ["rm", "-f", "--", "/Library/LaunchDaemons/io.ocplan.pf.lab.plist"],
                ])
        let written = commands.first { $0.program == "tee" }.map { String(decoding: $0.stdin ?? Data(), as: UTF8.self) }
        #expect(written == PFFixture.stockWithAnchor)
    }

    @Test func deleteFlushesRemovesTheLinesReloadsRemovesFilesAndReleasesTheToken() async throws {
        let fake = FakePfctlCLI()
        let created = try await PFFixture.change(.create, desired: PFFixture.desired(persist: true), fake: fake)
        let applied = try await PFFixture.apply(created, runner: fake)
        let token = try #require(applied.privateState?["token"].stringValue)
        let change = try await PFFixture.change(
            .delete, desired: PFFixture.desired(persist: true), privateState: applied.privateState, fake: fake)
        let commands = try PFFixture.commands(change)
        #expect(
            PFFixture.argv(commands)
                == [["pfctl", "-a", "ocplan/lab", "-F", "all"]] + Self.confWrite + [
                    ["pfctl", "-f", "/etc/pf.conf"], ["rm", "-f", "--", "/etc/pf.anchors/ocplan.lab"],
                    ["rm", "-f", "--", "/Library/LaunchDaemons/io.ocplan.pf.lab.plist"], ["pfctl", "-X", token],
                ])
        let written = commands.first { $0.program == "tee" }.map { String(decoding: $0.stdin ?? Data(), as: UTF8.self) }
        #expect(written == FakePfctlCLI.stockPfConf)
    }

    @Test func aNoopRunsNothing() async throws {
        var change = try await PFFixture.change(.noop, desired: PFFixture.desired(), fake: FakePfctlCLI())
        change.cause = nil
        #expect(try PFFixture.commands(change).isEmpty)
    }

    // MARK: - Apply

    @Test func applyRunsTheListedCommandsAndKeepsTheToken() async throws {
        let fake = FakePfctlCLI()
        let change = try await PFFixture.change(.create, desired: PFFixture.desired(persist: true), fake: fake)
        let listed = try PFFixture.commands(change).filter(\.mutating)
        fake.resetCalls()
        let response = try await PFFixture.apply(change, runner: fake)
        let applied = fake.calls.prefix { !($0.argv == ["pfctl", "-s", "info"]) }
        #expect(PFFixture.argv(applied.filter(\.mutating)) == PFFixture.argv(FakeFileCommands.asRun(listed)))
        #expect(response.privateState?["token"] == .string(try #require(fake.tokens.first)))
        #expect(response.observed == PFFixture.desired(persist: true))
        #expect(fake.mode(of: "/etc/pf.conf") == "0644")
        #expect(fake.mode(of: "/Library/LaunchDaemons/io.ocplan.pf.lab.plist") == "0644")
    }

    @Test func applyEditsThePfConfItReadsThenNotTheSnapshot() async throws {
        let fake = FakePfctlCLI()
        let change = try await PFFixture.change(.create, desired: PFFixture.desired(), fake: fake)
        let handEdited = FakePfctlCLI.stockPfConf + "pass out on en0 all\n"
        fake.write(handEdited, to: "/etc/pf.conf")
        _ = try await PFFixture.apply(change, runner: fake)
        #expect(fake.file("/etc/pf.conf") == PFConf(handEdited).adding(PFFixture.anchor.confLines, load: false))
        #expect(fake.file("/etc/pf.conf.ocplan-backup") == handEdited)
    }

    @Test func aStaleTokenIsNoErrorOnDelete() async throws {
        let fake = FakePfctlCLI()
        let created = try await PFFixture.change(.create, desired: PFFixture.desired(), fake: fake)
        let applied = try await PFFixture.apply(created, runner: fake)
        try fake.byHand(["pfctl", "-d"])
        try fake.byHand(["pfctl", "-e"])
        let change = try await PFFixture.change(
            .delete, desired: PFFixture.desired(), privateState: applied.privateState, fake: fake)
        let response = try await PFFixture.apply(change, runner: fake)
        #expect(response.observed == nil)
        #expect(fake.enabled, "someone else's pf stays on")
        #expect(fake.callArgvs.last?.first == "pfctl")
        #expect(fake.callArgvs.last?.dropLast() == ["pfctl", "-X"])
    }
}
