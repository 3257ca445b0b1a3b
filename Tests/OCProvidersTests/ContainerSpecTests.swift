import Foundation
import OCContainerModel
import OCCore
import OCTestSupport
import Testing

@Suite struct ContainerSpecTests {
    static let openclaw = """
        image: ghcr.io/example/openclaw:latest
        networks: { openclaw-internal: { aliases: [openclaw] } }
        ports: ["127.0.0.1:18789:18789"]
        env:
          HTTP_PROXY: http://egress-proxy:3128
          HTTPS_PROXY: http://egress-proxy:3128
          NO_PROXY: host.containers.internal
          NODE_OPTIONS: --dns-result-order=ipv4first
        addHosts: ["host.containers.internal:host-gateway"]
        capDrop: [ALL]
        """

    static let egressProxy = """
        image: docker.io/ubuntu/squid:6.6
        networks: [openclaw-internal, podman]
        capDrop: [ALL]
        volumes: ["./squid/squid.conf:/etc/squid/squid.conf:ro"]
        """

    static let internalNetwork = NetworkSpec(isInternal: true, subnet: "10.89.10.0/24")

    private func decode(_ yaml: String) throws -> ContainerSpec {
        try SpecDecoding.decode(ContainerSpec.self, yaml: yaml)
    }

    private func validate(
        _ yaml: String, name: String = "app", others: [Address: any ResourceSpec] = [:]
    ) throws -> [Diagnostic] {
        try decode(yaml).validate(in: SpecTest.context(Address("containers", name), specs: others))
    }

    // MARK: - Decoding

