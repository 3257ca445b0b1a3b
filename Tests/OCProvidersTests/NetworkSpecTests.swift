import OCContainerModel
import OCCore
import Testing

@Suite struct NetworkSpecTests {
    private func decode(_ yaml: String) throws -> NetworkSpec {
        try SpecDecoding.decode(NetworkSpec.self, yaml: yaml)
    }

    private func validate(
        _ yaml: String, name: String = "net", others: [Address: any ResourceSpec] = [:],
        hosts: [String: Host] = ["local": .local]
    ) throws -> [Diagnostic] {
        try decode(yaml).validate(in: SpecTest.context(Address("networks", name), specs: others, hosts: hosts))
    }

    @Test func decodesTheDesignsInternalNetwork() throws {
        let spec = try decode("{ driver: bridge, internal: true, subnet: 10.89.10.0/24 }")
        #expect(spec == NetworkSpec(isInternal: true, subnet: "10.89.10.0/24"))
        #expect(spec.dns)
        #expect(spec.runtime == .podman)
        #expect(spec.hostNames == ["local"])
        #expect(try validate("{ driver: bridge, internal: true, subnet: 10.89.10.0/24 }").isEmpty)
    }

    @Test func decodesEveryField() throws {
        let spec = try decode(
            """
            host: mac
            runtime: apple
            driver: macvlan
            subnet: 10.89.20.0/24
            gateway: 10.89.20.254
            ipv6: true
            ipv6Subnet: "fd00:10:89::/64"
            dns: false
            labels: { team: infra }
            options: { parent: en0 }
            """)
        #expect(spec.host == "mac")
        #expect(spec.runtime == .apple)
        #expect(spec.driver == .macvlan)
        #expect(spec.gateway == "10.89.20.254")
        #expect(spec.ipv6Subnet == "fd00:10:89::/64")
        #expect(!spec.dns)
        #expect(spec.options == ["parent": "en0"])
    }

    @Test(arguments: [
        ("subnet: 10.89.10.5/24", "Subnet has host bits set"),
        ("subnet: \"fd00::/64\"", "Subnet is not an IPv4 CIDR block"),
        ("subnet: 10.89.10.0/24\ngateway: 10.89.11.1", "Gateway is outside the subnet"),
        ("gateway: 10.89.10.1", "Gateway needs a subnet"),
        ("ipv6Subnet: \"fd00::/64\"", "ipv6Subnet is set but ipv6 is false"),
        ("ipv6: true\nipv6Subnet: 10.0.0.0/8", "ipv6Subnet is not an IPv6 CIDR block"),
        ("labels: { io.ocplan.spec-hash: x }", "Label key uses the reserved io.ocplan. prefix"),
        ("ipRange: 10.89.10.128/25", "ipRange needs a subnet"),
        ("subnet: 10.89.10.0/24\nipRange: 10.89.11.0/25", "ipRange is not an IPv4 block inside the subnet"),
        ("subnet: 10.89.10.0/24\nipRange: 10.89.10.130/25", "ipRange is not an IPv4 block inside the subnet"),
        ("subnet: 10.89.10.0/24\nipRange: 10.89.0.0/16", "ipRange is not an IPv4 block inside the subnet"),
    ])
    func reportsInvalidAddresses(yaml: String, summary: String) throws {
        #expect(SpecTest.summaries(try validate(yaml), .error) == [summary])
    }

    @Test func anIPRangeInsideTheSubnetIsValidAndDecodes() throws {
        #expect(try validate("subnet: 10.89.10.0/24\nipRange: 10.89.10.128/25").isEmpty)
        #expect(try decode("subnet: 10.89.10.0/24\nipRange: 10.89.10.128/25").ipRange == "10.89.10.128/25")
        let apple = try validate("runtime: apple\nsubnet: 10.89.10.0/24\nipRange: 10.89.10.128/25")
        #expect(apple.compactMap(\.keyPath) == ["networks.net.ipRange"])
    }

    @Test func suggestsTheCanonicalSubnet() throws {
        let diagnostic = try #require(try validate("subnet: 10.89.10.5/24").first)
        #expect(diagnostic.detail?.contains("`10.89.10.0/24`") == true)
        #expect(diagnostic.keyPath == "networks.net.subnet")
    }

    @Test func rejectsDeclaringTheDefaultNetwork() throws {
        #expect(
            try validate("{}", name: "podman").map(\.summary) == [
                "Network name podman is the runtime's default network"
            ])
        #expect(try validate("runtime: apple", name: "default").count == 1)
        #expect(try validate("runtime: apple", name: "podman").isEmpty)
    }

    @Test func reportsOverlappingSubnetsOnTheSameHostOnly() throws {
        let others: [Address: any ResourceSpec] = [
            Address("networks", "edge"): NetworkSpec(subnet: "10.89.0.0/16"),
            Address("networks", "remote"): NetworkSpec(host: "mac", subnet: "10.89.10.0/24"),
        ]
        let diagnostics = try validate("subnet: 10.89.10.0/24", others: others)
        #expect(diagnostics.map(\.summary) == ["Subnet overlaps another network"])
        #expect(diagnostics.first?.detail?.contains("networks.edge") == true)
    }

    @Test func warnsAboutTheVmnetRangeOnMacOS() throws {
        let hosts: [String: Host] = ["mac": Host(name: "mac", transport: .ssh, os: .macos)]
        let diagnostics = try validate("host: mac\nsubnet: 192.168.64.0/20", hosts: hosts)
        #expect(SpecTest.summaries(diagnostics, .warning) == ["Subnet overlaps macOS's vmnet bridge"])
        let linux: [String: Host] = ["mac": Host(name: "mac", transport: .ssh, os: .linux)]
        #expect(try validate("host: mac\nsubnet: 192.168.64.0/20", hosts: linux).isEmpty)
    }

    @Test func namesFieldsAppleContainerDoesNotSupport() throws {
        let diagnostics = try validate(
            "runtime: apple\nsubnet: 10.89.10.0/24\ngateway: 10.89.10.1\ndns: false\ninternal: true\n"
                + "ipv6Subnet: \"fd00::/64\""
        )
        #expect(diagnostics.compactMap(\.keyPath) == ["networks.net.gateway", "networks.net.dns"])
        #expect(diagnostics.allSatisfy { $0.summary.hasSuffix("is not supported by Apple's container runtime") })
    }

    @Test func schemaDocumentsEveryFieldAsReplace() {
        #expect(NetworkSpec.section == "networks")
        #expect(!NetworkSpec.isSingleton)
        #expect(NetworkSpec.schema.field("internal")?.defaultValue == "false")
        #expect(NetworkSpec.schema.fields.allSatisfy { $0.update == .replace && !$0.doc.isEmpty })
    }
}
