import Foundation
import OCContainerModel
import OCCore
import OCTestSupport
import Testing

@testable import OCPodman

/// Normalisation: the recorded objects against edited manifests, field by field.
@Suite struct PodmanObservationTests {
    /// One manifest edit and the attributes it must (and alone must) change.
    struct FieldCase: CustomTestStringConvertible, Sendable {
        var from: String
        var to: String
        var resource: String = "full"
        var paths: [String]
        var replaces = true

        var testDescription: String { "\(from) → \(to)" }
    }

    /// Observes the recorded world against the manifest edited by `from` → `to`.
    static func diff(_ field: FieldCase) async throws -> [AttributeChange] {
        let edit = { (text: String) in
            #expect(text.contains(field.from), "the fixture manifest has no `\(field.from)`")
            return text.replacingOccurrences(of: field.from, with: field.to)
        }
        return try await PodmanFixtures.withManifest(edit) { manifest in
            // As after an apply of the recorded manifest: the journal holds its trees.
            let applied = try await PodmanFixtures.withManifest { try PodmanFixtures.desired($0) }
            let targets = try PodmanFixtures.targets(manifest).map {
                ObserveTarget(address: $0.address, desired: $0.desired, lastApplied: applied[$0.address])
            }
            let runner = try PodmanFixtures.runner()
            let response = try await PodmanFixtures.observe(targets, runner: runner)
            let address = PodmanFixtures.address("containers", field.resource)
            let desired = try #require(try PodmanFixtures.desired(manifest)[address])
            let observed = try #require(response.observations[address]?.value)
            return Differ.diff(observed, desired, schema: PodmanProvider().schema(for: "containers"))
        }
    }

