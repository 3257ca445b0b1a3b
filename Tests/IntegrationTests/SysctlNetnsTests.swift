import Foundation
import Logging
import OCCore
import OCExec
import OCSysctl
import OCTestSupport
import Testing

/// The sysctl provider for real: the engine plans and applies a manifest whose host is a network namespace
/// made for the test, through the netns transport over the real subprocess runner.
///
/// Only `net.ipv4.*` keys are used: they are per namespace, so the machine's own settings never change.
/// That is checked on `net.ipv4.ip_default_ttl`, a key nothing else on the machine touches: the root
/// namespace's forwarding keys are not a witness, because Podman's netavark turns root forwarding on
/// whenever a test in another suite creates a network (a fresh machine starts with 0).
/// On Linux `net.ipv4.ip_forward` and `net.ipv4.conf.all.forwarding` are one kernel setting under two
/// names; the steps below rely on, and check, that.
@Suite(.serialized) struct SysctlNetnsTests {
    /// A stack on one namespace: the manifest folder, the state journal and the engine around them.
    final class NetnsStack: Sendable {
        let namespace: NetNamespace
        let harness: EngineHarness
        var journal: StateJournal { harness.journal }

        init(_ namespace: NetNamespace) throws {
            self.namespace = namespace
            harness = try EngineHarness(
                stack: "sysctl-netns", header: "hosts:\n  ns: { transport: netns, namespace: \(namespace.name) }\n",
                catalog: SpecCatalog([SysctlSpec.self]), providers: [SysctlProvider()],
                runner: { host in makeRunner(for: host, base: SubprocessRunner()) })
        }

        /// The persistence file, in a folder that does not exist yet (the provider creates it).
        var persistFile: String { harness.manifestDirectory.path + "/sysctl.d/90-ocplan-test.conf" }

        /// Writes the manifest with `sysctls` (lines under `sysctl:`) and plans it.
        func plan(_ sysctls: [String]) async throws -> Plan {
            try await harness.plan("sysctl:\n" + sysctls.map { "  \($0)\n" }.joined())
        }

        /// Applies `plan`, requiring that every action succeeded and converged.
        func apply(_ plan: Plan) async throws {
            let report = await harness.apply(plan)
            #expect(report.failed.map(\.error) == [])
            #expect(report.skipped.isEmpty)
            #expect(report.notConverged.isEmpty)
        }

        /// `sysctl -n KEY` inside the namespace (`ip netns exec NS sysctl -n KEY`).
        func value(_ key: String) async throws -> String {
            try await namespace.run(["sysctl", "-n", key]).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// The persistence file's text, or `nil` when it does not exist.
        var persisted: String? {
            FileManager.default.contents(atPath: persistFile).map { String(decoding: $0, as: UTF8.self) }
        }

        func forward(_ value: String) -> String {
            "forward: { host: ns, key: net.ipv4.ip_forward, value: \(value), persist: true, "
                + "persistFile: \(persistFile) }"
        }

        func allForward(_ value: String) -> String {
            "all-forward: { host: ns, key: net.ipv4.conf.all.forwarding, value: \"\(value)\", persist: true, "
                + "persistFile: \(persistFile) }"
        }
    }

