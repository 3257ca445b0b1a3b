import Foundation
import OCTestSupport
import Testing

/// Drives the real `ocplan` and `ocapply` binaries on examples/linux-lab, in a namespace and a
/// temporary directory of the test's own, as a user would.
@Suite struct LinuxLabCLITests {
    @Test(.enabled(if: NetNamespace.isSupported && PodmanFixture.isSupported))
    func applyThenNoChangesThenManifestAndDriftAreTold() async throws {
        try await withLinuxLab { lab, ns in

            let apply = try await lab.ocapply(["--auto-approve"])
            #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            #expect(apply.stdout.contains("Apply complete! Resources: 10 created"), "\(apply.stdout)")
            #expect(try await ns.run(["sysctl", "-n", "net.ipv4.ip_forward"]) == "1\n")
            let conf = try String(contentsOfFile: lab.labDir.path + "/squid/squid.conf", encoding: .utf8)
            #expect(conf.contains("http_port 3128"))

            let clean = try await lab.ocplan(["--detailed-exitcode"])
            #expect(clean.status == 0, "\(clean.stdout)\n\(clean.stderr)")
            #expect(clean.stdout.contains("No changes."))

            // A manifest edit: the plan says `manifest`.
            try lab.edit("stack.yaml") {
                $0.replacingOccurrences(of: "proxy_port: \"3128\"", with: "proxy_port: \"3129\"")
            }
            let edited = try await lab.ocplan(["--detailed-exitcode"])
            #expect(edited.status == 2)
            #expect(edited.stdout.contains("files.squid-conf on local will be updated in place — cause: manifest"))
            #expect(edited.stdout.contains("- http_port 3128"))
            #expect(edited.stdout.contains("+ http_port 3129"))
            try lab.edit("stack.yaml") {
                $0.replacingOccurrences(of: "proxy_port: \"3129\"", with: "proxy_port: \"3128\"")
            }

            // A change by hand: the plan says `drift`.
            try await ns.run(["sysctl", "-w", "net.ipv4.ip_forward=0"])
            let drifted = try await lab.ocplan(["--detailed-exitcode"])
            #expect(drifted.status == 2, "\(drifted.stdout)\n\(drifted.stderr)")
            #expect(
                drifted.stdout.contains(
                    "sysctl.exit-forwarding on \("lab-exit") will be updated in place — cause: drift"))

            // A netfilter rule deleted by hand from an owned chain: drift too.
            let nat = try await ns.run(["iptables-save", "-t", "nat"])
            #expect(nat.contains("-A OC_EXIT_NAT -s 100.64.0.0/10 -o eth0 -m comment --comment"), "\(nat)")
            try await ns.run(["iptables", "-t", "nat", "-D", "OC_EXIT_NAT", "1"])
            let ruleGone = try await lab.ocplan(["--detailed-exitcode"])
            #expect(ruleGone.status == 2, "\(ruleGone.stdout)\n\(ruleGone.stderr)")
            #expect(ruleGone.stdout.contains("iptables.exit-nat on lab-exit will be updated in place — cause: drift"))

            // A saved plan is refused once the world changed after it was made.
            let planFile = lab.state.path + "/heal.plan"
            let saved = try await lab.ocplan(["-out", planFile])
            #expect(saved.status == 0)
            try "hand edit\n".write(toFile: lab.labDir.path + "/log/README", atomically: true, encoding: .utf8)
            let stale = try await Binaries.run("ocapply", ["--state-dir", lab.state.path, planFile])
            #expect(stale.status == 1)
            #expect(stale.stderr.contains("the plan is stale"))
            #expect(stale.stderr.contains("files.egress-log-dir-readme"))
            #expect(try await ns.run(["sysctl", "-n", "net.ipv4.ip_forward"]) == "0\n", "a stale plan changed nothing")

            // A fresh plan applies exactly, and the stack converges again.
            let fresh = try await lab.ocplan(["-out", planFile])
            #expect(fresh.status == 0)
            let applied = try await Binaries.run("ocapply", ["--state-dir", lab.state.path, planFile])
            #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
            #expect(try await lab.ocplan(["--detailed-exitcode"]).status == 0)
            #expect(try await ns.run(["iptables-save", "-t", "nat"]).contains("-A OC_EXIT_NAT -s 100.64.0.0/10"))

            // Destroy restores the namespace's original value and removes only what the stack created.
            let destroy = try await lab.ocapply(["--destroy", "--auto-approve"])
            #expect(destroy.status == 0, "\(destroy.stdout)\n\(destroy.stderr)")
            #expect(try await ns.run(["sysctl", "-n", "net.ipv4.ip_forward"]) == "0\n")
            #expect(!FileManager.default.fileExists(atPath: lab.labDir.path + "/squid/squid.conf"))
            #expect(!(try await ns.run(["iptables-save"])).contains("ocplan:"))
        }
    }

    @Test(.enabled(if: NetNamespace.isSupported && PodmanFixture.isSupported))
    func historyListsTheApplies() async throws {
        try await withLinuxLab { lab, ns in
            #expect(try await lab.ocapply(["--auto-approve"]).status == 0)
            let history = try await Binaries.run(
                "ocplan",
                [
                    "history", "--state-dir", lab.state.path, "--var", "lab_namespace=\(ns.name)", "--var",
                    "internal_subnet=\(lab.subnet)", lab.copy.path,
                ])
            #expect(history.status == 0, "\(history.stderr)")
            #expect(history.stdout.contains("ok"))
            #expect(history.stdout.contains("10 create"), "\(history.stdout)")
            #expect(try await lab.ocapply(["--destroy", "--auto-approve"]).status == 0)
        }
    }

    @Test func aPlanWithoutAConfirmationTerminalIsRefused() async throws {
        let dir = try TempDirectory()
        let state = try TempDirectory()
        try dir.write(
            "version: 1\nstack: confirm\nfiles:\n  a: { path: \(dir.path)/out.txt, content: hi }\n", to: "stack.yaml")
        let run = try await Binaries.run("ocapply", ["--state-dir", state.path, dir.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("--auto-approve"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/out.txt"))
    }
}
