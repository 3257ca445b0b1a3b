import OCCore
import OCSysctl
import OCTestSupport
import Testing

@Suite struct SysctlSpecTests {
    static func context(
        _ name: String = "fwd",
        os: OCCore.Host.OS,
        specs: [Address: any ResourceSpec] = [:]
    ) -> ValidationContext {
        ValidationContext(
            address: Address("sysctl", name),
            hosts: ["local": .local, "box": OCCore.Host(name: "box", transport: .ssh, address: "b", os: os)],
            specs: specs, locate: { _ in nil })
    }

    static func errors(_ spec: SysctlSpec, os: OCCore.Host.OS) -> [Diagnostic] {
        spec.validate(in: context(os: os)).filter { $0.severity == .error }
    }

    @Test func decodesWithDefaultsAndNumericValuesAsText() throws {
        let spec = try SpecDecoding.decode(SysctlSpec.self, yaml: "key: net.ipv4.ip_forward\nvalue: 1\n")
        #expect(spec == SysctlSpec(key: "net.ipv4.ip_forward", value: "1"))
        #expect(spec.hostNames == ["local"])
        let full = try SpecDecoding.decode(
            SysctlSpec.self, yaml: "host: box\nkey: a.b\nvalue: 0\npersist: true\npersistFile: /etc/x.conf\n")
        #expect(full == SysctlSpec(host: "box", key: "a.b", value: "0", persist: true, persistFile: "/etc/x.conf"))
    }

    @Test func everyFieldIsDocumented() {
        let fields = SysctlSpec.schema.fields
        #expect(fields.map(\.name) == ["host", "key", "value", "persist", "persistFile"])
        #expect(fields.allSatisfy { !$0.doc.isEmpty })
        // Everything changes in place but the host: a setting moved to another host is a replace across hosts.
        #expect(fields.filter { $0.update == .replace }.map(\.name) == ["host"])
        #expect(fields.filter(\.required).map(\.name) == ["key", "value"])
        #expect(fields.filter { !$0.required }.allSatisfy { $0.defaultValue != nil })
    }

