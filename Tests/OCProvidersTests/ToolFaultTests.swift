import Foundation
import Logging
import OCAppleContainer
import OCContainerModel
import OCCore
import OCFiles
import OCIPTables
import OCPacketFilter
import OCPodman
import OCSysctl
import OCTestSupport
import Testing

/// Every provider against a tool that prints garbage, exits non-zero, hangs, or succeeds without doing anything:
/// a fault is an error naming the host, the tool and its output, never "absent" or "drift", and an action whose
/// read-back does not show its effect fails and is not journaled.
@Suite struct ToolFaultTests {
    static let linuxHeader = "hosts:\n  web: { transport: local, os: linux }\n"

    /// A runner that answers every command of `runner`'s script, except those `when` picks, with `fault`.
    static func harness(
        header: String = linuxHeader, catalog: SpecCatalog, providers: [any Provider], base: any CommandRunner,
        fault: FaultInjectingRunner.Fault, when applies: @escaping @Sendable (Command) -> Bool
    ) throws -> EngineHarness {
        try EngineHarness(
            header: header, catalog: catalog, providers: providers,
            runner: FaultInjectingRunner(base, fault, when: applies))
    }

    // MARK: - Files

    /// A stand-in for GNU `stat` and `cat` over a few files, honouring the format `stat` is given.
    static func files(_ files: [String: String], denied: Set<String> = []) -> ScriptedRunner {
        let runner = ScriptedRunner(host: "web")
        runner.expect(
            .init(
                .predicate("stat or cat", { $0.program == "stat" || $0.program == "cat" }),
                response: .handler({ command in
                    FakeCoreutils.respond(command, files: files, denied: denied)
                }), repeating: true))
        runner.expect(
            .init(
                .predicate("mktemp", { $0.program == "mktemp" }),
                response: .result(.init(exitStatus: 0, stdout: "/srv/.ocplan.Xa1b2c3d4e\n")), repeating: true))
        runner.expect(
            .init(.predicate("any change", \.mutating), response: .result(.init(exitStatus: 0)), repeating: true))
        return runner
    }

    static let filesCatalog = SpecCatalog([FileSpec.self])

    @Test(arguments: ToolFaults.observation)
    func filesObservationFaultIsAnError(fault: FaultInjectingRunner.Fault) async throws {
        let harness = try Self.harness(
            catalog: Self.filesCatalog, providers: [FilesProvider()], base: Self.files([:]), fault: fault,
            when: { $0.program == "stat" })
        let (plan, diagnostics) = try await harness.attempt(
            "files:\n  motd: { host: web, path: /srv/motd, content: hi }\n")
        try ToolFaults.expectObservationError(plan, diagnostics, fault: fault, host: "web", tool: "stat")
    }

    @Test func filesAPathThatCannotBeStatedIsAnErrorAndAMissingOneAbsent() async throws {
        let runner = Self.files(["/srv/other": "x"], denied: ["/srv/secret/key"])
        let harness = try EngineHarness(
            header: Self.linuxHeader, catalog: Self.filesCatalog, providers: [FilesProvider()], runner: runner)
        let body = """
            files:
              key: { host: web, path: /srv/secret/key, content: k }
              motd: { host: web, path: /srv/motd, content: hi }

            """
        let (plan, diagnostics) = try await harness.attempt(body)
        #expect(plan == nil)
        let errors = diagnostics.errors
        #expect(errors.map(\.address) == ["files.key"], "\(errors)")
        let detail = try #require(errors.first?.detail)
        #expect(detail.contains("'stat'") && detail.contains("Permission denied"), "\(detail)")
        #expect(errors.first?.summary.contains("web") == true)
        #expect(runner.unexpected.isEmpty)

        let (only, _) = try await harness.attempt("files:\n  motd: { host: web, path: /srv/motd, content: hi }\n")
        #expect(only?.actions.map(\.action) == [.create], "a missing file is absent")
    }