    static let changes: [FieldCase] = [
        FieldCase(from: "FOO: bar", to: "FOO: Bar", paths: ["env.FOO"]),
        FieldCase(from: "SPACEY: \"a b\", ", to: "", paths: ["env.SPACEY"]),
        FieldCase(from: "PATH: /bin", to: "PATH: /bin, EXTRA: x", paths: ["env.EXTRA"]),
        FieldCase(
            from: "image: ocplan-t-fixture0-img", to: "image: localhost/other:1", paths: ["image", "imageCurrent"]),
        FieldCase(from: "entrypoint: [\"sh\", \"-c\"]", to: "entrypoint: [\"/bin/sh\", \"-c\"]", paths: ["entrypoint"]),
        FieldCase(
            from: "while true; do sleep 1; done\"]\n    env", to: "while :; do sleep 1; done\"]\n    env",
            paths: ["command"]),
        FieldCase(
            from: "aliases: [web, www]", to: "aliases: [web]", paths: ["networks.ocplan-t-fixture0-int.aliases"],
            replaces: false),
        FieldCase(
            from: "ipv4: 10.199.77.10", to: "ipv4: 10.199.77.11", paths: ["networks.ocplan-t-fixture0-int.ipv4"],
            replaces: false),
        FieldCase(from: "127.0.0.1:28081:3478/udp", to: "127.0.0.1:28081:3478/tcp", paths: ["ports"]),
        FieldCase(from: "127.0.0.1:28100-28102:8100-8102", to: "127.0.0.1:28100-28101:8100-8101", paths: ["ports"]),
        FieldCase(from: "db.internal:10.199.77.5", to: "db.internal:10.199.77.6", paths: ["addHosts"]),
        FieldCase(
            from: "host.containers.internal:host-gateway", to: "host.containers.internal:10.199.77.1",
            paths: ["addHosts"]),
        FieldCase(from: "capDrop: [all]", to: "capDrop: [NET_RAW]", paths: ["capDrop"]),
        FieldCase(from: "capAdd: [net_bind_service, CAP_CHOWN]", to: "capAdd: [net_bind_service]", paths: ["capAdd"]),
        FieldCase(from: "readOnly: true", to: "readOnly: false", paths: ["readOnly"]),
        FieldCase(from: "user: \"1000:1000\"", to: "user: \"1000\"", paths: ["user"]),
        FieldCase(from: "/etc:/host-etc:ro", to: "/etc:/host-etc", paths: ["volumes"]),
        FieldCase(from: "ocplan-t-fixture0-data:/data", to: "ocplan-t-fixture0-data:/data:U", paths: ["volumes"]),
        FieldCase(
            from: "tmpfs: [/run/x:size=64k, /scratch]", to: "tmpfs: [/run/x:size=32k, /scratch]", paths: ["tmpfs"]),
        FieldCase(from: "restart: on-failure:3", to: "restart: always", paths: ["restart"]),
        FieldCase(from: "labels: { app: web }", to: "labels: { app: api }", paths: ["labels.app"]),
        FieldCase(from: "interval: 1m", to: "interval: 2m", paths: ["healthcheck.interval"]),
        FieldCase(from: "retries: 2", to: "retries: 3", paths: ["healthcheck.retries"]),
        FieldCase(from: "securityOpt: [no-new-privileges]", to: "securityOpt: []", paths: ["securityOpt"]),
        FieldCase(from: "workdir: /tmp/", to: "workdir: /var", paths: ["workdir"]),
        FieldCase(from: "dns: [10.199.77.1]", to: "dns: [10.199.77.2]", paths: ["dns"]),
        FieldCase(from: "memory: 64m", to: "memory: 128m", paths: ["memory"]),
        FieldCase(from: "cpus: 0.5", to: "cpus: 1", paths: ["cpus"]),
        FieldCase(from: "nofile: \"512:1024\"", to: "nofile: \"512:2048\"", paths: ["ulimits.nofile"]),
        FieldCase(from: "cpus: 0.5", to: "cpus: 0.5\n    privileged: true", paths: ["privileged"]),
        FieldCase(from: "cpus: 0.5", to: "cpus: 0.5\n    hostname: web", paths: ["hostname"]),
        FieldCase(from: "cpus: 0.5", to: "cpus: 0.5\n    stopSignal: SIGINT", paths: ["stopSignal"]),
        FieldCase(from: "cpus: 0.5", to: "cpus: 0.5\n    stopTimeout: 3", paths: ["stopTimeout"]),
        FieldCase(from: "cpus: 0.5", to: "cpus: 0.5\n    tty: true", paths: ["tty"]),
        FieldCase(from: "cpus: 0.5", to: "cpus: 0.5\n    shmSize: 128m", paths: ["shmSize"]),
        FieldCase(from: "cpus: 0.5", to: "cpus: 0.5\n    pidsLimit: 0", paths: ["pidsLimit"]),
        FieldCase(from: "cpus: 0.5", to: "cpus: 0.5\n    groupAdd: [\"1234\"]", paths: ["groupAdd"]),
        FieldCase(
            from: "cpus: 0.5", to: "cpus: 0.5\n    sysctls: { net.core.somaxconn: 1024 }",
            paths: ["sysctls[\"net.core.somaxconn\"]"]),
        FieldCase(
            from: "    state: stopped", to: "    state: running", resource: "idle", paths: ["state"], replaces: false),
        FieldCase(
            from: "capDrop: [ALL]\n    state", to: "capDrop: [ALL]\n    readOnly: true\n    state", resource: "idle",
            paths: ["readOnly"]),
    ]

    @Test(arguments: changes)
    func aChangedFieldShowsAsThatAttributeAlone(_ field: FieldCase) async throws {
        let attributes = try await Self.diff(field)
        #expect(attributes.map(\.path.description) == field.paths, "\(attributes)")
        if !field.paths.isEmpty {
            #expect(attributes.contains(where: \.forcesReplace) == field.replaces)
        }
    }