    @Test func macOSKeyOnLinuxSuggestsTheLinuxKey() throws {
        let problems = Self.errors(SysctlSpec(host: "box", key: "net.inet.ip.forwarding", value: "1"), os: .linux)
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.keyPath == "sysctl.fwd.key")
        #expect(problem.detail?.contains("net.ipv4.ip_forward") == true)
    }

    @Test func linuxKeyOnMacOSSuggestsTheMacOSKey() throws {
        let problem = try #require(
            Self.errors(SysctlSpec(host: "box", key: "net.ipv4.ip_forward", value: "1"), os: .macos).first)
        #expect(problem.keyPath == "sysctl.fwd.key")
        #expect(problem.detail?.contains("net.inet.ip.forwarding") == true)
    }

    @Test(arguments: [
        ("net.ipv4.conf.eth0.rp_filter", OCCore.Host.OS.macos), ("kern.maxproc", .linux),
        ("sunrpc.tcp_slot_table_entries", .macos),
        ("net.inet.tcp.mssdflt", .linux), ("machdep.cpu.brand_string", .linux), ("nonsense.key", .linux),
    ])
    func keysOfTheOtherOSAreErrors(key: String, os: OCCore.Host.OS) {
        #expect(Self.errors(SysctlSpec(host: "box", key: key, value: "1"), os: os).count == 1)
    }

    @Test(arguments: [
        ("net.ipv4.ip_forward", OCCore.Host.OS.linux), ("net.ipv6.conf.all.forwarding", .linux),
        ("vm.swappiness", .linux),
        ("fs.file-max", .linux), ("net.inet.ip.forwarding", .macos), ("kern.ipc.somaxconn", .macos),
        ("net.ipv4.conf.enP4p1s0.forwarding", .linux),
    ])
    func keysOfTheHostOSAreFine(key: String, os: OCCore.Host.OS) {
        #expect(Self.errors(SysctlSpec(host: "box", key: key, value: "1"), os: os).isEmpty)
    }

    @Test(arguments: [
        "net.ipv4.ip_forward=1", "net ipv4", "net/ipv4/ip_forward", "net..ipv4", ".net.ipv4", "kernel", "",
    ])
    func malformedKeysAreErrors(key: String) throws {
        let problem = try #require(Self.errors(SysctlSpec(host: "box", key: key, value: "1"), os: .linux).first)
        #expect(problem.summary.hasPrefix("Invalid sysctl key"))
        #expect(problem.keyPath == "sysctl.fwd.key")
    }

    @Test func valueOnSeveralLinesIsAnError() throws {
        let problem = try #require(
            Self.errors(SysctlSpec(host: "box", key: "kernel.domainname", value: "a\nb"), os: .linux).first)
        #expect(problem.keyPath == "sysctl.fwd.value")
    }

    @Test func persistFileMustBeAbsolute() throws {
        let spec = SysctlSpec(host: "box", key: "vm.swappiness", value: "1", persist: true, persistFile: "sysctl.conf")
        let problem = try #require(Self.errors(spec, os: .linux).first)
        #expect(problem.keyPath == "sysctl.fwd.persistFile")
    }

    @Test func persistingOnMacOSWarns() {
        let spec = SysctlSpec(host: "box", key: "net.inet.ip.forwarding", value: "1", persist: true)
        let diagnostics = spec.validate(in: Self.context(os: .macos))
        #expect(diagnostics.map(\.severity) == [.warning])
    }

    @Test func theSameKeyTwiceOnAHostIsAnError() {
        let a = SysctlSpec(host: "box", key: "vm.swappiness", value: "1")
        let b = SysctlSpec(host: "box", key: "vm.swappiness", value: "2")
        let specs: [Address: any ResourceSpec] = ["sysctl.a": a, "sysctl.b": b]
        #expect(a.validate(in: Self.context("a", os: .linux, specs: specs)).isEmpty)
        #expect(
            b.validate(in: Self.context("b", os: .linux, specs: specs)).map(\.summary) == [
                "Key 'vm.swappiness' on host 'box' is also managed by sysctl.a"
            ])
    }

    @Test func aliasesMustAgree() {
        let a = SysctlSpec(host: "box", key: "net.ipv4.ip_forward", value: "1")
        let same = SysctlSpec(host: "box", key: "net.ipv4.conf.all.forwarding", value: "1")
        let other = SysctlSpec(host: "box", key: "net.ipv4.conf.all.forwarding", value: "0")
        #expect(same.validate(in: Self.context("b", os: .linux, specs: ["sysctl.a": a, "sysctl.b": same])).isEmpty)
        let problems = other.validate(in: Self.context("b", os: .linux, specs: ["sysctl.a": a, "sysctl.b": other]))
        #expect(problems.map(\.keyPath) == ["sysctl.b.value"])
    }

    @Test func defaultPersistFiles() {
        #expect(SysctlSpec.defaultPersistFile(stack: "lab", os: .linux) == "/etc/sysctl.d/90-ocplan-lab.conf")
        #expect(SysctlSpec.defaultPersistFile(stack: "lab", os: .macos) == "/etc/sysctl.conf")
    }

    @Test func loaderReportsTheWrongOSKeyAtItsLocation() async throws {
        let dir = try TempDirectory()
        try dir.write(
            """
            version: 1
            stack: lab
            hosts:
              vm: { transport: ssh, address: 10.0.0.2, os: linux }
            sysctl:
              fwd: { host: vm, key: net.inet.ip.forwarding, value: 1 }

            """, to: "stack.yaml")
        let (manifest, diagnostics) = await ManifestLoader(catalog: SpecCatalog([SysctlSpec.self]), environment: [:])
            .load([dir.path])
        #expect(manifest == nil)
        let error = try #require(diagnostics.errors.first)
        #expect(error.location?.line == 6)
        #expect(error.keyPath == "sysctl.fwd.key")
    }
}
