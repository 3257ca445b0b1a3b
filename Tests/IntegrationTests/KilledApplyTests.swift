import Foundation
import Logging
import OCCore
import OCExec
import OCFiles
import OCSysctl
import OCTestSupport
import Testing

/// An apply killed between an action and its journal write: the intent journaled before the action lets the
/// next run finish, and destroy still removes what the stack made and restores what it took over.
@Suite struct KilledApplyTests {
    @Test func aFileWrittenBeforeTheKillIsStillTheStacks() async throws {
        let out = try TempDirectory(prefix: "ocplan-killed-out")
        let path = out.path + "/conf.txt"
        let body = "files:\n  conf: { path: \(path), content: \"hello\\n\" }\n"
        let real = SubprocessRunner()
        let dying = try EngineHarness(
            stack: "killed", catalog: SpecCatalog([FileSpec.self]), providers: [DiesAfterApplying(FilesProvider())],
            runner: { host in makeRunner(for: host, base: real) })
        let report = await dying.apply(try await dying.plan(body))
        #expect(report.failed.map(\.change.address) == ["files.conf"])
        #expect(FileManager.default.fileExists(atPath: path), "the write happened before the kill")
        #expect(await dying.journal.entry("files.conf")?.pending == true)

        // The next run, with the same journal: the file is the stack's, not a look-alike to adopt.
        let harness = try EngineHarness(
            stack: "killed", catalog: SpecCatalog([FileSpec.self]), providers: [FilesProvider()],
            runner: { host in makeRunner(for: host, base: real) }, stateDirectory: dying.stateDirectory)
        let next = try await harness.plan(body)
        #expect(!next.hasChanges, "\(next.actions.map { ($0.address, $0.action, $0.notes) })")
        let destroy = try await harness.plan(body, options: PlanOptions(destroy: true))
        #expect(destroy.actions.map(\.action) == [.delete])
        #expect(await harness.apply(destroy).succeeded)
        #expect(!FileManager.default.fileExists(atPath: path), "destroy removes the file the killed run wrote")
    }

    @Test func destroyRemovesOnlyTheFoldersApplyCreated() async throws {
        let out = try TempDirectory(prefix: "ocplan-folders-out")
        try FileManager.default.createDirectory(atPath: out.path + "/existing", withIntermediateDirectories: true)
        let made = out.path + "/new/deeper/conf.txt"
        let kept = out.path + "/existing/conf.txt"
        let body = "files:\n  made: { path: \(made), content: x }\n  kept: { path: \(kept), content: y }\n"
        let real = SubprocessRunner()
        let harness = try EngineHarness(
            stack: "folders", catalog: SpecCatalog([FileSpec.self]), providers: [FilesProvider()],
            runner: { host in makeRunner(for: host, base: real) })
        #expect(await harness.apply(try await harness.plan(body)).succeeded)
        #expect(await harness.journal.entry("files.made")?.privateState?["directories"].listValue?.count == 2)
        #expect(!(try await harness.plan(body)).hasChanges)
        #expect(await harness.apply(try await harness.plan(body, options: PlanOptions(destroy: true))).succeeded)
        #expect(!FileManager.default.fileExists(atPath: out.path + "/new"), "both folders the apply made are gone")
        #expect(FileManager.default.fileExists(atPath: out.path + "/existing"), "a folder that was there stays")
        #expect(!FileManager.default.fileExists(atPath: kept))
    }

    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(1)))
    func aSettingTakenOverBeforeTheKillIsRestoredOnDestroy() async throws {
        try await withNetNamespace { namespace in
            let found = try await namespace.run(["sysctl", "-n", "net.ipv4.ip_default_ttl"])
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let wanted = found == "77" ? "78" : "77"
            let header = "hosts:\n  ns: { transport: netns, namespace: \(namespace.name) }\n"
            let body = "sysctl:\n  ttl: { host: ns, key: net.ipv4.ip_default_ttl, value: \(wanted) }\n"
            let real = SubprocessRunner()
            let dying = try EngineHarness(
                stack: "killed", header: header, catalog: SpecCatalog([SysctlSpec.self]),
                providers: [DiesAfterApplying(SysctlProvider())], runner: { host in makeRunner(for: host, base: real) })
            let report = await dying.apply(try await dying.plan(body))
            #expect(report.failed.map(\.change.address) == ["sysctl.ttl"])
            #expect(try await namespace.run(["sysctl", "-n", "net.ipv4.ip_default_ttl"]) == wanted + "\n")

            let harness = try EngineHarness(
                stack: "killed", header: header, catalog: SpecCatalog([SysctlSpec.self]),
                providers: [SysctlProvider()], runner: { host in makeRunner(for: host, base: real) },
                stateDirectory: dying.stateDirectory)
            let next = try await harness.plan(body)
            #expect(!next.hasChanges, "\(next.actions.map { ($0.address, $0.action, $0.notes) })")
            let destroy = try await harness.plan(body, options: PlanOptions(destroy: true))
            #expect(await harness.apply(destroy).succeeded)
            #expect(
                try await namespace.run(["sysctl", "-n", "net.ipv4.ip_default_ttl"]) == found + "\n",
                "the value found before the take-over comes back, not the one the killed run set")
        }
    }
}