    /// Spellings that mean what Podman already has.
    static let equivalents: [FieldCase] = [
        FieldCase(
            from: "capAdd: [net_bind_service, CAP_CHOWN]", to: "capAdd: [CHOWN, CAP_NET_BIND_SERVICE]", paths: []),
        FieldCase(from: "capDrop: [all]", to: "capDrop: [ALL]", paths: []),
        // Image identity is the resolved image ID: other names of the same image, and the ID itself.
        FieldCase(from: "image: ocplan-t-fixture0-img", to: "image: localhost/ocplan-busybox:test", paths: []),
        FieldCase(from: "image: ocplan-t-fixture0-img", to: "image: ocplan-busybox:test", paths: []),
        FieldCase(from: "image: ocplan-t-fixture0-img", to: "image: 1afd69d301bc", paths: []),
        FieldCase(from: "127.0.0.1:28081:3478/udp", to: "127.0.0.1:28081:3478/UDP", paths: []),
        FieldCase(from: "/etc:/host-etc:ro", to: "/etc//:/host-etc/:ro", paths: []),
        FieldCase(from: "interval: 1m", to: "interval: 60s", paths: []),
        FieldCase(from: "startPeriod: 1s", to: "startPeriod: 1000ms", paths: []),
        FieldCase(from: "workdir: /tmp/", to: "workdir: /tmp", paths: []),
        FieldCase(from: "cpus: 0.5", to: "cpus: \"0.50\"", paths: []),
        FieldCase(from: "memory: 64m", to: "memory: 65536k", paths: []),
        FieldCase(from: "- 127.0.0.1:28080:8080", to: "- 127.0.0.1:28080:8080/tcp", paths: []),
        FieldCase(
            from: "- 127.0.0.1:28100-28102:8100-8102",
            to:
                "- 127.0.0.1:28100:8100\n      - 127.0.0.1:28101:8101\n      - { hostIP: 127.0.0.1, hostPort: 28102, containerPort: 8102 }",
            paths: []),
        FieldCase(from: "securityOpt: [no-new-privileges]", to: "securityOpt: [\"no-new-privileges:true\"]", paths: []),
        FieldCase(from: "aliases: [web, www]", to: "aliases: [www, web, web]", paths: []),
        FieldCase(from: "core: 0", to: "core: \"0:0\"", paths: []),
        FieldCase(
            from: "ulimits: { nofile: \"512:1024\", core: 0 }",
            to: "ulimits: { nofile: \"512:1024\", core: 0, nproc: 4096 }", paths: []),
        FieldCase(from: "FOO: bar, ", to: "FOO: bar, TERM: xterm, ", paths: []),
        FieldCase(
            from: "tmpfs: [/run/x:size=64k, /scratch]", to: "tmpfs: [/scratch, \"/run/x:rw,size=64k\"]", paths: []),
        FieldCase(from: "restart: on-failure:3", to: "restart: \"on-failure:3\"", paths: []),
        FieldCase(
            from: "cpus: 0.5",
            to: "cpus: 0.5\n    privileged: false\n    stopSignal: SIGTERM\n    stopTimeout: 10\n    tty: false",
            paths: []),
        FieldCase(from: "cpus: 0.5", to: "cpus: 0.5\n    stopSignal: 15", paths: []),
        FieldCase(
            from: "cpus: 0.5",
            to: "cpus: 0.5\n    shmSize: 64000k\n    pidsLimit: 2048\n    groupAdd: []\n    sysctls: {}", paths: []),
        FieldCase(
            from: "    state: stopped", to: "    state: stopped\n    restart: \"no\"", resource: "idle", paths: []),
        FieldCase(
            from: "networks: [ocplan-t-fixture0-int]", to: "networks: { ocplan-t-fixture0-int: {} }", resource: "idle",
            paths: []),
    ]

    @Test(arguments: equivalents)
    func anEquivalentSpellingIsNoChange(_ field: FieldCase) async throws {
        let attributes = try await Self.diff(field)
        #expect(attributes.isEmpty, "\(attributes)")
    }

    // MARK: - Parsing Podman 4.3.1 inspect

