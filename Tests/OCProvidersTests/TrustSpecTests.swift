import OCCore
import OCTrust
import Testing

@Suite struct TrustSpecTests {
    private func validate(_ yaml: String, name: String = "openclaw-ca") throws -> [Diagnostic] {
        try SpecDecoding.decode(TrustSpec.self, yaml: yaml).validate(in: SpecTest.context(Address("trust", name)))
    }

    @Test func decodesTheDesignsCAOnTwoHosts() throws {
        let spec = try SpecDecoding.decode(TrustSpec.self, yaml: "{ hosts: [mac, oc-exit], cert: ./certs/ca.crt }")
        #expect(spec == TrustSpec(hosts: ["mac", "oc-exit"], cert: "./certs/ca.crt"))
        #expect(spec.hostNames == ["mac", "oc-exit"])
        #expect(spec.keychain == TrustSpec.systemKeychain)
        #expect(try validate("{ hosts: [mac, oc-exit], cert: ./certs/ca.crt }").isEmpty)
    }

    @Test(arguments: [
        ("{ hosts: [], cert: ./ca.crt }", "No hosts trust the certificate"),
        ("{ hosts: [mac, mac], cert: ./ca.crt }", "Host listed twice"),
        ("{ hosts: [mac], cert: ./ca.der }", "Certificate must be PEM"),
        ("{ hosts: [mac], cert: ./ca.crt, name: certs/ca }", "Invalid certificate name"),
    ])
    func reportsInvalidTrust(yaml: String, summary: String) throws {
        #expect(SpecTest.summaries(try validate(yaml), .error) == [summary])
    }

    @Test func warnsWhenTheNameCarriesAnExtension() throws {
        #expect(
            SpecTest.summaries(try validate("{ hosts: [mac], cert: ./ca.crt, name: oc-ca.crt }"), .warning) == [
                "Certificate name has an extension"
            ])
    }

    @Test func hostsAreReferencesToHosts() throws {
        guard case .list(.reference(let section))? = TrustSpec.schema.field("hosts")?.type else {
            Issue.record("hosts is not a list of host references")
            return
        }
        #expect(section == "hosts")
        #expect(TrustSpec.schema.field("host") == nil)
    }
}
