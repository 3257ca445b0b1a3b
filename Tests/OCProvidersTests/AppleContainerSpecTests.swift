import OCContainerModel
import OCCore
import Testing

/// The spec side of `runtime: apple`: fields and values Apple's `container` CLI cannot take are errors that
/// name the field.
@Suite struct AppleContainerSpecTests {
    private func container(
        _ yaml: String, name: String = "app", hosts: [String: Host] = ["local": .local]
    ) throws -> [Diagnostic] {
        try SpecDecoding.decode(ContainerSpec.self, yaml: "image: alpine\nruntime: apple\n" + yaml)
            .validate(in: SpecTest.context(Address("containers", name), hosts: hosts))
            .filter { $0.severity == .error }
    }

    private func network(_ yaml: String, name: String = "net") throws -> [Diagnostic] {
        try SpecDecoding.decode(NetworkSpec.self, yaml: "runtime: apple\n" + yaml)
            .validate(in: SpecTest.context(Address("networks", name)))
            .filter { $0.severity == .error }
    }

    @Test(arguments: [
        ("entrypoint: [/bin/sh, -c]", "containers.app.entrypoint"),
        ("ports: [\"8080\"]", "containers.app.ports[0]"),
        ("volumes: [/cache]", "containers.app.volumes[0]"),
        ("tmpfs: [\"/run:size=64m\"]", "containers.app.tmpfs[0]"),
        ("memory: 1500k", "containers.app.memory"),
        ("networks: [host]", "containers.app.networks"),
        ("restart: unless-stopped", "containers.app.restart"),
        ("ulimits: { nofile: 1024 }", "containers.app.ulimits"),
    ])
    func unsupportedContainerFieldsAreErrorsNamingTheField(yaml: String, keyPath: String) throws {
        let errors = try container(yaml)
        #expect(errors.compactMap(\.keyPath).contains(keyPath), "\(errors.map(\.summary))")
        #expect(errors.contains { $0.summary.hasSuffix("is not supported by Apple's container runtime") })
    }

    @Test func whatAppleSupportsValidates() throws {
        #expect(
            try container(
                """
                entrypoint: [/usr/bin/env]
                command: [node, server.js]
                env: { A: "1" }
                envFiles: [./app.env]
                networks: [default]
                ports: ["127.0.0.1:8080:80", "5353:53/udp"]
                volumes: ["./data:/data:ro", "cache:/cache"]
                tmpfs: [/run]
                readOnly: true
                capDrop: [ALL]
                user: "1000:1000"
                workdir: /srv
                dns: [1.1.1.1]
                cpus: 2
                memory: 512m
                labels: { com.example.role: web }
                state: stopped
                """
            ).isEmpty)
    }

    @Test func namesAndLabelsFollowTheCLIsRules() throws {
        #expect(
            try container("", name: "a").map(\.summary) == [
                "Container name 'a' is not valid for Apple's container runtime"
            ])
        #expect(
            Set(try container("labels: { Role: web, io.ocplan.stack: other }").compactMap(\.keyPath)) == [
                "containers.app.labels.Role", "containers.app.labels.io.ocplan.stack",
            ])
        #expect(
            try network("", name: "Net").map(\.summary) == [
                "Network name 'Net' is not valid for Apple's container runtime"
            ])
        #expect(try network("labels: { tier_1: x }").map(\.keyPath) == ["networks.net.labels.tier_1"])
        #expect(try network("internal: true\nsubnet: 10.89.10.0/24\nlabels: { tier: back }").isEmpty)
    }

    @Test func anImagesResourceIsAPodmanImage() throws {
        let specs: [Address: any ResourceSpec] = [
            Address("images", "openclaw"): ImageSpec(reference: "localhost/openclaw:dev")
        ]
        let errors = try SpecDecoding.decode(ContainerSpec.self, yaml: "image: openclaw\nruntime: apple")
            .validate(in: SpecTest.context(Address("containers", "app"), specs: specs))
            .filter { $0.severity == .error }
        #expect(errors.compactMap(\.keyPath) == ["containers.app.image"])
    }

    @Test func theRuntimeNeedsAMacHost() throws {
        let hosts: [String: Host] = [
            "local": .local, "vm": Host(name: "vm", transport: .multipass, vm: "oc-exit"),
            "mini": Host(name: "mini", transport: .ssh, address: "mini.local", os: .macos),
        ]
        #expect(try container("host: vm", hosts: hosts).map(\.keyPath) == ["containers.app.runtime"])
        #expect(try container("host: mini", hosts: hosts).isEmpty)
        #expect(try container("host: local", hosts: hosts).isEmpty)
    }
}