    @Test func decodesTheDesignsOpenclawContainer() throws {
        let spec = try decode(Self.openclaw)
        #expect(spec.image == "ghcr.io/example/openclaw:latest")
        #expect(spec.networks == [NetworkAttachment(name: "openclaw-internal", aliases: ["openclaw"])])
        #expect(
            spec.ports == [
                PortMapping(hostIP: "127.0.0.1", hostPort: PortRange(18789), containerPort: PortRange(18789))
            ])
        #expect(spec.env["NODE_OPTIONS"] == "--dns-result-order=ipv4first")
        #expect(spec.addHosts.map(\.isHostGateway) == [true])
        #expect(spec.normalizedCapDrop == ["ALL"])
        #expect(spec.host == "local")
        #expect(spec.runtime == .podman)
        #expect(spec.restart == .no)
        #expect(spec.state == .running)
        #expect(spec.hostNames == ["local"])
    }

    @Test func networksListAndMapFormsDecodeToTheSameValue() throws {
        let list = try decode("image: x\nnetworks: [openclaw-internal, podman]")
        let map = try decode("image: x\nnetworks: { openclaw-internal: {}, podman: }")
        #expect(list == map)
        #expect(list.networks.map(\.name) == ["openclaw-internal", "podman"])
    }

    @Test func networkMapFormCarriesAliasesAndStaticAddresses() throws {
        let spec = try decode(
            """
            image: x
            networks:
              edge: { aliases: [hs, headscale], ipv4: 10.89.10.5, ipv6: "fd00::5" }
              podman: {}
            """)
        #expect(
            spec.networks[0]
                == NetworkAttachment(name: "edge", aliases: ["hs", "headscale"], ipv4: "10.89.10.5", ipv6: "fd00::5"))
        #expect(spec.networks[1].isPlain)
    }

    @Test(arguments: [
        ("127.0.0.1:3478:3478/udp", "127.0.0.1:3478:3478/udp"),
        ("8080", "8080/tcp"),
        ("8080:80", "8080:80/tcp"),
        ("127.0.0.1::80", "127.0.0.1::80/tcp"),
        ("[::1]:8080:80", "[::1]:8080:80/tcp"),
        ("8000-8010:9000-9010/sctp", "8000-8010:9000-9010/sctp"),
    ])
    func portStringFormsParse(text: String, canonical: String) throws {
        let mapping = try #require(PortMapping(parsing: text))
        #expect(mapping.description == canonical)
        #expect(PortMapping(parsing: canonical) == mapping)
    }

    @Test(arguments: ["", "a:b", "1.2.3.4:5:6:7", "[::1]:80", "80/"])
    func malformedPortStringsDoNotParse(text: String) {
        #expect(PortMapping(parsing: text) == nil)
    }

    @Test func portStringAndObjectFormsDecodeToTheSameValue() throws {
        let strings = try decode("image: x\nports: [\"127.0.0.1:3478:3478/udp\", 8080]")
        let objects = try decode(
            """
            image: x
            ports:
              - { hostIP: 127.0.0.1, hostPort: 3478, containerPort: 3478, protocol: udp }
              - { containerPort: 8080 }
            """)
        #expect(strings == objects)
        #expect(strings.ports[1].hostPort == nil)
    }

    @Test func anUpperCaseProtocolIsAcceptedInBothFormsAndStoredInLowerCase() async throws {
        let directory = try TempDirectory()
        _ = try directory.write(
            """
            version: 1
            stack: proto
            containers:
              app:
                image: x
                ports: ["8080/TCP", { containerPort: 3478, protocol: UDP }]

            """, to: "stack.yaml")
        let loader = ManifestLoader(catalog: SpecCatalog([ContainerSpec.self, NetworkSpec.self]), environment: [:])
        let (manifest, diagnostics) = await loader.load([directory.path])
        #expect(!diagnostics.hasErrors, "\(diagnostics.errors.map(\.summary))")
        let spec = try #require(manifest?.resources.first.flatMap { $0.spec as? ContainerSpec })
        #expect(spec.ports.map(\.proto) == ["tcp", "udp"])
    }

    @Test func volumeStringAndObjectFormsDecodeToTheSameValue() throws {
        let strings = try decode(
            "image: x\nvolumes: [\"./squid/squid.conf:/etc/squid/squid.conf:ro\", "
                + "\"hs-data:/var/lib/headscale:Z\", /cache]"
        )
        let objects = try decode(
            """
            image: x
            volumes:
              - { source: ./squid/squid.conf, target: /etc/squid/squid.conf, readOnly: true }
              - { source: hs-data, target: /var/lib/headscale, options: [Z] }
              - { target: /cache }
            """)
        #expect(strings == objects)
        #expect(strings.volumes.map(\.kind) == [.bind, .named, .anonymous])
        #expect(strings.volumes[0].description == "./squid/squid.conf:/etc/squid/squid.conf:ro")
    }

    @Test func ulimitFormsDecodeToTheSameValue() throws {
        let spec = try decode("image: x\nulimits: { nofile: 1024, nproc: \"4096:8192\", core: { soft: 0, hard: -1 } }")
        #expect(spec.ulimits["nofile"] == Ulimit(soft: 1024, hard: 1024))
        #expect(spec.ulimits["nproc"] == Ulimit(soft: 4096, hard: 8192))
        #expect(spec.ulimits["core"] == Ulimit(soft: 0, hard: -1))
    }

    @Test func numbersAndRestartPoliciesDecode() throws {
        let spec = try decode("image: x\ncpus: 1.5\nmemory: 512m\nrestart: on-failure:5\nstate: stopped")
        #expect(spec.cpus == 1.5)
        #expect(spec.memoryBytes == Int64(512) << 20)
        #expect(spec.restart.kind == .onFailure)
        #expect(spec.restart.maxRetries == 5)
        #expect(spec.state == .stopped)
        #expect(try decode("image: x\ncpus: \"2\"").cpus == 2)
    }

    @Test func processFieldsDecodeAndStopSignalsAreComparedAsNumbers() throws {
        let spec = try decode(
            "image: x\nprivileged: true\nhostname: web.internal\nstopSignal: sigint\nstopTimeout: 3\ntty: true")
        #expect(spec.privileged && spec.tty)
        #expect(spec.hostname == "web.internal")
        #expect(spec.stopTimeout == 3 && spec.stopSeconds == 3)
        #expect(spec.stopSignalNumber == 2)
        for text in ["SIGQUIT", "QUIT", "quit", "3"] { #expect(StopSignal.number(text) == 3, "\(text)") }
        #expect(try decode("image: x\nstopSignal: 9").stopSignalNumber == 9)
        let plain = try decode("image: x")
        #expect(!plain.privileged && !plain.tty && plain.hostname == nil && plain.stopSignalNumber == nil)
        #expect(plain.stopSeconds == 10)
        #expect(try decode("image: x\nshmSize: 128m\npidsLimit: -1").shmBytes == 128 << 20)
        let data = try JSONEncoder().encode(spec)
        #expect(try JSONDecoder().decode(ContainerSpec.self, from: data) == spec)
    }

    @Test func healthCheckTakesPodmansDefaults() throws {
        let spec = try decode("image: x\nhealthcheck: { test: [headscale, health], interval: 10s }")
        #expect(spec.healthcheck == HealthCheck(test: ["headscale", "health"], interval: "10s"))
        #expect(spec.healthcheck?.retries == 3)
    }

    @Test func encodingRoundTripsThroughTheCanonicalForm() throws {
        for yaml in [Self.openclaw, Self.egressProxy, "image: x\nports: [\"8000-8001:9000-9001/udp\"]\ncpus: 0.5"] {
            let spec = try decode(yaml)
            let data = try JSONEncoder().encode(spec)
            #expect(try JSONDecoder().decode(ContainerSpec.self, from: data) == spec)
        }
    }

    @Test func referencesNetworksVolumesAndImagesWithoutRequiringThem() throws {
        let spec = try decode(
            "image: openclaw\nnetworks: [openclaw-internal]\nvolumes: [\"hs-data:/data\", \"./a:/a\"]")
        let references = spec.references()
        #expect(
            references.map(\.target) == [
                Address("networks", "openclaw-internal"), Address("volumes", "hs-data"), Address("images", "openclaw"),
            ])
        #expect(references.map(\.keyPath) == ["networks.openclaw-internal", "volumes[0]", "image"])
        #expect(references.allSatisfy { !$0.required })
    }

    // MARK: - Validation

    @Test func warnsWhenPortsAreOnInternalNetworksOnly() throws {
        let network: [Address: any ResourceSpec] = [Address("networks", "openclaw-internal"): Self.internalNetwork]
        let diagnostics = try validate(Self.openclaw, name: "openclaw", others: network)
        let warning = try #require(diagnostics.first { $0.summary.hasPrefix("Ports are not published") })
        #expect(warning.severity == .warning)
        #expect(warning.keyPath == "containers.openclaw.ports")
        let detail = try #require(warning.detail)
        #expect(detail.contains("publish the service through a dual-homed container"), "\(detail)")
        #expect(detail.contains("keep it off routed networks"))
        #expect(!detail.contains("`podman`"), "never suggests attaching an isolated container to a routed network")
        #expect(!detail.contains("add "), "\(detail)")
        #expect(SpecTest.summaries(diagnostics, .error).isEmpty)
    }

    @Test func noInternalNetworkWarningWhenAlsoOnANonInternalNetwork() throws {
        let network: [Address: any ResourceSpec] = [Address("networks", "openclaw-internal"): Self.internalNetwork]
        let yaml = "image: x\nports: [\"127.0.0.1:8080:8080\"]\nnetworks: [openclaw-internal, podman]"
        #expect(try validate(yaml, others: network).isEmpty)
    }

    @Test func theDesignsEgressProxyIsValid() throws {
        let network: [Address: any ResourceSpec] = [Address("networks", "openclaw-internal"): Self.internalNetwork]
        #expect(try validate(Self.egressProxy, name: "egress-proxy", others: network).isEmpty)
    }

    @Test(arguments: [
        ("ports: [\"70000:80\"]", "Invalid host port"),
        ("ports: [\"8000-8010:80\"]", "Port range lengths differ"),
        ("ports: [\"8080:80/tpc\"]", "Unknown port protocol"),
        ("ports: [\"localhost:8080:80\"]", "Invalid host address"),
        ("ports: [\"8080:80\", \"0.0.0.0:8080:81\"]", "Host port published twice"),
        ("capDrop: [NET_RAWW]", "Unknown capability"),
        ("capAdd: [NET_ADMIN]\ncapDrop: [cap_net_admin]", "Capability both added and dropped"),
        ("restart: sometimes", "Unknown restart policy"),
        ("restart: \"always:3\"", "Invalid restart retry count"),
        ("memory: 2 gigs", "Invalid memory size"),
        ("memory: 1m", "Memory limit below 6 MiB"),
        ("cpus: 0", "CPU limit must be positive"),
        ("env: { \"BAD KEY\": x }", "Invalid environment variable name"),
        ("addHosts: [gateway]", "Invalid addHosts entry"),
        ("addHosts: [\"db:999.1.1.1\"]", "Invalid addHosts entry"),
        ("volumes: [\"squid/squid.conf:/etc/squid/squid.conf\"]", "Relative bind mount must start with ./"),
        ("volumes: [\"./a:etc/a\"]", "Mount target is not an absolute path"),
        ("volumes: [\"./a:/a:ro,zz\"]", "Unknown mount option"),
        ("volumes: [\"./a:/a\"]\ntmpfs: [\"/a:size=1m\"]", "Two mounts share a target"),
        ("securityOpt: [no-new-privilege]", "Unknown security option"),
        ("labels: { io.ocplan.stack: me }", "Label key uses the reserved io.ocplan. prefix"),
        ("workdir: app", "workdir is not an absolute path"),
        ("ulimits: { nofile: \"2048:1024\", nproc: 10 }", "Soft limit above hard limit"),
        ("ulimits: { nofiles: 10, nproc: 10 }", "Unknown ulimit"),
        ("healthcheck: { test: [], interval: soon }", "Health check test is empty"),
        ("healthcheck: { test: [x], interval: soon }", "Invalid duration"),
        ("networks: [host, podman]", "Network mode host cannot be combined with other networks"),
        ("networks: { podman: { ipv4: \"fd00::1\" } }", "Static ipv4 address is not an IPv4 address"),
        ("stopSignal: SIGTREM", "Unknown stop signal"),
        ("stopSignal: 99", "Unknown stop signal"),
        ("hostname: web_1", "hostname is not a valid host name"),
        ("hostname: web-.internal", "hostname is not a valid host name"),
        ("shmSize: lots", "Invalid shm size"),
        ("groupAdd: [\"a b\"]", "Invalid group"),
        ("sysctls: { kernel.panic: 1 }", "Sysctl is not namespaced"),
        ("networks: [host]\nsysctls: { net.core.somaxconn: 1024 }", "Network sysctl with the host network"),
    ])
    func reportsInvalidValues(line: String, summary: String) throws {
        let diagnostics = try validate("image: docker.io/library/alpine:3.20\n" + line)
        #expect(SpecTest.summaries(diagnostics, .error).contains(summary), "\(diagnostics)")
    }

    @Test(arguments: [
        ("ports: [\"8080\"]", "No host port: a random port is published"),
        ("capAdd: [all]", "Every capability is added"),
        ("restart: always\nstate: stopped", "A stopped container with restart: always starts again after a reboot"),
        ("restart: unless-stopped", "unless-stopped containers are not started at boot before Podman 5.8"),
        ("ulimits: { nofile: 1024 }", "Setting ulimits drops the containers.conf defaults"),
        ("healthcheck: { test: [\"curl -f http://localhost\"] }", "Health check test is one word with spaces"),
        ("networks: { podman: { aliases: [x] } }", "Aliases on a network without DNS have no effect"),
        ("privileged: true", "The container runs privileged"),
    ])
    func warnsAboutTraps(line: String, summary: String) throws {
        let diagnostics = try validate("image: x\n" + line)
        #expect(SpecTest.summaries(diagnostics, .warning) == [summary], "\(diagnostics)")
        #expect(SpecTest.summaries(diagnostics, .error).isEmpty)
    }

    @Test func acceptsEveryCapabilitySpelling() throws {
        let spec = try decode("image: x\ncapDrop: [ALL]\ncapAdd: [CAP_NET_BIND_SERVICE, net_raw, Chown]")
        #expect(spec.validate(in: SpecTest.context(Address("containers", "x"))).isEmpty)
        #expect(spec.normalizedCapAdd == ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_CHOWN"])
    }

    @Test func capabilityTypoSuggestsTheNearestName() throws {
        let diagnostics = try validate("image: x\ncapDrop: [NET_RAWW]")
        #expect(diagnostics.first?.detail?.contains("Did you mean `NET_RAW`?") == true)
        #expect(diagnostics.first?.keyPath == "containers.app.capDrop[0]")
    }

    @Test func checksStaticAddressesAgainstTheDeclaredSubnetAndOtherContainers() throws {
        let yaml = "image: x\nnetworks: { openclaw-internal: { ipv4: 10.89.11.5 } }"
        let network: [Address: any ResourceSpec] = [Address("networks", "openclaw-internal"): Self.internalNetwork]
        #expect(try validate(yaml, others: network).map(\.summary) == ["Static address outside the network's subnet"])

        var others = network
        others[Address("containers", "other")] = try decode(
            "image: y\nnetworks: { openclaw-internal: { ipv4: 10.89.10.5 } }")
        let clash = try validate("image: x\nnetworks: { openclaw-internal: { ipv4: 10.89.10.5 } }", others: others)
        #expect(clash.map(\.summary) == ["Static address already used"])
    }

    @Test func reportsHostPortsPublishedByAnotherContainer() throws {
        let others: [Address: any ResourceSpec] = [
            Address("containers", "headscale"): try decode("image: y\nports: [\"127.0.0.1:8080:8080\"]"),
            Address("containers", "remote"): try decode("image: y\nhost: mac\nports: [\"127.0.0.1:8080:8080\"]"),
        ]
        let diagnostics = try validate("image: x\nports: [\"8080:80\"]", others: others)
        #expect(diagnostics.map(\.summary) == ["Host port already published by another container"])
        #expect(diagnostics.first?.detail?.contains("containers.headscale") == true)
    }

    @Test func warnsWhenTheProxyContainerSharesNoNetwork() throws {
        var others: [Address: any ResourceSpec] = [
            Address("networks", "openclaw-internal"): Self.internalNetwork,
            Address("containers", "egress-proxy"): try decode("image: y\nnetworks: [podman]"),
        ]
        let yaml = Self.openclaw.replacingOccurrences(of: "ports: [\"127.0.0.1:18789:18789\"]\n", with: "")
        let warnings = SpecTest.summaries(try validate(yaml, name: "openclaw", others: others), .warning)
        #expect(warnings == ["Proxy container name does not resolve from this container"])

        others[Address("containers", "egress-proxy")] = try decode(Self.egressProxy)
        #expect(try validate(yaml, name: "openclaw", others: others).isEmpty)
    }

    @Test func reportsNetworksAndVolumesDeclaredOnAnotherHost() throws {
        let others: [Address: any ResourceSpec] = [
            Address("networks", "edge"): NetworkSpec(host: "mac"),
            Address("volumes", "data"): VolumeSpec(host: "mac"),
            Address("images", "openclaw"): ImageSpec(host: "mac", reference: "localhost/openclaw:dev"),
        ]
        let diagnostics = try validate("image: openclaw\nnetworks: [edge]\nvolumes: [\"data:/data\"]", others: others)
        #expect(
            diagnostics.map(\.summary).sorted() == [
                "Image resource is on another host", "Network belongs to another host or runtime",
                "Volume is on another host",
            ])
    }

    @Test func namesEveryFieldAppleContainerDoesNotSupport() throws {
        let yaml = """
            image: x
            runtime: apple
            restart: always
            healthcheck: { test: [true] }
            addHosts: ["a:host-gateway"]
            securityOpt: [no-new-privileges]
            networks: { default: { aliases: [a], ipv4: 192.168.64.9 } }
            cpus: 1.5
            memory: 1g
            ports: ["127.0.0.1:8080:8080"]
            """
        let errors = try validate(yaml).filter { $0.severity == .error }
        #expect(
            errors.compactMap(\.keyPath) == [
                "containers.app.restart", "containers.app.healthcheck", "containers.app.addHosts",
                "containers.app.securityOpt", "containers.app.networks.default.aliases",
                "containers.app.networks.default.ipv4", "containers.app.cpus",
            ])
        #expect(errors.allSatisfy { $0.summary.hasSuffix("is not supported by Apple's container runtime") })
        #expect(try validate("image: x\nruntime: apple\ncpus: 2\nmemory: 1g\nreadOnly: true").isEmpty)
        let process = try validate(
            "image: x\nruntime: apple\nprivileged: true\nhostname: h\nstopSignal: INT\nstopTimeout: 1\ntty: true\n"
                + "shmSize: 1g\npidsLimit: 5\ngroupAdd: [a]\nsysctls: { net.core.somaxconn: 1 }"
        ).filter { $0.severity == .error }
        #expect(
            process.compactMap(\.keyPath) == [
                "containers.app.privileged", "containers.app.hostname", "containers.app.stopSignal",
                "containers.app.stopTimeout", "containers.app.tty", "containers.app.shmSize",
                "containers.app.pidsLimit", "containers.app.groupAdd", "containers.app.sysctls",
            ])
    }

    @Test func aStopSignalTypoSuggestsTheNearestName() throws {
        let diagnostics = try validate("image: x\nstopSignal: SIGTREM")
        #expect(diagnostics.first?.detail?.contains("Did you mean `SIGTERM`?") == true, "\(diagnostics)")
        #expect(diagnostics.first?.keyPath == "containers.app.stopSignal")
    }

    @Test func schemaListsEveryCodingKey() {
        let names = Set(ContainerSpec.schema.fields.map(\.name))
        for key in [
            "host", "runtime", "image", "networks", "ports", "addHosts", "capDrop", "volumes", "restart",
            "healthcheck", "state", "ulimits", "memory", "cpus", "dns", "workdir", "securityOpt",
        ] {
            #expect(names.contains(key), "\(key)")
        }
        #expect(ContainerSpec.schema.field("image")?.required == true)
        #expect(ContainerSpec.schema.field("state")?.update == .inPlace)
        #expect(ContainerSpec.schema.field("ports")?.update == .replace)
        #expect(ContainerSpec.schema.fields.allSatisfy { !$0.doc.isEmpty && $0.update != nil })
    }
}
