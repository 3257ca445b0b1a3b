import Foundation
import OCCore
import OCExec
import OCTestSupport
import Testing

/// Values passed between resources in the lab, on real Podman: a file that holds the egress proxy's address on
/// the internal network is `(known after apply)` on a fresh stack and holds the real address after the apply.
@Suite(.serialized) struct LinuxLabOutputsCLITests {
    @Test(.enabled(if: NetNamespace.isSupported && PodmanFixture.isSupported))
    func aFileHoldingTheProxysAddressIsKnownAfterApply() async throws {
        try await withLinuxLab { lab, _ in
            let fresh = try await lab.ocplan(["--no-color"])
            #expect(fresh.status == 0, "\(fresh.stderr)")
            let lines = fresh.stdout.split(separator: "\n")
            #expect(
                lines.contains { $0.contains("HTTP_PROXY=http://(known after apply):3128") },
                "\(fresh.stdout)")
            #expect(!fresh.stdout.contains("ocplanout"), "the placeholder token never shows")

            let apply = try await lab.ocapply(["--auto-approve"])
            #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            let inspected = try await SubprocessRunner().run(
                Command([
                    "podman", "container", "inspect", "--format",
                    "{{(index .NetworkSettings.Networks \"\(lab.network)\").IPAddress}}", lab.proxy,
                ]))
            let address = inspected.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            try #require(!address.isEmpty, "\(inspected.stderrText)")
            let written = try String(contentsOfFile: lab.labDir.path + "/agent/proxy.env", encoding: .utf8)
            #expect(written == "HTTP_PROXY=http://\(address):3128\nHTTPS_PROXY=http://\(address):3128\n")

            let again = try await lab.ocplan(["--detailed-exitcode"])
            #expect(again.status == 0, "the journaled address is current: \(again.stdout)\n\(again.stderr)")
        }
    }
}
