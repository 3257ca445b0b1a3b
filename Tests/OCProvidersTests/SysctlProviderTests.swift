import Foundation
import Logging
import OCCore
import OCSysctl
import OCTestSupport
import Testing

@Suite struct SysctlProviderTests {
    @Test func schemaIsASettingUpdatedInPlace() {
        let schema = SysctlProvider().schema(for: "sysctl")
        #expect(schema.lifecycle == .setting)
        #expect(schema.replaceOn.isEmpty)
        #expect(schema.isIgnored(ValuePath("persistFile")))
        #expect(SysctlProvider().sections == ["sysctl"])
        #expect(
            SysctlProvider().prerequisites(on: SysctlFixture.linux).map(\.install) == [
                "apt-get install procps (Debian/Ubuntu)"
            ])
        #expect(SysctlProvider().prerequisites(on: SysctlFixture.mac).map(\.tool) == ["sysctl"])
    }

    @Test func observesEveryTargetWithOneSysctlAndOneCatPerFile() async throws {
        let runner = ScriptedRunner()
        runner.expect(
            argv: [
                "sysctl", "net.ipv4.ip_forward", "net.ipv4.nope", "net.ipv4.conf.all.forwarding", "net.ipv4.tcp_rmem",
                "net.ipv4.ping_group_range",
            ],
            result: CommandResult(
                exitStatus: 1, stdout: SysctlProcpsOutput.batchStdout, stderr: SysctlProcpsOutput.batchStderr))
        runner.expect(
            argv: ["cat", "--", SysctlFixture.file],
            result: CommandResult(
                exitStatus: 0,
                stdout: "# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 0\n# ocplan lab sysctl.rmem\n"
                    + "net.ipv4.tcp_rmem = 4096 131072  33554432\n"))
        runner.expect(
            argv: ["cat", "--", "/etc/other.conf"],
            result: CommandResult(
                exitStatus: 1, stdout: "", stderr: "cat: /etc/other.conf: No such file or directory\n"))
        let targets = [
            ObserveTarget(
                address: "sysctl.fwd", desired: SysctlFixture.desired("net.ipv4.ip_forward", "1", persist: true)),
            ObserveTarget(address: "sysctl.nope", desired: SysctlFixture.desired("net.ipv4.nope", "1")),
            ObserveTarget(
                address: "sysctl.all",
                desired: SysctlFixture.desired("net.ipv4.conf.all.forwarding", "0", file: "/etc/other.conf")),
            ObserveTarget(
                address: "sysctl.rmem",
                desired: SysctlFixture.desired("net.ipv4.tcp_rmem", "4096 131072 33554432", persist: true)),
            ObserveTarget(address: "sysctl.ping", desired: SysctlFixture.desired("net.ipv4.ping_group_range", "1 0")),
        ]
        let response = try await SysctlFixture.observe(targets, runner: runner)
        #expect(runner.unexpected.isEmpty)
        #expect(runner.calls.count == 3)

        let fwd = try #require(response.observations["sysctl.fwd"]?.value)
        #expect(fwd["value"] == "0")
        #expect(fwd["persist"] == false, "the block holds 0, not the desired 1")
        let rmem = try #require(response.observations["sysctl.rmem"]?.value)
        #expect(rmem["value"] == "4096 131072 33554432")
        #expect(rmem["persist"] == true)
        #expect(response.observations["sysctl.ping"]?.value?["value"] == "1 0")
        #expect(response.observations["sysctl.all"]?.planData == .map([:]))
        #expect(response.observations["sysctl.all"]?.value?["persistFileContents"] == .null)
        #expect(response.observations["sysctl.all"]?.ownership == .unmarked)

        let nope = try #require(response.observations["sysctl.nope"])
        #expect(!nope.exists)
        #expect(nope.note?.contains("net.ipv4.nope does not exist on host vm") == true)
        #expect(nope.note?.contains("cannot stat /proc/sys/net/ipv4/nope") == true)
    }

    @Test func observesDarwin() async throws {
        let runner = ScriptedRunner()
        runner.expect(
            argv: ["sysctl", "net.inet.ip.forwarding", "net.inet.nope"],
            result: CommandResult(
                exitStatus: 0, stdout: "net.inet.ip.forwarding: 0\n", stderr: SysctlDarwinOutput.unknownStderr))
        runner.expect(
            argv: ["cat", "--", "/etc/sysctl.conf"],
            result: CommandResult(exitStatus: 0, stdout: "# ocplan lab sysctl.fwd\nnet.inet.ip.forwarding=1\n"))
        let response = try await SysctlFixture.observe(
            [
                ObserveTarget(
                    address: "sysctl.fwd",
                    desired: SysctlFixture.desired(
                        "net.inet.ip.forwarding", "1", persist: true, file: "/etc/sysctl.conf")),
                ObserveTarget(
                    address: "sysctl.nope",
                    desired: SysctlFixture.desired("net.inet.nope", "1", file: "/etc/sysctl.conf")),
            ], on: SysctlFixture.mac, runner: runner)
        #expect(runner.unexpected.isEmpty)
        #expect(response.observations["sysctl.fwd"]?.value?["value"] == "0")
        #expect(response.observations["sysctl.fwd"]?.value?["persist"] == true)
        #expect(response.observations["sysctl.nope"]?.note?.contains("unknown oid 'net.inet.nope'") == true)
    }

    @Test func aFailingTransportIsAnErrorNotAbsentKeys() async throws {
        let runner = ScriptedRunner()
        runner.expect(
            argv: ["sysctl", "net.ipv4.ip_forward"],
            result: CommandResult(exitStatus: 255, stdout: "", stderr: SysctlProcpsOutput.missingNamespaceStderr))
        await #expect(throws: CommandFailure.self) {
            _ = try await SysctlFixture.observe(
                [ObserveTarget(address: "sysctl.fwd", desired: SysctlFixture.desired("net.ipv4.ip_forward", "1"))],
                runner: runner)
        }
    }

    @Test func missingSysctlIsReportedAsAMissingTool() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["sysctl", "net.ipv4.ip_forward"], failure: .toolMissing)
        do {
            _ = try await SysctlFixture.observe(
                [ObserveTarget(address: "sysctl.fwd", desired: SysctlFixture.desired("net.ipv4.ip_forward", "1"))],
                runner: runner)
            Issue.record("observe should throw")
        } catch let failure as CommandFailure {
            #expect(failure.reason == .toolMissing)
        }
    }

    @Test func createTakesOverSetsAndPersists() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "0"])
        let desired = SysctlFixture.desired("net.ipv4.ip_forward", "1", persist: true)
        let change = try await SysctlFixture.change("fwd", .create, desired: desired, fake: fake)
        let context = ChangeContext(stack: "lab", host: SysctlFixture.linux, privateState: nil)
        let planned = try SysctlProvider().commands(for: change, context: context)
        let block = SysctlPersistenceFile.header + "\n# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n"
        #expect(
            SysctlFixture.argv(planned.filter(\.mutating))
                == [["sysctl", "-w", "net.ipv4.ip_forward=1"]]
                + FakeFileCommands.writeArgv(SysctlFixture.file, os: .linux, resolved: false))
        #expect(planned.first { $0.program == "tee" }?.stdin == Data(block.utf8))

        let runner = fake.runner()
        let response = try await SysctlFixture.apply(change, runner: runner)
        #expect(
            SysctlFixture.argv(runner.mutatingCalls)
                == SysctlFixture.argv(FakeFileCommands.asRun(planned.filter(\.mutating))))
        #expect(response.privateState?["original"] == "0")
        #expect(response.privateState?["key"] == "net.ipv4.ip_forward")
        #expect(response.observed?["value"] == "1")
        #expect(response.observed?["persist"] == true)
        #expect(fake.values["net.ipv4.ip_forward"] == "1")
        #expect(fake.files[SysctlFixture.file] == block)
    }

    @Test func createKeepsAnOriginalRecordedEarlier() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "1"])
        let desired = SysctlFixture.desired("net.ipv4.ip_forward", "1")
        let earlier: Value = [
            "original": "0", "key": "net.ipv4.ip_forward", "persistFile": .string(SysctlFixture.file),
        ]
        let change = try await SysctlFixture.change("fwd", .create, desired: desired, privateState: earlier, fake: fake)
        let runner = fake.runner()
        let response = try await SysctlFixture.apply(change, runner: runner)
        #expect(runner.mutatingCalls.isEmpty, "the value is already right and nothing is persisted")
        #expect(response.privateState?["original"] == "0")
    }

    @Test func takingOverAnInSyncSettingRunsNothing() async throws {
        let fake = FakeSysctlHost(
            values: ["net.ipv4.ip_forward": "1"],
            files: [SysctlFixture.file: "# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n"])
        let desired = SysctlFixture.desired("net.ipv4.ip_forward", "1", persist: true)
        let change = try await SysctlFixture.change("fwd", .create, desired: desired, fake: fake)
        let context = ChangeContext(stack: "lab", host: SysctlFixture.linux, privateState: nil)
        #expect(try SysctlProvider().commands(for: change, context: context).isEmpty)
        let runner = fake.runner()
        let response = try await SysctlFixture.apply(change, runner: runner)
        #expect(runner.mutatingCalls.isEmpty)
        #expect(response.privateState?["original"] == "1")
    }

    @Test func noopRunsNothing() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "1"])
        let desired = SysctlFixture.desired("net.ipv4.ip_forward", "1")
        var change = try await SysctlFixture.change("fwd", .noop, desired: desired, fake: fake)
        change.cause = nil
        let context = ChangeContext(stack: "lab", host: SysctlFixture.linux, privateState: nil)
        #expect(try SysctlProvider().commands(for: change, context: context).isEmpty)
    }

    @Test func updateSetsTheValueAndKeepsTheOriginal() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "0"])
        let desired = SysctlFixture.desired("net.ipv4.ip_forward", "1")
        let state: Value = ["original": "0", "key": "net.ipv4.ip_forward", "persistFile": .string(SysctlFixture.file)]
        let change = try await SysctlFixture.change("fwd", .update, desired: desired, privateState: state, fake: fake)
        let runner = fake.runner()
        let response = try await SysctlFixture.apply(change, runner: runner)
        #expect(SysctlFixture.argv(runner.mutatingCalls) == [["sysctl", "-w", "net.ipv4.ip_forward=1"]])
        #expect(response.privateState == state)
    }

    @Test func updateWritesMultiValueKeysAsOneArgument() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.tcp_rmem": "4096 131072 33554432"])
        let desired = SysctlFixture.desired("net.ipv4.tcp_rmem", "4096 87380 6291456")
        let change = try await SysctlFixture.change("rmem", .update, desired: desired, fake: fake)
        let context = ChangeContext(stack: "lab", host: SysctlFixture.linux, privateState: nil)
        #expect(
            SysctlFixture.argv(try SysctlProvider().commands(for: change, context: context)) == [
                ["sysctl", "-w", "net.ipv4.tcp_rmem=4096 87380 6291456"]
            ])
    }

    @Test func turningPersistOffRemovesTheBlockAndTheFileWeCreated() async throws {
        let ours = SysctlPersistenceFile.header + "\n# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n"
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "1"], files: [SysctlFixture.file: ours])
        let desired = SysctlFixture.desired("net.ipv4.ip_forward", "1", persist: false)
        let change = try await SysctlFixture.change("fwd", .update, desired: desired, fake: fake)
        #expect(change.before?["persist"] == true)
        let runner = fake.runner()
        _ = try await SysctlFixture.apply(change, runner: runner)
        #expect(SysctlFixture.argv(runner.mutatingCalls) == [["rm", "-f", "--", SysctlFixture.file]])
        #expect(fake.files.isEmpty)
    }

    @Test func deleteRestoresTheOriginalAndRemovesOnlyItsBlock() async throws {
        let shared = """
            vm.swappiness = 10
            # ocplan lab sysctl.fwd
            net.ipv4.ip_forward = 1
            # ocplan lab sysctl.other
            net.core.somaxconn = 1024

            """
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "1"], files: [SysctlFixture.file: shared])
        let applied = SysctlFixture.desired("net.ipv4.ip_forward", "1", persist: true)
        let state: Value = ["original": "0", "key": "net.ipv4.ip_forward", "persistFile": .string(SysctlFixture.file)]
        var change = try await SysctlFixture.change(
            "fwd", .delete, desired: nil, lastApplied: applied, privateState: state, fake: fake)
        change.after = nil
        #expect(change.before?["persist"] == true)
        let context = ChangeContext(stack: "lab", host: SysctlFixture.linux, privateState: state)
        let planned = try SysctlProvider().commands(for: change, context: context)
        let runner = fake.runner()
        let response = try await SysctlFixture.apply(change, runner: runner)
        #expect(
            SysctlFixture.argv(runner.mutatingCalls)
                == [["sysctl", "-w", "net.ipv4.ip_forward=0"]]
                + FakeFileCommands.writeArgv(SysctlFixture.file, os: .linux, resolved: true))
        #expect(
            SysctlFixture.argv(FakeFileCommands.asRun(planned.filter(\.mutating)))
                == SysctlFixture.argv(runner.mutatingCalls))
        #expect(response.observed == nil)
        #expect(fake.values["net.ipv4.ip_forward"] == "0")
        #expect(
            fake.files[SysctlFixture.file]
                == "vm.swappiness = 10\n# ocplan lab sysctl.other\nnet.core.somaxconn = 1024\n")
    }

    @Test func deleteWithoutAKnownOriginalOnlyRemovesPersistence() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "1"])
        let applied = SysctlFixture.desired("net.ipv4.ip_forward", "1")
        var change = try await SysctlFixture.change("fwd", .delete, desired: nil, lastApplied: applied, fake: fake)
        change.after = nil
        let runner = fake.runner()
        _ = try await SysctlFixture.apply(change, runner: runner)
        #expect(runner.mutatingCalls.isEmpty)
    }

    @Test func changingTheKeyRestoresTheOldKeyAndTakesOverTheNewOne() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "1", "net.ipv4.conf.all.forwarding": "0"])
        let state: Value = ["original": "0", "key": "net.ipv4.ip_forward", "persistFile": .string(SysctlFixture.file)]
        let desired = SysctlFixture.desired("net.ipv4.conf.all.forwarding", "1")
        let change = try await SysctlFixture.change("fwd", .update, desired: desired, privateState: state, fake: fake)
        #expect(change.before?["key"] == "net.ipv4.ip_forward", "the observed key is the one managed so far")
        let runner = fake.runner()
        let response = try await SysctlFixture.apply(change, runner: runner)
        #expect(
            SysctlFixture.argv(runner.mutatingCalls) == [
                ["sysctl", "-w", "net.ipv4.ip_forward=0"], ["sysctl", "-w", "net.ipv4.conf.all.forwarding=1"],
            ])
        #expect(response.privateState?["original"] == "0")
        #expect(response.privateState?["key"] == "net.ipv4.conf.all.forwarding")
        #expect(response.observed?["key"] == "net.ipv4.conf.all.forwarding")
    }

    @Test func movingThePersistFileRemovesTheOldBlock() async throws {
        let old = "/etc/sysctl.d/50-old.conf"
        let fake = FakeSysctlHost(
            values: ["net.ipv4.ip_forward": "1"],
            files: [old: "vm.swappiness = 1\n# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n"])
        let state: Value = ["original": "0", "key": "net.ipv4.ip_forward", "persistFile": .string(old)]
        let desired = SysctlFixture.desired("net.ipv4.ip_forward", "1", persist: true)
        let change = try await SysctlFixture.change("fwd", .update, desired: desired, privateState: state, fake: fake)
        #expect(change.before?["persist"] == false)
        let runner = fake.runner()
        let response = try await SysctlFixture.apply(change, runner: runner)
        #expect(fake.files[old] == "vm.swappiness = 1\n")
        #expect(fake.files[SysctlFixture.file]?.contains("# ocplan lab sysctl.fwd\nnet.ipv4.ip_forward = 1\n") == true)
        #expect(response.privateState?["persistFile"] == .string(SysctlFixture.file))
        #expect(response.observed?["persist"] == true)
    }

    @Test func macOSWritesSysctlConfInItsOwnStyle() async throws {
        let fake = FakeSysctlHost(
            os: .macos, values: ["net.inet.ip.forwarding": "0"], files: ["/etc/sysctl.conf": "kern.maxfiles=65536\n"])
        let desired = SysctlFixture.desired("net.inet.ip.forwarding", "1", persist: true, file: "/etc/sysctl.conf")
        let change = try await SysctlFixture.change(
            "fwd", .create, desired: desired, fake: fake, host: SysctlFixture.mac)
        let runner = fake.runner()
        _ = try await SysctlFixture.apply(change, on: SysctlFixture.mac, runner: runner)
        #expect(runner.mutatingCalls.first?.argv == ["sysctl", "-w", "net.inet.ip.forwarding=1"])
        #expect(
            fake.files["/etc/sysctl.conf"] == "kern.maxfiles=65536\n# ocplan lab sysctl.fwd\nnet.inet.ip.forwarding=1\n"
        )
    }

    @Test func aRejectedValueFailsTheApplyBeforePersisting() async throws {
        let runner = ScriptedRunner()
        runner.expect(
            argv: ["sysctl", "-w", "net.ipv4.ip_forward=abc"],
            result: CommandResult(exitStatus: 1, stdout: "", stderr: SysctlProcpsOutput.invalidWriteStderr))
        let change = Change(
            address: "sysctl.fwd", provider: "sysctl", host: SysctlFixture.linux, action: .update, cause: .manifest,
            before: ["key": "net.ipv4.ip_forward", "value": "0", "persist": false],
            after: SysctlFixture.desired(
                "net.ipv4.ip_forward", "abc", persist: true))
        await #expect(throws: CommandFailure.self) { _ = try await SysctlFixture.apply(change, runner: runner) }
        #expect(runner.calls.count == 1)
    }
}