    @Test func filesAFileThatCannotBeReadIsAnError() async throws {
        // stat works (the folder is readable) but the content is not: permission denied on cat.
        let runner = Self.files(["/srv/key": "k"], denied: ["cat:/srv/key"])
        let harness = try EngineHarness(
            header: Self.linuxHeader, catalog: Self.filesCatalog, providers: [FilesProvider()], runner: runner)
        let (plan, diagnostics) = try await harness.attempt(
            "files:\n  key: { host: web, path: /srv/key, content: k }\n")
        #expect(plan == nil)
        #expect(diagnostics.errors.map(\.address) == ["files.key"])
        #expect(diagnostics.errors.first?.detail?.contains("'cat'") == true, "\(diagnostics.errors)")
    }

    @Test func filesAPathWithANewlineCannotPassForAnotherFile() async throws {
        // Split on newlines, the stat line of the first path would read as the stat of /srv/real.
        let evil = "/srv/real\t644\t3\tregular file\troot\troot\n/srv/x"
        let runner = Self.files([evil: "abc"])
        let request = ObserveRequest(
            stack: "lab", host: OCCore.Host(name: "web", transport: .local, os: .linux), runner: runner,
            targets: [
                ObserveTarget(address: "files.real", desired: ["path": "/srv/real", "content": "abc", "mode": "0644"]),
                ObserveTarget(
                    address: "files.evil", desired: ["path": .string(evil), "content": "abc", "mode": "0644"]),
            ], logger: .init(label: "test"))
        let response = try await FilesProvider().observe(request)
        #expect(response.failures.isEmpty)
        #expect(response.observations["files.real"]?.exists == false, "/srv/real does not exist")
        #expect(response.observations["files.evil"]?.value?["content"] == "abc")
    }

    @Test(arguments: [OCCore.Host.OS.linux, .macos])
    func filesStatOfSeveralPathsWithOneMissingReadsEachPath(os: OCCore.Host.OS) async throws {
        let odd = "/srv/a\nb"
        let runner = Self.files(["/srv/one": "1", odd: "22"])
        func target(_ name: String, _ path: String) -> ObserveTarget {
            ObserveTarget(address: Address("files", name), desired: ["path": .string(path), "content": "x"])
        }
        let response = try await FilesProvider().observe(
            ObserveRequest(
                stack: "lab", host: OCCore.Host(name: "web", transport: .local, os: os), runner: runner,
                targets: [target("one", "/srv/one"), target("odd", odd), target("gone", "/srv/gone")],
                logger: Logger(label: "test")))
        #expect(response.failures.isEmpty, "\(response.failures)")
        #expect(response.observations["files.one"]?.value?["content"] == "1")
        #expect(response.observations["files.odd"]?.value?["content"] == "22")
        #expect(response.observations["files.gone"]?.exists == false)
        #expect(runner.calls.filter { $0.program == "stat" }.count == 4, "one batch, then one per path")
    }

    @Test func filesAWriteThatDoesNothingFailsAndIsNotJournaled() async throws {
        let harness = try Self.harness(
            catalog: Self.filesCatalog, providers: [FilesProvider()], base: Self.files([:]), fault: .noEffect,
            // mktemp must still name a temporary file; every command after it does nothing.
            when: { $0.mutating && $0.program != "mktemp" })
        let plan = try await harness.plan("files:\n  motd: { host: web, path: /srv/motd, content: hi }\n")
        #expect(plan.actions.map(\.action) == [.create])
        let events = ApplyEvents()
        let report = await harness.apply(plan, events: events)
        await ToolFaults.expectFailedApply(
            report, events: events, address: "files.motd", journal: harness.journal, journaled: nil)
    }

    // MARK: - Sysctl

    static let sysctlCatalog = SpecCatalog([SysctlSpec.self])
    static let forwarding = "sysctl:\n  fwd: { host: web, key: net.ipv4.ip_forward, value: \"1\" }\n"

