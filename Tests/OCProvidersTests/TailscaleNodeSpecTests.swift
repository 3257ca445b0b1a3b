import OCCore
import OCTailscale
import Testing

@Suite struct TailscaleNodeSpecTests {
    private func decode(_ yaml: String) throws -> TailscaleNodeSpec {
        try SpecDecoding.decode(TailscaleNodeSpec.self, yaml: yaml)
    }

    private func validate(
        _ yaml: String, name: String = "node", others: [Address: any ResourceSpec] = [:],
        hosts: [String: Host] = ["local": .local]
    ) throws -> [Diagnostic] {
        try decode(yaml).validate(in: SpecTest.context(Address("tailscale", name), specs: others, hosts: hosts))
    }

    @Test func decodesTheDesignsTwoNodes() throws {
        let mac = try decode("{ host: mac, loginServer: https://127.0.0.1:8080, exitNode: 100.64.0.2 }")
        #expect(mac == TailscaleNodeSpec(host: "mac", loginServer: "https://127.0.0.1:8080", exitNode: "100.64.0.2"))
        let exit = try decode("{ host: oc-exit, loginServer: https://192.168.64.1:8080, advertiseExitNode: true }")
        #expect(exit.advertiseExitNode)
        #expect(exit.hostNames == ["oc-exit"])
        #expect(exit.acceptDNS)
        #expect(exit.netfilterMode == .on)
        #expect(exit.state == .up)
        #expect(try validate("{ host: mac, loginServer: https://127.0.0.1:8080, exitNode: 100.64.0.2 }").isEmpty)
    }

    @Test func decodesEveryField() throws {
        let spec = try decode(
            """
            host: oc-exit
            loginServer: https://hs.oc.internal
            hostname: oc-exit
            authKey: file:/run/oc/authkey
            advertiseRoutes: [192.168.64.0/24]
            advertiseTags: ["tag:exit"]
            acceptRoutes: true
            acceptDNS: false
            shieldsUp: true
            snatSubnetRoutes: false
            netfilterMode: nodivert
            state: down
            """)
        #expect(spec.authKey == "file:/run/oc/authkey")
        #expect(spec.advertiseRoutes == ["192.168.64.0/24"])
        #expect(!spec.acceptDNS)
        #expect(spec.netfilterMode == .nodivert)
        #expect(spec.state == .down)
    }

    @Test func dependsOnTheVMNamedLikeItsHost() throws {
        let references = try decode("host: oc-exit").references()
        #expect(references == [SpecReference(Address("vms", "oc-exit"), at: "host", required: false)])
    }

    @Test(arguments: [
        ("advertiseExitNode: true\nexitNode: 100.64.0.2", "A node cannot offer and use an exit node"),
        ("advertiseRoutes: [\"0.0.0.0/0\"]", "Exit routes belong in advertiseExitNode"),
        ("advertiseRoutes: [192.168.64.1/24]", "Route has host bits set"),
        ("advertiseTags: [exit]", "Tag must start with tag:"),
        ("loginServer: hs.oc.internal", "Login server is not an http(s) URL"),
    ])
    func reportsInvalidSettings(yaml: String, summary: String) throws {
        #expect(SpecTest.summaries(try validate(yaml), .error) == [summary])
    }

    @Test(arguments: [
        ("exitNode: oc-exit", "Exit node given by name"),
        ("exitNodeAllowLANAccess: true", "LAN access setting without an exit node"),
        ("authKey: hskey-auth-abc", "Auth key written in the manifest"),
    ])
    func warnsAboutTraps(yaml: String, summary: String) throws {
        #expect(SpecTest.summaries(try validate(yaml), .warning) == [summary])
    }

    @Test func rejectsAnExitNodeThatDoesNotAdvertise() throws {
        let others: [Address: any ResourceSpec] = [Address("tailscale", "oc-exit"): TailscaleNodeSpec(host: "oc-exit")]
        let errors = SpecTest.summaries(try validate("exitNode: oc-exit", others: others), .error)
        #expect(errors == ["Exit node does not advertise exit routes"])
        let advertising: [Address: any ResourceSpec] = [
            Address("tailscale", "vm"): TailscaleNodeSpec(host: "oc-exit", hostname: "oc-exit", advertiseExitNode: true)
        ]
        #expect(SpecTest.summaries(try validate("exitNode: oc-exit", others: advertising), .error).isEmpty)
    }

    @Test func linuxOnlySettingsAreErrorsOnMacOS() throws {
        let hosts: [String: Host] = ["mac": Host(name: "mac", transport: .ssh, os: .macos)]
        let diagnostics = try validate("host: mac\nnetfilterMode: off\nsnatSubnetRoutes: false", hosts: hosts)
        #expect(diagnostics.map(\.summary) == ["snatSubnetRoutes is Linux only", "netfilterMode is Linux only"])
    }

    @Test func authKeyIsSensitiveAndTagsNeedANewLogin() {
        #expect(TailscaleNodeSpec.schema.field("authKey")?.sensitive == true)
        #expect(TailscaleNodeSpec.schema.field("advertiseTags")?.update == .replace)
        #expect(TailscaleNodeSpec.schema.field("exitNode")?.update == .inPlace)
    }
}