    /// `sysctl -n KEY` in the machine's own namespace.
    static func rootValue(_ key: String) async throws -> String {
        try await SubprocessRunner().check(Command(["sysctl", "-n", key])).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(2)))
    func planApplyDriftEditAndDeleteInANamespace() async throws {
        try #require(ToolLocator.isAvailable("sysctl"), "sysctl is needed: apt-get install procps")

        try await withNetNamespace { namespace in
            let stack = try NetnsStack(namespace)
            // A new namespace inherits IPv4 forwarding from the root namespace (devconf_inherit_init_net),
            // which Podman may have turned on: start from a known value.
            try await namespace.run(["sysctl", "-w", "net.ipv4.ip_forward=0", "net.ipv4.conf.all.forwarding=0"])
            #expect(try await stack.value("net.ipv4.ip_forward") == "0")

            // 1. Two creates (taking the settings over); apply sets them inside the namespace only.
            let first = try await stack.plan([stack.forward("1"), stack.allForward("1")])
            #expect(first.actions.map(\.address) == ["sysctl.forward", "sysctl.all-forward"])
            #expect(first.actions.map(\.action) == [.create, .create])
            #expect(first.actions.allSatisfy { $0.cause == .manifest })
            try await stack.apply(first)
            #expect(try await stack.value("net.ipv4.ip_forward") == "1")
            #expect(try await stack.value("net.ipv4.conf.all.forwarding") == "1")
            let file = try #require(stack.persisted)
            #expect(file.hasPrefix(SysctlPersistenceFile.header + "\n"))
            #expect(file.contains("# ocplan sysctl-netns sysctl.forward\nnet.ipv4.ip_forward = 1\n"))
            #expect(file.contains("# ocplan sysctl-netns sysctl.all-forward\nnet.ipv4.conf.all.forwarding = 1\n"))

            // 2. A second plan is all no-ops.
            let second = try await stack.plan([stack.forward("1"), stack.allForward("1")])
            #expect(second.changes.map(\.action) == [.noop, .noop])

            // 3. A hand edit is drift (both names show it: they are one setting); apply heals it.
            try await namespace.run(["sysctl", "-w", "net.ipv4.ip_forward=0"])
            let drifted = try await stack.plan([stack.forward("1"), stack.allForward("1")])
            let driftChange = try #require(drifted.change("sysctl.forward"))
            #expect(driftChange.action == .update)
            #expect(driftChange.cause == .drift)
            #expect(driftChange.attributes.map(\.path) == [ValuePath("value")])
            #expect(drifted.change("sysctl.all-forward")?.cause == .drift)
            try await stack.apply(drifted)
            #expect(try await stack.value("net.ipv4.ip_forward") == "1")

            // 4. A manifest edit is a manifest change, for the value and for its persisted line.
            let edited = try await stack.plan([stack.forward("0"), stack.allForward("0")])
            #expect(edited.actions.map(\.action) == [.update, .update])
            #expect(edited.actions.allSatisfy { $0.cause == .manifest })
            try await stack.apply(edited)
            #expect(try await stack.value("net.ipv4.ip_forward") == "0")
            #expect(stack.persisted?.contains("net.ipv4.ip_forward = 0\n") == true)
            let back = try await stack.plan([stack.forward("1"), stack.allForward("1")])
            #expect(back.actions.map(\.cause) == [.manifest, .manifest])
            try await stack.apply(back)
            #expect(try await stack.value("net.ipv4.ip_forward") == "1")

            // 5. Removing a resource deletes it: the value found at take-over (0) comes back and its block goes.
            let removed = try await stack.plan([stack.allForward("1")])
            #expect(removed.actions.map(\.address) == ["sysctl.forward"])
            #expect(removed.actions.map(\.action) == [.delete])
            try await stack.apply(removed)
            #expect(try await stack.value("net.ipv4.ip_forward") == "0")
            let remaining = try #require(stack.persisted)
            #expect(!remaining.contains("sysctl.forward\n"))
            #expect(remaining.contains("# ocplan sysctl-netns sysctl.all-forward\n"))
            // Restoring ip_forward also turned the alias off, which the next plan reports as drift.
            let alias = try await stack.plan([stack.allForward("1")])
            #expect(alias.actions.map(\.address) == ["sysctl.all-forward"])
            #expect(alias.actions.map(\.cause) == [.drift])

            // 6. Removing the last resource restores it and removes the file the stack created.
            let none = try await stack.plan([])
            #expect(none.actions.map(\.action) == [.delete])
            try await stack.apply(none)
            #expect(try await stack.value("net.ipv4.conf.all.forwarding") == "0")
            #expect(stack.persisted == nil)
            #expect(await stack.journal.entries.isEmpty)
        }
    }

    /// A value applied in a namespace is set there and only there, and comes back when the resource goes.
    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(1)))
    func applyInANamespaceLeavesTheRootNamespaceAlone() async throws {
        let rootTTL = try await Self.rootValue("net.ipv4.ip_default_ttl")
        let wanted = rootTTL == "77" ? "78" : "77"
        try await withNetNamespace { namespace in
            let stack = try NetnsStack(namespace)
            let found = try await stack.value("net.ipv4.ip_default_ttl")
            let ttl = "ttl: { host: ns, key: net.ipv4.ip_default_ttl, value: \(wanted) }"
            try await stack.apply(try await stack.plan([ttl]))
            #expect(try await stack.value("net.ipv4.ip_default_ttl") == wanted)
            #expect(try await Self.rootValue("net.ipv4.ip_default_ttl") == rootTTL)
            try await stack.apply(try await stack.plan([]))
            #expect(try await stack.value("net.ipv4.ip_default_ttl") == found)
        }
        #expect(try await Self.rootValue("net.ipv4.ip_default_ttl") == rootTTL)
    }

    @Test(.enabled(if: NetNamespace.isSupported), .timeLimit(.minutes(1)))
    func observationOfAnUnknownKeyIsAbsentWhileKnownKeysAreRead() async throws {
        try await withNetNamespace { namespace in
            let response = try await SysctlProvider().observe(
                ObserveRequest(
                    stack: "sysctl-netns", host: namespace.host(), runner: namespace.runner(),
                    targets: [
                        ObserveTarget(
                            address: "sysctl.ttl",
                            desired: [
                                "key": "net.ipv4.ip_default_ttl", "value": "64", "persist": false,
                                "persistFile": "/nonexistent/ocplan-test.conf",
                            ]),
                        ObserveTarget(
                            address: "sysctl.nope",
                            desired: [
                                "key": "net.ipv4.ocplan_nope", "value": "1", "persist": false,
                                "persistFile": "/nonexistent/ocplan-test.conf",
                            ]),
                    ], logger: Logger(label: "sysctl-netns-test")))
            #expect(response.observations["sysctl.ttl"]?.value?["value"] == "64")
            #expect(response.observations["sysctl.ttl"]?.value?["persist"] == false)
            let nope = try #require(response.observations["sysctl.nope"])
            #expect(!nope.exists)
            #expect(nope.note?.contains("cannot stat /proc/sys/net/ipv4/ocplan_nope") == true)
        }
    }
}