    @Test(arguments: ToolFaults.observation)
    func sysctlObservationFaultIsAnError(fault: FaultInjectingRunner.Fault) async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "0"])
        let harness = try Self.harness(
            catalog: Self.sysctlCatalog, providers: [SysctlProvider()], base: fake.runner(), fault: fault,
            when: { $0.program == "sysctl" })
        let (plan, diagnostics) = try await harness.attempt(Self.forwarding)
        try ToolFaults.expectObservationError(plan, diagnostics, fault: fault, host: "web", tool: "sysctl")
    }

    @Test func sysctlOutputWithoutTheKeyIsAnErrorNotAMissingKey() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "0"])
        let harness = try Self.harness(
            catalog: Self.sysctlCatalog, providers: [SysctlProvider()], base: fake.runner(),
            fault: .garbage("kernel.other = 1\n"), when: { $0.program == "sysctl" })
        let (plan, diagnostics) = try await harness.attempt(Self.forwarding)
        #expect(plan == nil)
        #expect(diagnostics.errors.map(\.address) == ["sysctl.fwd"])
        #expect(diagnostics.errors.first?.detail?.contains("kernel.other = 1\\n") == true, "\(diagnostics.errors)")
    }

    @Test func sysctlAKeyThatCannotBeReadIsAnErrorNotAMissingKey() async throws {
        let fake = FakeSysctlHost(values: [:])
        let harness = try Self.harness(
            catalog: Self.sysctlCatalog, providers: [SysctlProvider()], base: fake.runner(),
            fault: .exits(1, stderr: "sysctl: permission denied on key 'net.ipv4.ip_forward'\n"),
            when: { $0.program == "sysctl" })
        let (plan, diagnostics) = try await harness.attempt(Self.forwarding)
        #expect(plan == nil)
        #expect(diagnostics.errors.first?.detail?.contains("permission denied") == true, "\(diagnostics.errors)")
    }

    @Test func sysctlAWriteThatDoesNothingFailsAndTheJournalKeepsTheOriginalValue() async throws {
        let fake = FakeSysctlHost(values: ["net.ipv4.ip_forward": "0"])
        let broken = FaultSwitch()
        let harness = try Self.harness(
            catalog: Self.sysctlCatalog, providers: [SysctlProvider()], base: fake.runner(), fault: .noEffect,
            when: { $0.mutating && broken.isOn })

        // A take-over whose write does nothing: failed, and only the unconfirmed intent is journaled, holding
        // the value found (so a write that did land after all is still restored on destroy).
        broken.set(true)
        let takeover = try await harness.plan(Self.forwarding)
        let events = ApplyEvents()
        let report = await harness.apply(takeover, events: events)
        await ToolFaults.expectFailedApply(
            report, events: events, address: "sysctl.fwd", journal: harness.journal, journaled: nil)
        let intent = await harness.journal.entries["sysctl.fwd"]
        #expect(intent?.pending == true)
        #expect(intent?.privateState?["original"] == "0")

        // Taken over for real, then an update that does nothing: the entry keeps the original value.
        broken.set(false)
        try await harness.converge(Self.forwarding)
        let entry = try #require(await harness.journal.entries["sysctl.fwd"])
        #expect(entry.privateState?["original"] == "0")
        broken.set(true)
        let update = try await harness.plan(Self.forwarding.replacingOccurrences(of: "\"1\"", with: "\"2\""))
        #expect(update.actions.map(\.action) == [.update])
        let second = ApplyEvents()
        await ToolFaults.expectFailedApply(
            await harness.apply(update, events: second), events: second, address: "sysctl.fwd",
            journal: harness.journal, journaled: entry)

        // Destroy restores the value found at the take-over.
        broken.set(false)
        try await harness.converge("")
        #expect(fake.values["net.ipv4.ip_forward"] == "0")
    }

    // MARK: - iptables and nft

    static let iptablesCatalog = SpecCatalog([IPTablesChainSpec.self])
    static let emptySave =
        "# Generated by iptables-save v1.8.9\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
        + ":OUTPUT ACCEPT [0:0]\nCOMMIT\n"

    static func netfilter() -> ScriptedRunner {
        let runner = ScriptedRunner(host: "web")
        runner.expect(argv: ["iptables-save"], result: CommandResult(exitStatus: 0, stdout: emptySave), repeating: true)
        runner.expect(
            .init(
                .prefix(["nft", "-j", "list"]),
                response: .result(
                    CommandResult(
                        exitStatus: 1, stdout: "",
                        stderr: "Error: No such file or directory\nlist table inet ocplan_lab\n")), repeating: true))
        runner.expect(
            .init(.predicate("any change", \.mutating), response: .result(.init(exitStatus: 0)), repeating: true))
        return runner
    }

    static func chain(_ backend: String) -> String {
        let rule = backend == "nft" ? "counter accept" : "-j ACCEPT"
        return "iptables:\n  fwd: { host: web, chain: OC_FWD, backend: \(backend), rules: [\"\(rule)\"], "
            + "hook: { chain: FORWARD } }\n"
    }

    static let backends = [("iptables", "iptables-save"), ("nft", "nft")]

    @Test(arguments: ToolFaults.observation, backends)
    func netfilterObservationFaultIsAnError(fault: FaultInjectingRunner.Fault, backend: (String, String)) async throws {
        let tool = backend.1
        let harness = try Self.harness(
            catalog: Self.iptablesCatalog, providers: [IPTablesProvider()], base: Self.netfilter(), fault: fault,
            when: { $0.program == tool })
        let (plan, diagnostics) = try await harness.attempt(Self.chain(backend.0))
        try ToolFaults.expectObservationError(plan, diagnostics, fault: fault, host: "web", tool: tool)
    }

    @Test func iptablesSaveCutShortIsAnError() async throws {
        let harness = try Self.harness(
            catalog: Self.iptablesCatalog, providers: [IPTablesProvider()], base: Self.netfilter(),
            fault: .garbage("*filter\n:INPUT ACCEPT [0:0]\n"), when: { $0.program == "iptables-save" })
        let (plan, diagnostics) = try await harness.attempt(Self.chain("iptables"))
        #expect(plan == nil)
        #expect(diagnostics.errors.first?.detail?.contains("without COMMIT") == true, "\(diagnostics.errors)")
    }

    @Test(arguments: backends)
    func netfilterATransactionThatDoesNothingFailsAndIsNotJournaled(backend: (String, String)) async throws {
        let harness = try Self.harness(
            catalog: Self.iptablesCatalog, providers: [IPTablesProvider()], base: Self.netfilter(), fault: .noEffect,
            when: \.mutating)
        let plan = try await harness.plan(Self.chain(backend.0))
        #expect(plan.actions.map(\.action) == [.create])
        let events = ApplyEvents()
        let report = await harness.apply(plan, events: events)
        await ToolFaults.expectFailedApply(
            report, events: events, address: "iptables.fwd", journal: harness.journal, journaled: nil)
    }

    // MARK: - Podman

    static let podmanCatalog = SpecCatalog([NetworkSpec.self, ContainerSpec.self, VolumeSpec.self, ImageSpec.self])
    static let network = "networks:\n  edge: { host: web }\n"

    static func podman() -> ScriptedRunner {
        let runner = ScriptedRunner(host: "web")
        for list in [["podman", "network", "ls"], ["podman", "volume", "ls"], ["podman", "ps"]] {
            runner.expect(
                .init(.prefix(list), response: .result(.init(exitStatus: 0, stdout: "[]\n")), repeating: true))
        }
        runner.expect(
            .init(
                .prefix(["podman", "network", "inspect"]),
                response: .result(
                    .init(exitStatus: 125, stdout: "[]\n", stderr: "Error: network edge: no such network\n")),
                repeating: true))
        runner.expect(
            .init(.predicate("any change", \.mutating), response: .result(.init(exitStatus: 0)), repeating: true))
        return runner
    }

    @Test(arguments: ToolFaults.observation)
    func podmanObservationFaultIsAnError(fault: FaultInjectingRunner.Fault) async throws {
        let harness = try Self.harness(
            catalog: Self.podmanCatalog, providers: [PodmanProvider()], base: Self.podman(), fault: fault,
            when: { $0.program == "podman" })
        let (plan, diagnostics) = try await harness.attempt(Self.network)
        try ToolFaults.expectObservationError(plan, diagnostics, fault: fault, host: "web", tool: "podman")
    }

    @Test func podmanACreateThatDoesNothingFailsAndIsNotJournaled() async throws {
        let harness = try Self.harness(
            catalog: Self.podmanCatalog, providers: [PodmanProvider()], base: Self.podman(), fault: .noEffect,
            when: \.mutating)
        let plan = try await harness.plan(Self.network)
        #expect(plan.actions.map(\.action) == [.create])
        let events = ApplyEvents()
        let report = await harness.apply(plan, events: events)
        await ToolFaults.expectFailedApply(
            report, events: events, address: "networks.edge", journal: harness.journal, journaled: nil)
    }

    // MARK: - Apple container

    static let macHeader = "hosts:\n  mac: { transport: local, os: macos }\n"
    static let appleNetwork = "networks:\n  oc-internal: { host: mac, runtime: apple, internal: true }\n"

    @Test(arguments: ToolFaults.observation)
    func appleContainerObservationFaultIsAnError(fault: FaultInjectingRunner.Fault) async throws {
        let harness = try Self.harness(
            header: Self.macHeader, catalog: SpecCatalog([NetworkSpec.self, ContainerSpec.self]),
            providers: [AppleContainerProvider()], base: FakeAppleContainerCLI(), fault: fault,
            when: {
                $0.argv.starts(with: ["container", "network", "list"]) || $0.argv == ["container", "system", "status"]
            })
        let (plan, diagnostics) = try await harness.attempt(Self.appleNetwork)
        try ToolFaults.expectObservationError(plan, diagnostics, fault: fault, host: "mac", tool: "container")
        #expect(!diagnostics.errors.contains { $0.summary.contains("service is not running") })
    }

    @Test func appleContainerACreateThatDoesNothingFailsAndIsNotJournaled() async throws {
        let harness = try Self.harness(
            header: Self.macHeader, catalog: SpecCatalog([NetworkSpec.self, ContainerSpec.self]),
            providers: [AppleContainerProvider()], base: FakeAppleContainerCLI(), fault: .noEffect, when: \.mutating)
        let plan = try await harness.plan(Self.appleNetwork)
        #expect(plan.actions.map(\.action) == [.create])
        let events = ApplyEvents()
        let report = await harness.apply(plan, events: events)
        await ToolFaults.expectFailedApply(
            report, events: events, address: "networks.oc-internal", journal: harness.journal, journaled: nil)
    }

    // MARK: - pf

    static let anchor = """
        pf:
          vmnet-nat:
            host: mac
            rules: ["nat on ${uplink} from 192.168.64.0/24 to any -> (${uplink})"]

        """

    @Test(arguments: ToolFaults.observation)
    func pfObservationFaultIsAnError(fault: FaultInjectingRunner.Fault) async throws {
        let harness = try Self.harness(
            header: PFStack.header(), catalog: SpecCatalog([PFAnchorSpec.self]), providers: [PFProvider()],
            base: FakePfctlCLI(), fault: fault, when: { $0.argv.starts(with: ["pfctl", "-s"]) })
        let (plan, diagnostics) = try await harness.attempt(Self.anchor)
        try ToolFaults.expectObservationError(plan, diagnostics, fault: fault, host: "mac", tool: "pfctl")
    }

    @Test func pfAnAnchorListingThatIsNotRulesIsAnError() async throws {
        let harness = try Self.harness(
            header: PFStack.header(), catalog: SpecCatalog([PFAnchorSpec.self]), providers: [PFProvider()],
            base: FakePfctlCLI(), fault: .garbage("Segmentation fault\n"),
            when: { $0.argv.starts(with: ["pfctl", "-a"]) && $0.argv.last == "-sr" })
        let (plan, diagnostics) = try await harness.attempt(Self.anchor)
        #expect(plan == nil)
        #expect(diagnostics.errors.first?.detail?.contains("Segmentation fault") == true, "\(diagnostics.errors)")
    }

    @Test func pfALoadThatDoesNothingFailsAndIsNotJournaled() async throws {
        let harness = try Self.harness(
            header: PFStack.header(), catalog: SpecCatalog([PFAnchorSpec.self]), providers: [PFProvider()],
            base: FakePfctlCLI(), fault: .noEffect, when: { $0.mutating && $0.program == "pfctl" })
        let plan = try await harness.plan(Self.anchor)
        #expect(plan.actions.map(\.action) == [.create])
        let events = ApplyEvents()
        let report = await harness.apply(plan, events: events)
        await ToolFaults.expectFailedApply(
            report, events: events, address: "pf.vmnet-nat", journal: harness.journal, journaled: nil)
    }
}

