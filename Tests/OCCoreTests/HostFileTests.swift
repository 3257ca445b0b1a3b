import Foundation
import OCCore
import OCTestSupport
import Testing

/// Writes through a transport: a fresh `mktemp` file whose name later commands receive, removed when a step fails.
@Suite struct HostFileTests {
    @Test func theWriteIsShownWithMktempAndTmp() {
        let linux = HostFile.write("k=v\n", to: "/etc/sysctl.d/90-x.conf", mode: "0600", owner: "root", os: .linux)
        #expect(
            linux.map(\.description) == [
                "mkdir -p -- /etc/sysctl.d",
                "TMP=$(mktemp -- /etc/sysctl.d/.90-x.conf.XXXXXXXXXX)",
                "tee -- $TMP",
                "chmod -- 0600 $TMP",
                "chown -- root $TMP",
                "mv -f -T -- $TMP /etc/sysctl.d/90-x.conf",
            ])
        #expect(linux.allSatisfy { $0.mutating })
        let mac = HostFile.write("x", to: "/etc/pf.conf", os: .macos)
        #expect(mac.last?.argv == ["mv", "-f", "-h", "--", "$TMP", "/etc/pf.conf"])
        #expect(!mac.contains { $0.argv.contains { $0.hasSuffix(".ocplan-tmp") } }, "no predictable name")
    }

    @Test func laterCommandsGetTheNameMktempPrinted() async throws {
        let runner = ScriptedRunner(order: .ordered)
        let temporary = "/etc/.app.conf.Ab3dE9xQ1z"
        runner.expect(argv: ["mkdir", "-p", "--", "/etc"])
        runner.expect(
            argv: ["mktemp", "--", "/etc/.app.conf.XXXXXXXXXX"],
            result: CommandResult(exitStatus: 0, stdout: temporary + "\n"))
        runner.expect(argv: ["tee", "--", temporary], stdin: Data("hello\n".utf8))
        runner.expect(argv: ["chmod", "--", "0644", temporary])
        runner.expect(argv: ["mv", "-f", "-T", "--", temporary, "/etc/app.conf"])
        try await runner.checkAll(HostFile.write("hello\n", to: "/etc/app.conf", os: .linux), host: "h")
        #expect(runner.unexpected.isEmpty)
        #expect(runner.calls.count == 5)
    }

    @Test func aFailedStepRemovesTheTemporaryFile() async throws {
        let runner = ScriptedRunner(order: .ordered)
        let temporary = "/etc/.app.conf.Zz9"
        runner.expect(argv: ["mkdir", "-p", "--", "/etc"])
        runner.expect(
            argv: ["mktemp", "--", "/etc/.app.conf.XXXXXXXXXX"],
            result: CommandResult(exitStatus: 0, stdout: temporary + "\n"))
        runner.expect(
            argv: ["tee", "--", temporary],
            result: CommandResult(exitStatus: 1, stdout: "", stderr: "tee: No space left"))
        runner.expect(argv: ["rm", "-f", "--", temporary])
        await #expect(throws: CommandFailure.self) {
            try await runner.checkAll(HostFile.write("hello\n", to: "/etc/app.conf", os: .linux), host: "h")
        }
        #expect(runner.unexpected.isEmpty)
        #expect(runner.calls.last?.argv == ["rm", "-f", "--", temporary])
    }

    @Test func aCommandUsingAnUndefinedValueIsRefused() async throws {
        let runner = ScriptedRunner()
        let tee = HostFile.using(Command(["tee", "--", "$TMP"]))
        await #expect(throws: OCError.self) { try await runner.checkAll([tee], host: "h") }
        #expect(runner.calls.isEmpty)
    }
}
