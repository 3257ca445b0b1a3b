import OCCore
import OCSysctl
import Testing

@Suite struct SysctlObservationTests {
    @Test func parsesProcpsOutputAndNormalisesTabs() throws {
        let values = try #require(SysctlObservation.parse(SysctlProcpsOutput.batchStdout, os: .linux))
        #expect(values["net.ipv4.ip_forward"] == "0")
        #expect(values["net.ipv4.conf.all.forwarding"] == "0")
        #expect(values["net.ipv4.tcp_rmem"] == "4096 131072 33554432")
        #expect(values["net.ipv4.ping_group_range"] == "1 0")
        #expect(values["net.ipv4.nope"] == nil)
    }

    @Test func parsesDarwinOutput() throws {
        let values = try #require(SysctlObservation.parse(SysctlDarwinOutput.batchStdout, os: .macos))
        #expect(values["net.inet.ip.forwarding"] == "0")
        #expect(values["net.inet6.ip6.forwarding"] == "1")
        #expect(values["kern.ipc.somaxconn"] == "128")
        #expect(values["vm.loadavg"] == "{ 1.52 1.61 1.70 }")
    }

    @Test func outputThatIsNotSysctlsIsRefused() {
        #expect(SysctlObservation.parse("\u{1B}[31mgarbage\n", os: .linux) == nil)
        #expect(SysctlObservation.parse("net.ipv4.ip_forward = 1\nSegmentation fault\n", os: .linux) == nil)
        #expect(SysctlObservation.parse("kern.ostype = Darwin\n", os: .macos) == nil)
        #expect(SysctlObservation.parse("\n", os: .linux) == [:])
    }

    @Test func emptyValuesParse() {
        #expect(SysctlObservation.parse("kernel.domainname = \n", os: .linux)?["kernel.domainname"] == "")
        #expect(SysctlObservation.parse("kern.bootargs:\n", os: .macos)?["kern.bootargs"] == "")
    }

    @Test(arguments: [
        ("1", "1"), ("  1  ", "1"), ("4096\t131072\t33554432", "4096 131072 33554432"), ("a   b \t c", "a b c"),
    ])
    func normalisesWhitespace(raw: String, expected: String) {
        #expect(SysctlObservation.normalize(raw) == expected)
    }

    @Test func findsTheComplaintAboutAKey() {
        #expect(
            SysctlObservation.complaint(about: "net.ipv4.nope", in: SysctlProcpsOutput.batchStderr)
                == "sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory")
        #expect(SysctlObservation.complaint(about: "net.ipv4.no", in: SysctlProcpsOutput.batchStderr) == nil)
        #expect(
            SysctlObservation.complaint(about: "net.inet.nope", in: SysctlDarwinOutput.unknownStderr)
                == "sysctl: unknown oid 'net.inet.nope'")
    }
}