/// GNU `stat` (both `-c` and `--printf`, the directives files uses) and `cat` over files kept in memory.
enum FakeCoreutils {
    static func respond(_ command: Command, files: [String: String], denied: Set<String>) -> CommandResult {
        let argv = command.argv
        let paths = argv.firstIndex(of: "--").map { Array(argv[($0 + 1)...]) } ?? []
        var out = ""
        var err = ""
        for path in paths {
            if command.program == "stat" {
                if denied.contains(path) {
                    err += "stat: cannot statx '\(path)': Permission denied\n"
                } else if let content = files[path] {
                    out += stat(argv, path: path, size: Data(content.utf8).count)
                } else {
                    err += "stat: cannot statx '\(path)': No such file or directory\n"
                }
            } else if denied.contains(path) || denied.contains("cat:" + path) {
                err += "cat: \(path): Permission denied\n"
            } else if let content = files[path] {
                out += content
            } else {
                err += "cat: \(path): No such file or directory\n"
            }
        }
        return CommandResult(exitStatus: err.isEmpty ? 0 : 1, stdout: out, stderr: err)
    }

    private static func stat(_ argv: [String], path: String, size: Int) -> String {
        if let bsd = argv.firstIndex(of: "-f").map({ argv[$0 + 1] }) {
            // macOS: `%N`, `%Lp`, `%z`, `%HT`, `%Su`, `%Sg`, one line per path.
            let fields = [
                "%N": path, "%Lp": "644", "%z": "\(size)", "%HT": "Regular File", "%Su": "root", "%Sg": "root",
            ]
            return fields.reduce(bsd) { $0.replacingOccurrences(of: $1.key, with: $1.value) } + "\n"
        }
        let printf = argv.firstIndex(of: "--printf").map { argv[$0 + 1] }
        let format = printf ?? argv.firstIndex(of: "-c").map { argv[$0 + 1] } ?? ""
        var text = ""
        var iterator = format.makeIterator()
        while let character = iterator.next() {
            switch character {
            case "%":
                switch iterator.next() {
                case "n": text += path
                case "a": text += "644"
                case "s": text += "\(size)"
                case "F": text += "regular file"
                case "U", "G": text += "root"
                default: text += "?"
                }
            case "\\" where printf != nil:
                switch iterator.next() {
                case "0": text += "\0"
                case "t": text += "\t"
                case "n": text += "\n"
                default: text += "\\"
                }
            default:
                text.append(character)
            }
        }
        return printf == nil ? text + "\n" : text
    }
}