    @Test func parsesTheRecordedContainerInspect() throws {
        let full = try PodmanFixtures.container("full")
        #expect(full.config?.entrypoint == .string("sh -c"), "Podman 4.3 joins the entrypoint into a string")
        #expect(PodmanObservation.entrypoint(of: full) == ["sh", "-c"], "recovered from Path and Args")
        #expect(full.hostConfig?.capDrop?.isEmpty == false)
        #expect(full.state?.status == "running")
        #expect(full.hostConfig?.extraHosts?.first == "host.containers.internal:10.199.77.1", "host-gateway resolved")
        let idle = try PodmanFixtures.container("idle")
        #expect(idle.state?.status == "created")
        #expect(
            idle.networkSettings?.networks?[PodmanFixtures.name("int")]?.ipAddress == "", "no address while stopped")
        let image = try PodmanFixtures.image()
        #expect(image.config?.cmd == ["sh"])
    }

    @Test func parsesTheRecordedNetworkVolumeAndImageLists() throws {
        let networks = try PodmanJSON.decodeArray(
            PodmanJSON.Network.self, from: try PodmanFixtures.data("network-inspect.json"))
        let lab = try #require(networks.first { $0.name == PodmanFixtures.name("int") })
        #expect(lab.isInternal == true)
        #expect(lab.labels?[PodmanLabels.stack] == PodmanFixtures.stack)
        let tree = PodmanObservation.network(lab, reference: nil)
        #expect(tree["subnet"] == "10.199.77.0/24")
        #expect(tree["gateway"] == "10.199.77.1")
        #expect(tree["labels"] == ["purpose": "test"], "ocplan's labels are not user labels")
        let unset = PodmanObservation.network(lab, reference: ["subnet": nil, "gateway": nil, "ipv6Subnet": nil])
        #expect(unset["subnet"] == .null, "a subnet the manifest leaves to Podman is not compared")

        let volumes = try PodmanJSON.decodeArray(
            PodmanJSON.Volume.self, from: try PodmanFixtures.data("volume-ls.json"))
        #expect(volumes.map(\.name) == [PodmanFixtures.name("data")])
        let images = try PodmanJSON.decodeArray(
            PodmanJSON.ImageListEntry.self, from: try PodmanFixtures.data("images.json"))
        #expect(ImageReference.resolve("localhost/ocplan-busybox:ocplan-t-fixture0", in: images) != nil)
        #expect(
            ImageReference.resolve("ocplan-busybox:ocplan-t-fixture0", in: images) != nil,
            "short names resolve under localhost")
        #expect(ImageReference.resolve("docker.io/library/ocplan-busybox:nope", in: images) == nil)
        #expect(try PodmanJSON.decodeArray(PodmanJSON.Volume.self, from: Data("\n".utf8)).isEmpty)
    }

    @Test func imageCandidatesFollowShortNameRules() {
        #expect(
            ImageReference.candidates("alpine") == [
                "alpine", "alpine:latest", "docker.io/library/alpine:latest", "localhost/alpine:latest",
            ])
        #expect(ImageReference.candidates("ubuntu/squid:6.6").contains("docker.io/ubuntu/squid:6.6"))
        #expect(ImageReference.candidates("localhost/x:1") == ["localhost/x:1"])
        #expect(
            ImageReference.candidates("registry:5000/team/app") == [
                "registry:5000/team/app", "registry:5000/team/app:latest",
            ])
    }

    // MARK: - Values Podman cannot report

    @Test func hashedFieldsComeFromTheDesiredTreeTheLastAppliedOneOrAreUnknown() async throws {
        let full = try PodmanFixtures.container("full")
        let desired = try await PodmanFixtures.desired(PodmanFixtures.address("containers", "full"))
        let edited = try await PodmanFixtures.desired(PodmanFixtures.address("containers", "full")) {
            $0.replacingOccurrences(of: "capDrop: [all]", with: "capDrop: [NET_RAW]")
        }
        func observe(desired: Value?, lastApplied: Value?) -> Value {
            PodmanObservation.container(
                full,
                context: .init(desired: desired, lastApplied: lastApplied, image: nil, currentImageID: full.image))
        }
        // The label matches the manifest: the manifest's values.
        #expect(observe(desired: desired, lastApplied: nil)["capDrop"] == ["ALL"])
        // The manifest changed since the last apply: the last apply's values, so the change is seen.
        let changed = observe(desired: edited, lastApplied: desired)
        #expect(changed["capDrop"] == ["ALL"])
        #expect(changed["addHosts"] == desired["addHosts"])
        // Neither matches (the journal is gone and the manifest changed): unknown, which replaces.
        #expect(observe(desired: edited, lastApplied: nil)["capDrop"] == PodmanTree.unknown)
        #expect(
            observe(desired: edited, lastApplied: nil)["addHosts"]
                == ["host.containers.internal:10.199.77.1", "db.internal:10.199.77.5"])
    }

    @Test func aStoppedContainersStaticAddressComesFromTheLastApply() async throws {
        var full = try PodmanFixtures.container("full")
        full.state?.status = "exited"
        full.networkSettings?.networks?[PodmanFixtures.name("int")]?.ipAddress = ""
        let desired = try await PodmanFixtures.desired(PodmanFixtures.address("containers", "full"))
        var applied = desired
        applied["networks"][PodmanFixtures.name("int")]["ipv4"] = "10.199.77.9"
        let tree = PodmanObservation.container(
            full, context: .init(desired: desired, lastApplied: applied, image: nil, currentImageID: nil))
        #expect(tree["networks"][PodmanFixtures.name("int")]["ipv4"] == "10.199.77.9")
        #expect(tree["state"] == "stopped")
        #expect(tree["imageCurrent"] == false, "the reference no longer resolves")
        let unknown = PodmanObservation.container(
            full, context: .init(desired: desired, lastApplied: nil, image: nil, currentImageID: nil))
        #expect(unknown["networks"][PodmanFixtures.name("int")]["ipv4"] == "10.199.77.10", "else the manifest's")
    }

    @Test func aRebuiltImageMakesTheContainerStale() async throws {
        let full = try PodmanFixtures.container("full")
        let desired = try await PodmanFixtures.desired(PodmanFixtures.address("containers", "full"))
        let tree = PodmanObservation.container(
            full,
            context: .init(
                desired: desired, lastApplied: nil, image: nil, currentImageID: String(repeating: "0", count: 64)))
        #expect(tree["imageCurrent"] == false)
        let attributes = Differ.diff(tree, desired, schema: PodmanProvider().schema(for: "containers"))
        #expect(attributes.map(\.path) == [ValuePath("imageCurrent")])
        #expect(attributes.allSatisfy { $0.forcesReplace })
    }

    @Test func podmansOwnAliasesAndEnvironmentAreLeftOut() throws {
        let full = try PodmanFixtures.container("full")
        let tree = PodmanObservation.container(
            full, context: .init(desired: nil, lastApplied: nil, image: try PodmanFixtures.image(), currentImageID: nil)
        )
        let aliases = tree["networks"][PodmanFixtures.name("int")]["aliases"]
        #expect(aliases == ["web", "www"], "the short ID Podman adds is not an alias of the manifest")
        let env = try #require(tree["env"].mapValue)
        #expect(env["HOSTNAME"] == nil)
        #expect(env["container"] == nil)
        #expect(env["TERM"] == nil)
        #expect(env["FOO"] == "bar")
        #expect(tree["labels"] == ["app": "web"])
        #expect(tree["tmpfs"] == ["/run/x:size=64k", "/scratch"], "read-only's /run, /tmp, /var/tmp are Podman's")
    }

    @Test func aRandomHostPortIsNotADifference() {
        var container = PodmanJSON.Container(id: String(repeating: "a", count: 64), name: "web")
        container.hostConfig = PodmanJSON.Container.HostConfig(
            portBindings: ["80/tcp": [.init(hostIP: "", hostPort: "41234")]])
        let reference: Value = ["ports": ["*:*->80/tcp"]]
        #expect(PodmanObservation.ports(container, reference: reference) == ["*:*->80/tcp"])
        #expect(PodmanObservation.ports(container, reference: ["ports": ["*:8080->80/tcp"]]) == ["*:41234->80/tcp"])
    }

    /// Every address and a port the runtime picks are `*`, never an empty field that reads like IPv6 (`::80/tcp`);
    /// `-p` gets Podman's own form back.
    @Test(arguments: [
        ("8080", "*:*->8080/tcp", "8080/tcp"),
        ("8080:80", "*:8080->80/tcp", "8080:80/tcp"),
        ("0.0.0.0:8080:80", "*:8080->80/tcp", "8080:80/tcp"),
        ("127.0.0.1:8080:80/udp", "127.0.0.1:8080->80/udp", "127.0.0.1:8080:80/udp"),
        ("127.0.0.1::53", "127.0.0.1:*->53/tcp", "127.0.0.1::53/tcp"),
        ("[::1]:8080:80", "[::1]:8080->80/tcp", "[::1]:8080:80/tcp"),
    ])
    func portsShowTheAddressTheyBind(written: String, shown: String, argument: String) throws {
        let mapping = try #require(PortMapping(parsing: written))
        let entries = PodmanDesiredState.ports([mapping])
        #expect(entries == [shown])
        #expect(entries.map(PodmanCommands.portArgument) == [argument])
    }
}
