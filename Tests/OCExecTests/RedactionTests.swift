import Foundation
import OCCore
import OCExec
import Testing

@Suite struct RedactionTests {
    @Test("every occurrence of every secret is replaced")
    func replacesEveryOccurrence() {
        let text = "key tskey-1 rejected; retry with tskey-1 or pw hunter2"
        let redacted = Redaction.redact(text, secrets: ["tskey-1", "hunter2"])
        #expect(redacted == "key (sensitive) rejected; retry with (sensitive) or pw (sensitive)")
    }

    @Test("a longer secret containing a shorter one is removed whole; empty secrets are ignored")
    func longerSecretsFirst() {
        let redacted = Redaction.redact("token abc-def", secrets: ["abc", "abc-def", ""])
        #expect(redacted == "token (sensitive)")
        #expect(Redaction.redact("unchanged", secrets: [""]) == "unchanged")
    }

    @Test("the secrets of a command are its sensitive argv elements")
    func secretsOfCommand() {
        let command = Command(["tool", "--user", "me", "--password", "pw"], sensitiveArguments: [4])
        #expect(Redaction.secrets(of: command) == ["pw"])
    }

    @Test("a failure's output and reason lose the command's secrets; its description never shows them")
    func redactsFailure() {
        let command = Command(["tailscale", "up", "--auth-key", "tskey-9"], sensitiveArguments: [3])
        let failure = CommandFailure(
            host: "edge",
            command: command,
            reason: .exited(1),
            result: CommandResult(exitStatus: 1, stdout: "ok tskey-9", stderr: "invalid key tskey-9\n")
        )

        let redacted = Redaction.redact(failure)

        #expect(redacted.result?.stdoutText == "ok (sensitive)")
        #expect(redacted.result?.stderrText == "invalid key (sensitive)\n")
        #expect(!redacted.description.contains("tskey-9"))
        #expect(redacted.command == command)
    }

    @Test("a result without secrets keeps its bytes exactly")
    func leavesCleanResultAlone() {
        let bytes = Data([0xff, 0x00, 0x41])
        let result = CommandResult(exitStatus: 0, stdout: bytes, stderr: Data())
        #expect(Redaction.redact(result, secrets: ["secret"]).stdout == bytes)
    }
}
