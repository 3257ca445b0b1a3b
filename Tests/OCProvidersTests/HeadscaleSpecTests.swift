import Foundation
import OCCore
import OCHeadscale
import Testing

@Suite struct HeadscaleSpecTests {
    static let design = """
        server: hs
        users: [kosmos]
        nodes:
          oc-exit: { user: kosmos, approveRoutes: ["0.0.0.0/0", "::/0"] }
        policy: { file: ./headscale/acl.hujson }
        """

    private func decode(_ yaml: String) throws -> HeadscaleSpec {
        try SpecDecoding.decode(HeadscaleSpec.self, yaml: yaml)
    }

    private func validate(_ yaml: String) throws -> [Diagnostic] {
        try decode(yaml).validate(in: SpecTest.context(Address("headscale", "")))
    }

    @Test func isASingletonOnTheServerHost() throws {
        #expect(HeadscaleSpec.isSingleton)
        #expect(HeadscaleSpec.section == "headscale")
        let spec = try decode(Self.design)
        #expect(spec.hostNames == ["hs"])
        #expect(HeadscaleSpec.schema.field("server")?.required == true)
    }

    @Test func decodesTheDesignsSection() throws {
        let spec = try decode(Self.design)
        #expect(spec.userNames == ["kosmos"])
        #expect(spec.nodes["oc-exit"] == HeadscaleSpec.Node(user: "kosmos", approveRoutes: ["0.0.0.0/0", "::/0"]))
        #expect(spec.nodes["oc-exit"]?.tags == nil)
        #expect(spec.policy == HeadscaleSpec.Policy(file: "./headscale/acl.hujson", mode: .database))
        #expect(try validate(Self.design).isEmpty)
    }

    @Test func usersListAndMapFormsDecodeToTheSameValue() throws {
        let list = try decode("server: hs\nusers: [kosmos, infra]")
        let map = try decode("server: hs\nusers: { kosmos: {}, infra: }")
        #expect(list == map)
        let detailed = try decode("server: hs\nusers: { kosmos: { displayName: Kosmos, email: k@example.org } }")
        #expect(detailed.users == [HeadscaleSpec.User(name: "kosmos", displayName: "Kosmos", email: "k@example.org")])
    }

    @Test func decodesKeysAndDERPWithDefaults() throws {
        let spec = try decode(
            """
            server: hs
            serverURL: https://hs.oc.internal
            users: [infra]
            preAuthKeys:
              exit: { user: infra, reusable: true, expiration: 24h, tags: ["tag:exit"] }
              laptop: { user: infra }
            derp: { ipv4: 192.168.64.1 }
            """)
        #expect(
            spec.preAuthKeys["exit"]
                == HeadscaleSpec.PreAuthKey(user: "infra", reusable: true, expiration: "24h", tags: ["tag:exit"]))
        #expect(spec.preAuthKeys["laptop"]?.expiration == "1h")
        #expect(spec.derp == HeadscaleSpec.DERP(ipv4: "192.168.64.1"))
        #expect(spec.derp?.regionID == 999)
        #expect(spec.derp?.stunPort == 3478)
        #expect(spec.validate(in: SpecTest.context(Address("headscale", ""))).isEmpty)
    }

    @Test func encodingRoundTrips() throws {
        for yaml in [Self.design, "server: hs\nusers: { kosmos: { email: k@example.org } }\nderp: {}"] {
            let spec = try decode(yaml)
            #expect(try JSONDecoder().decode(HeadscaleSpec.self, from: JSONEncoder().encode(spec)) == spec)
        }
    }

    @Test(arguments: [
        ("nodes: { oc-exit: { user: nobody } }", "Node's user is not declared"),
        ("nodes: { oc-exit: { user: kosmos, approveRoutes: [\"0.0.0.0/0\"] } }", "Exit routes are approved in pairs"),
        ("nodes: { oc-exit: { user: kosmos, approveRoutes: [10.1.2.3/24] } }", "Route has host bits set"),
        ("nodes: { oc-exit: { user: kosmos, approveRoutes: [10.1.2.3] } }", "Route is not a CIDR block"),
        ("nodes: { oc-exit: { user: kosmos, tags: [exit] } }", "Tag must start with tag:"),
        ("preAuthKeys: { k: { user: nobody } }", "Key's user is not declared"),
        ("preAuthKeys: { k: {} }", "Pre-auth key needs a user or tags"),
        ("preAuthKeys: { k: { user: kosmos, expiration: soon } }", "Invalid key expiration"),
        ("policy: { file: ./acl.hujson, mode: file }", "File-mode policy needs its server path"),
        ("serverURL: http://hs:8080\nderp: {}", "Embedded DERP needs an https server URL"),
        ("derp: { stunListenAddr: \"0.0.0.0\" }", "Invalid STUN listen address"),
        ("derp: { ipv4: \"fd00::1\" }", "DERP ipv4 is not an IPv4 address"),
    ])
    func reportsInvalidValues(line: String, summary: String) throws {
        let diagnostics = try validate("server: hs\nusers: [kosmos]\n" + line)
        #expect(diagnostics.map(\.summary) == [summary])
    }

    @Test func reportsUserNamesHeadscaleRejects() throws {
        let diagnostics = try validate("server: hs\nusers: [Kosmos, kosmos, kosmos]")
        #expect(diagnostics.map(\.summary) == ["Invalid user name", "User listed twice"])
        #expect(diagnostics.last?.keyPath == "headscale.users[2]")
    }

    @Test func exitRoutePairErrorNamesTheMissingPrefix() throws {
        let diagnostic = try #require(
            try validate("server: hs\nusers: [k]\nnodes: { x: { user: k, approveRoutes: [\"::/0\"] } }").first)
        #expect(diagnostic.detail?.hasSuffix("Add 0.0.0.0/0.") == true)
        #expect(diagnostic.keyPath == "headscale.nodes.x.approveRoutes")
    }
}