// MARK: - Engine round trip on the fake host

@Suite struct SysctlEngineTests {
    /// Plans and applies manifests against one fake Linux host through the real engine.
    final class Stack: EngineHarnessWrapper, Sendable {
        let fake: FakeSysctlHost
        let harness: EngineHarness

        init(_ fake: FakeSysctlHost) throws {
            self.fake = fake
            harness = try EngineHarness(
                header: "hosts:\n  vm: { transport: local, os: linux }\n", catalog: SpecCatalog([SysctlSpec.self]),
                providers: [SysctlProvider()], runner: fake.runner())
        }

        func plan(_ sysctls: String) async throws -> Plan { try await harness.plan("sysctl:\n" + sysctls) }
    }

    @Test func resourcesSharingAFileApplyInParallelAndConverge() async throws {
        let fake = FakeSysctlHost(values: [
            "net.ipv4.ip_forward": "0", "net.ipv4.conf.all.forwarding": "0", "net.core.somaxconn": "4096",
        ])
        let stack = try Stack(fake)
        let manifest = """
              a: { host: vm, key: net.ipv4.ip_forward, value: 1, persist: true }
              b: { host: vm, key: net.ipv4.conf.all.forwarding, value: "1", persist: true }
              c: { host: vm, key: net.core.somaxconn, value: "1024", persist: true }

            """
        let first = try await stack.plan(manifest)
        #expect(first.actions.map(\.action) == [.create, .create, .create])
        let report = await stack.apply(first)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        let text = try #require(fake.files["/etc/sysctl.d/90-ocplan-lab.conf"])
        for name in ["a", "b", "c"] { #expect(text.contains("# ocplan lab sysctl.\(name)\n")) }
        #expect(try await stack.plan(manifest).hasChanges == false)

        let removed = try await stack.plan(
            manifest.replacingOccurrences(
                of: "  c: { host: vm, key: net.core.somaxconn, value: \"1024\", persist: true }\n", with: ""))
        #expect(removed.actions.map(\.action) == [.delete])
        #expect(await stack.apply(removed).succeeded)
        #expect(fake.values["net.core.somaxconn"] == "4096")

        let rest = try await stack.plan("")
        #expect(rest.actions.map(\.action) == [.delete, .delete])
        #expect(await stack.apply(rest).succeeded)
        #expect(
            fake.values == [
                "net.ipv4.ip_forward": "0", "net.ipv4.conf.all.forwarding": "0", "net.core.somaxconn": "4096",
            ])
        #expect(fake.files.isEmpty, "the file the stack created is removed with its last block")
    }

    @Test func handEditsAreDriftAndManifestEditsAreManifest() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "0"])
        let stack = try Stack(fake)
        #expect(
            await stack.apply(try await stack.plan("  a: { host: vm, key: net.ipv4.ip_forward, value: 1 }\n")).succeeded
        )
        fake.set("net.ipv4.ip_forward", "0")
        let drift = try await stack.plan("  a: { host: vm, key: net.ipv4.ip_forward, value: 1 }\n")
        #expect(drift.actions.map(\.cause) == [.drift])
        #expect(await stack.apply(drift).succeeded)
        let edit = try await stack.plan("  a: { host: vm, key: net.ipv4.ip_forward, value: 0 }\n")
        #expect(edit.actions.map(\.action) == [.update])
        #expect(edit.actions.map(\.cause) == [.manifest])
    }
}
