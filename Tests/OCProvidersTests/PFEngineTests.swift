import Foundation
import OCCore
import OCPacketFilter
import OCTestSupport
import Testing

/// Multi-step flows through the real engine (loader with `${uplink}` detected on the Mac, planner, applier,
/// journal) against the pfctl double.
@Suite struct PFEngineTests {
    static let manifest = """
        pf:
          vmnet-nat:
            host: mac
            rules: ["nat on ${uplink} from 192.168.64.0/24 to any -> (${uplink})"]

        """
    static let persisted = manifest + "    persist: true\n"
    static let anchor = PFFixture.anchor

    @Test func createFromNothingEditsPfConfLoadsTheAnchorAndEnablesPf() async throws {
        let stack = try PFStack()
        let plan = try await stack.plan(Self.manifest)
        #expect(plan.actions.map(\.action) == [.create])
        #expect(plan.actions.map(\.cause) == [.manifest])
        #expect(stack.fake.mutatingCalls.isEmpty, "planning changes nothing")
        let change = try #require(plan.actions.first)
        let listed = try PFFixture.commands(change).filter(\.mutating)

        stack.fake.resetCalls()
        let report = await stack.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error)) \(report.notConverged.map(\.attributes))")
        #expect(PFFixture.argv(stack.fake.mutatingCalls) == PFFixture.argv(FakeFileCommands.asRun(listed)))
        #expect(stack.fake.file(PFConf.backupPath) == FakePfctlCLI.stockPfConf)
        #expect(stack.fake.file(PFConf.path) == PFFixture.stockWithAnchor)
        #expect(stack.fake.file(FakeFileCommands.temporary(for: PFConf.path)) == nil)
        #expect(stack.fake.rules(inAnchor: "ocplan/lab") == [PFFixture.natListed])
        #expect(stack.fake.mainRuleset.contains("nat-anchor \"ocplan/lab\" all"))
        #expect(stack.fake.mainRuleset.contains("anchor \"ocplan/lab\" all"))
        #expect(stack.fake.enabled)
        #expect(stack.fake.tokens.count == 1)
        #expect(await stack.token() == stack.fake.tokens.first)

        let second = try await stack.plan(Self.manifest)
        #expect(!second.hasChanges, "\(second.actions.map { ($0.address, $0.attributes) })")
    }

    @Test func aHandFlushOfTheAnchorIsDriftAndApplyRestoresIt() async throws {
        let stack = try PFStack()
        try await stack.converge(Self.manifest)
        try stack.fake.byHand(["pfctl", "-a", "ocplan/lab", "-F", "all"])
        #expect(stack.fake.rules(inAnchor: "ocplan/lab").isEmpty)

        let drift = try await stack.plan(Self.manifest)
        #expect(drift.actions.map(\.action) == [.update])
        #expect(drift.actions.map(\.cause) == [.drift])
        #expect(drift.actions.first?.attributes.map(\.path.description) == ["rules"])
        stack.fake.resetCalls()
        #expect(await stack.apply(drift).succeeded)
        #expect(stack.fake.mutatingCalls.map(\.argv) == [["pfctl", "-a", "ocplan/lab", "-f", "-"]])
        #expect(stack.fake.rules(inAnchor: "ocplan/lab") == [PFFixture.natListed])
        #expect(try await !stack.plan(Self.manifest).hasChanges)
    }

    @Test func pfDisabledByHandIsDriftAndApplyEnablesItWithANewToken() async throws {
        let stack = try PFStack()
        try await stack.converge(Self.manifest)
        let first = try #require(await stack.token())
        try stack.fake.byHand(["pfctl", "-d"])

        let drift = try await stack.plan(Self.manifest)
        #expect(drift.actions.map(\.cause) == [.drift])
        #expect(drift.actions.first?.attributes.map(\.path.description) == ["enabled"])
        stack.fake.resetCalls()
        #expect(await stack.apply(drift).succeeded)
        #expect(stack.fake.mutatingCalls.map(\.argv) == [["pfctl", "-E"]])
        #expect(stack.fake.enabled)
        let second = try #require(await stack.token())
        #expect(second != first, "pfctl -d invalidated the old token")
        #expect(stack.fake.tokens == [second])
    }

    @Test func anUplinkChangeIsAnInPlaceUpdateOfTheRulesOnly() async throws {
        let stack = try PFStack()
        try await stack.converge(Self.manifest)
        stack.fake.setDefaultRoute("en1")

        let plan = try await stack.plan(Self.manifest)
        let change = try #require(plan.actions.first)
        #expect(plan.actions.count == 1)
        #expect(change.action == .update)
        #expect(change.attributes.map(\.path.description) == ["rules"])
        #expect(change.attributes.first?.before == .list(["nat on en0 from 192.168.64.0/24 to any -> (en0)"]))
        #expect(change.attributes.first?.after == .list(["nat on en1 from 192.168.64.0/24 to any -> (en1)"]))
        stack.fake.resetCalls()
        #expect(await stack.apply(plan).succeeded)
        #expect(stack.fake.mutatingCalls.map(\.argv) == [["pfctl", "-a", "ocplan/lab", "-f", "-"]])
        #expect(
            stack.fake.rules(inAnchor: "ocplan/lab") == [
                "nat on en1 inet from 192.168.64.0/24 to any -> (en1) round-robin"
            ])
        #expect(try await !stack.plan(Self.manifest).hasChanges)
    }

    @Test func anUplinkChangeWithPersistRewritesTheAnchorFileAlongWithTheRules() async throws {
        let stack = try PFStack()
        try await stack.converge(Self.persisted)
        stack.fake.setDefaultRoute("en1")
        let plan = try await stack.plan(Self.persisted)
        #expect(plan.actions.first?.attributes.map(\.path.description) == ["rules"])
        stack.fake.resetCalls()
        #expect(await stack.apply(plan).succeeded)
        #expect(
            stack.fake.mutatingCalls.map(\.argv)
                == FakeFileCommands.writeArgv("/etc/pf.anchors/ocplan.lab", os: .macos, resolved: true) + [
                    ["pfctl", "-a", "ocplan/lab", "-f", "-"]
                ])
        #expect(stack.fake.file(Self.anchor.file) == "nat on en1 from 192.168.64.0/24 to any -> (en1)\n")
        #expect(try await !stack.plan(Self.persisted).hasChanges)

        stack.fake.write("pass out all\n", to: Self.anchor.file)
        let drift = try await stack.plan(Self.persisted)
        #expect(drift.actions.first?.attributes.map(\.path.description) == ["persist"], "a hand-edited file")
        #expect(drift.actions.map(\.cause) == [.drift])
    }

    @Test func aSyntaxErrorInARuleIsAPlanErrorWithPfctlsMessageAndNothingIsApplied() async throws {
        let stack = try PFStack()
        let broken = """
            pf:
              vmnet-nat:
                host: mac
                rules:
                  - nat on ${uplink} from 192.168.64.0/24 to any -> (${uplink})
                  - nat on ${uplink} from 10.0.0.0/8 to any (${uplink})

            """
        let (plan, diagnostics) = try await stack.attempt(broken)
        #expect(plan == nil)
        let error = try #require(diagnostics.items.first { $0.severity == .error })
        #expect(error.summary == "pfctl rejects the rules of pf.vmnet-nat")
        #expect(error.keyPath == "pf.vmnet-nat.rules[1]")
        // The engine locates a provider's diagnostic at its key path in the manifest.
        #expect(error.location?.line == 12)
        #expect(error.location?.file.hasSuffix("stack.yaml") == true)
        #expect(error.detail?.contains("stdin:2: syntax error") == true)
        #expect(stack.fake.mutatingCalls.isEmpty)
        #expect(stack.fake.file(PFConf.path) == FakePfctlCLI.stockPfConf)
        #expect(stack.fake.rules(inAnchor: "ocplan/lab").isEmpty)
    }

    @Test func aPfConfThatFailsTheCheckFailsTheApplyAndIsLeftUnchanged() async throws {
        let stack = try PFStack()
        let broken = FakePfctlCLI.stockPfConf + "natt on en0 from any to any -> (en0)\n"
        stack.fake.write(broken, to: PFConf.path)
        let plan = try await stack.plan(Self.manifest)
        #expect(plan.actions.map(\.action) == [.create])

        let report = await stack.apply(plan)
        let failure = try #require(report.failed.first)
        #expect(failure.error.contains("pfctl rejects the edited /etc/pf.conf"))
        let candidate = FakeFileCommands.temporary(for: PFConf.path)
        #expect(failure.error.contains("`pfctl -nf \(candidate)` says"))
        #expect(failure.error.contains("\(candidate):30: syntax error"))
        #expect(stack.fake.file(PFConf.path) == broken)
        #expect(stack.fake.file(candidate) == nil, "the rejected candidate is removed")
        #expect(stack.fake.file(PFConf.backupPath) == broken)
        #expect(stack.fake.rules(inAnchor: "ocplan/lab").isEmpty, "nothing after the failed step ran")
        #expect(!stack.fake.enabled)
    }

    @Test func aRewrittenPfConfIsDriftAndOnlyTheFileIsEdited() async throws {
        let stack = try PFStack()
        try await stack.converge(Self.manifest)
        stack.fake.write(FakePfctlCLI.stockPfConf, to: PFConf.path)

        let drift = try await stack.plan(Self.manifest)
        #expect(drift.actions.map(\.cause) == [.drift])
        #expect(drift.actions.first?.attributes.map(\.path.description) == ["pfConf"])
        stack.fake.resetCalls()
        #expect(await stack.apply(drift).succeeded)
        #expect(
            stack.fake.mutatingCalls.map(\.argv)
                == [["cp", "-p", "--", "/etc/pf.conf", "/etc/pf.conf.ocplan-backup"]]
                + FakeFileCommands.writeArgv(PFConf.path, os: .macos, resolved: true),
            "the main ruleset still references the anchor, so it is not reloaded")
        #expect(stack.fake.file(PFConf.path) == PFFixture.stockWithAnchor)
    }

    @Test func persistWritesTheFilesAndTheLoadLineAndTurningItOffRemovesThem() async throws {
        let stack = try PFStack()
        try await stack.converge(Self.persisted)
        let rulesFile = "nat on en0 from 192.168.64.0/24 to any -> (en0)\n"
        #expect(stack.fake.file(Self.anchor.file) == rulesFile)
        #expect(stack.fake.mode(of: Self.anchor.file) == "0644")
        #expect(stack.fake.file(Self.anchor.daemonPath) == Self.anchor.daemonPlist(enable: true))
        #expect(stack.fake.file(Self.anchor.daemonPath)?.contains("<string>io.ocplan.pf.lab</string>") == true)
        #expect(stack.fake.mode(of: Self.anchor.daemonPath) == "0644")
        #expect(stack.fake.file(PFConf.path)?.contains(Self.anchor.confLines.load + "\n") == true)
        #expect(try await !stack.plan(Self.persisted).hasChanges)

        // What a reboot would load: pf.conf with its load anchor lines.
        let rebooted = FakePfctlCLI(files: stack.fake.files)
        #expect(rebooted.rules(inAnchor: "ocplan/lab") == [PFFixture.natListed])
        #expect(rebooted.mainRuleset.contains("nat-anchor \"ocplan/lab\" all"))

        let off = try await stack.plan(Self.manifest)
        #expect(off.actions.map(\.action) == [.update])
        #expect(off.actions.first?.attributes.map(\.path.description) == ["persist"])
        stack.fake.resetCalls()
        #expect(await stack.apply(off).succeeded)
        #expect(stack.fake.file(Self.anchor.file) == nil)
        #expect(stack.fake.file(Self.anchor.daemonPath) == nil)
        #expect(stack.fake.file(PFConf.path) == PFFixture.stockWithAnchor)
        #expect(!stack.fake.callArgvs.contains(["pfctl", "-f", "/etc/pf.conf"]))
        #expect(stack.fake.rules(inAnchor: "ocplan/lab") == [PFFixture.natListed])
        #expect(try await !stack.plan(Self.manifest).hasChanges)
    }

    @Test func deleteFlushesTheAnchorRestoresPfConfAndReleasesTheToken() async throws {
        let stack = try PFStack()
        try await stack.converge(Self.persisted)
        let plan = try await stack.plan("")
        #expect(plan.actions.map(\.action) == [.delete])
        stack.fake.resetCalls()
        let report = await stack.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error)) \(report.notConverged.map(\.attributes))")
        #expect(stack.fake.rules(inAnchor: "ocplan/lab").isEmpty)
        #expect(stack.fake.file(PFConf.path) == FakePfctlCLI.stockPfConf)
        #expect(!stack.fake.mainRuleset.contains("anchor \"ocplan/lab\" all"))
        #expect(stack.fake.file(Self.anchor.file) == nil)
        #expect(stack.fake.file(Self.anchor.daemonPath) == nil)
        #expect(stack.fake.tokens.isEmpty)
        #expect(!stack.fake.enabled, "the stack's reference was the only one")
        #expect(await stack.journal.entries.isEmpty)
        #expect(try await !stack.plan("").hasChanges)
    }

    @Test func pfEnabledByTheSystemStaysOnAfterTheStackLetsGo() async throws {
        let stack = try PFStack(FakePfctlCLI(enabled: true))
        try await stack.converge(Self.manifest)
        #expect(stack.fake.tokens.count == 1, "the stack takes its own reference")
        try await stack.converge("")
        #expect(stack.fake.tokens.isEmpty)
        #expect(stack.fake.enabled)
    }

    @Test func renamingTheEntryKeepsTheAnchorAndForgetsTheOldName() async throws {
        let stack = try PFStack()
        try await stack.converge(Self.manifest)
        let renamed = Self.manifest.replacingOccurrences(of: "vmnet-nat:", with: "nat:")
        let plan = try await stack.plan(renamed)
        #expect(!plan.hasChanges, "\(plan.actions.map { ($0.address, $0.action) })")
        stack.fake.resetCalls()
        #expect(await stack.apply(plan).succeeded)
        #expect(stack.fake.mutatingCalls.isEmpty)
        #expect(await stack.journal.entries["pf.vmnet-nat"] == nil)
        #expect(stack.fake.rules(inAnchor: "ocplan/lab") == [PFFixture.natListed])
    }

    @Test func aHostThatIsNotMacOSIsAPlanErrorAndRunsNoPfctl() async throws {
        let stack = try PFStack()
        let (plan, diagnostics) = try await stack.attempt(Self.manifest, os: "linux")
        #expect(plan == nil)
        #expect(diagnostics.items.map(\.summary).contains("pf runs on macOS only"))
        #expect(!stack.fake.callArgvs.contains { $0.first == "pfctl" })
    }

    @Test func twoEntriesOnOneHostAreAValidationError() async throws {
        let stack = try PFStack()
        let (manifest, diagnostics) = try await stack.load(
            Self.manifest + "  other:\n    host: mac\n    rules: [\"pass out all\"]\n")
        #expect(manifest == nil)
        let errors = diagnostics.items.filter { $0.summary == "pf entries share the stack's anchor" }
        #expect(errors.compactMap(\.address).sorted() == ["pf.other", "pf.vmnet-nat"])
        #expect(errors.contains { $0.detail?.contains("pf.vmnet-nat also loads rules on host mac") == true })
        #expect(errors.contains { $0.detail?.contains("pf.other also loads rules on host mac") == true })
    }
}
