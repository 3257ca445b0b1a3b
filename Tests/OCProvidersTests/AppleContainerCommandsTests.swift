import Foundation
import OCAppleContainer
import OCContainerModel
import OCCore
import OCTestSupport
import Testing

@Suite struct AppleContainerCommandsTests {
    static let fullYAML = """
        image: docker.io/ubuntu/squid:6.6
        command: [squid, -N]
        entrypoint: [/usr/bin/env]
        env: { HTTP_PORT: "3128", A: "x=y" }
        envFiles: [./proxy.env]
        networks: [oc-internal, default]
        ports: ["127.0.0.1:3128:3128", "8000-8001:8000-8001/udp"]
        volumes: ["./squid/squid.conf:/etc/squid/squid.conf:ro", "cache:/var/cache/squid/"]
        tmpfs: [/run]
        readOnly: true
        capAdd: [net_bind_service]
        capDrop: [ALL]
        user: proxy
        workdir: /srv
        dns: [192.168.100.1]
        cpus: 2
        memory: 512m
        labels: { role: edge }
        """

    static func fullTree() throws -> Value {
        AppleContainerProvider.desiredTree(
            of: try AppleFixture.container(fullYAML), resolve: { "/stack/" + $0.dropFirst(2) })
    }

    // MARK: - Desired trees

    @Test func theDesiredContainerTreeUsesTheFormsTheCLIReports() throws {
        let tree = try Self.fullTree()
        #expect(tree["image"] == "docker.io/ubuntu/squid:6.6")
        #expect(tree["ports"] == ["0.0.0.0:8000-8001:8000-8001/udp", "127.0.0.1:3128:3128/tcp"])
        #expect(
            tree["volumes"] == ["/stack/squid/squid.conf:/etc/squid/squid.conf:ro", "cache:/var/cache/squid"])
        #expect(tree["envFiles"] == ["/stack/proxy.env"])
        #expect(tree["capAdd"] == ["CAP_NET_BIND_SERVICE"])
        #expect(tree["capDrop"] == ["ALL"])
        #expect(tree["memory"] == 536_870_912)
        #expect(tree["cpus"] == 2)
        #expect(tree["state"] == "running")

        let bare = AppleContainerProvider.desiredTree(of: try AppleFixture.container("image: alpine"))
        #expect(
            bare == [
                "image": "docker.io/library/alpine:latest", "env": [:], "networks": ["default"], "ports": [],
                "volumes": [], "tmpfs": [], "readOnly": false, "capAdd": [], "capDrop": [], "labels": [:],
                "state": "running",
            ], "keys left to the image or runtime are absent")
    }

    @Test(arguments: [
        ("alpine", "docker.io/library/alpine:latest"),
        ("ubuntu/squid:6.6", "docker.io/ubuntu/squid:6.6"),
        ("ghcr.io/example/openclaw", "ghcr.io/example/openclaw:latest"),
        ("localhost:5000/app", "localhost:5000/app:latest"),
        ("alpine@sha256:abc", "docker.io/library/alpine@sha256:abc"),
        ("docker.io/headscale/headscale:0.28.0", "docker.io/headscale/headscale:0.28.0"),
    ])
    func imageReferencesAreQualifiedLikeTheCLIStoresThem(written: String, stored: String) {
        #expect(ImageName.qualified(written) == stored)
    }

    @Test func theSpecHashIgnoresTheState() throws {
        let running = try Self.fullTree()
        var stopped = running
        stopped["state"] = "stopped"
        #expect(AppleContainerTree.specHash(running) == AppleContainerTree.specHash(stopped))
        var edited = running
        edited["env"] = ["HTTP_PORT": "3129"]
        #expect(AppleContainerTree.specHash(running) != AppleContainerTree.specHash(edited))
        #expect(AppleContainerTree.specHash(running).count == 64)
    }

    // MARK: - Argv per change

    @Test func createsANetworkWithItsOptionsAndLabels() throws {
        let tree = AppleContainerProvider.desiredTree(
            of: try AppleFixture.network(
                "internal: true\nsubnet: 10.89.10.0/24\nipv6Subnet: \"fd00:10:89::/64\"\nlabels: { tier: back }"))
        let hash = AppleContainerTree.specHash(tree)
        let commands = try AppleFixture.commands(AppleFixture.change("networks.oc-internal", .create, after: tree))
        #expect(
            commands == [
                [
                    "container", "network", "create", "--internal", "--subnet", "10.89.10.0/24", "--subnet-v6",
                    "fd00:10:89::/64", "--label", "io.ocplan.stack=lab", "--label",
                    "io.ocplan.address=networks.oc-internal", "--label", "io.ocplan.spec-hash=\(hash)", "--label",
                    "tier=back", "oc-internal",
                ]
            ])
    }

    @Test func deletesAndReplacesANetwork() throws {
        let before: Value = ["internal": false, "labels": [:]]
        let after: Value = ["internal": true, "labels": [:]]
        #expect(
            try AppleFixture.commands(AppleFixture.change("networks.n", .delete, before: before))
                == [["container", "network", "delete", "n"]])
        let replace = try AppleFixture.commands(
            AppleFixture.change("networks.n", .replace, before: before, after: after))
        #expect(
            replace.map { Array($0.prefix(4)) } == [
                ["container", "network", "delete", "n"], ["container", "network", "create", "--internal"],
            ])
        #expect(
            try AppleFixture.commands(AppleFixture.change("networks.n", .update, before: before, after: after)).isEmpty)
    }

    @Test func runsAContainerWithEveryOption() throws {
        let tree = try Self.fullTree()
        let hash = AppleContainerTree.specHash(tree)
        let commands = try AppleFixture.commands(AppleFixture.change("containers.proxy", .create, after: tree))
        #expect(
            commands == [
                [
                    "container", "run", "-d", "--name", "proxy",
                    "--label", "io.ocplan.stack=lab", "--label", "io.ocplan.address=containers.proxy",
                    "--label", "io.ocplan.spec-hash=\(hash)", "--label", "role=edge",
                    "--network", "oc-internal", "--network", "default",
                    "--env-file", "/stack/proxy.env",
                    "-e", "A=x=y", "-e", "HTTP_PORT=3128",
                    "-p", "0.0.0.0:8000-8001:8000-8001/udp", "-p", "127.0.0.1:3128:3128/tcp",
                    "-v", "/stack/squid/squid.conf:/etc/squid/squid.conf:ro", "-v", "cache:/var/cache/squid",
                    "--tmpfs", "/run", "--read-only",
                    "--cap-add", "CAP_NET_BIND_SERVICE", "--cap-drop", "ALL",
                    "-u", "proxy", "-w", "/srv", "--entrypoint", "/usr/bin/env", "--dns", "192.168.100.1",
                    "-c", "2", "-m", "512M",
                    "--", "docker.io/ubuntu/squid:6.6", "squid", "-N",
                ]
            ])
    }

    @Test func aStoppedContainerIsCreatedNotRun() throws {
        let tree = AppleContainerProvider.desiredTree(of: try AppleFixture.container("image: alpine\nstate: stopped"))
        let commands = try AppleFixture.commands(AppleFixture.change("containers.app", .create, after: tree))
        #expect(commands.first?.prefix(4) == ["container", "create", "--name", "app"])
        #expect(commands.first?.last == "docker.io/library/alpine:latest")
    }

    @Test func deletesStopFirstOnlyWhenRunning() throws {
        let running: Value = ["state": "running"]
        let stopped: Value = ["state": "stopped"]
        #expect(
            try AppleFixture.commands(AppleFixture.change("containers.app", .delete, before: running)) == [
                ["container", "stop", "app"], ["container", "delete", "app"],
            ])
        #expect(
            try AppleFixture.commands(AppleFixture.change("containers.app", .delete, before: stopped)) == [
                ["container", "delete", "app"]
            ])
    }

    @Test func replacesDeleteThenRun() throws {
        let tree = AppleContainerProvider.desiredTree(of: try AppleFixture.container("image: alpine"))
        var before = tree
        before["env"] = ["A": "1"]
        let commands = try AppleFixture.commands(
            AppleFixture.change("containers.app", .replace, before: before, after: tree))
        #expect(
            commands.map { Array($0.prefix(3)) } == [
                ["container", "stop", "app"], ["container", "delete", "app"], ["container", "run", "-d"],
            ])
    }

    @Test func updatesStartOrStopInPlace() throws {
        let running: Value = ["state": "running", "image": "x"]
        let stopped: Value = ["state": "stopped", "image": "x"]
        #expect(
            try AppleFixture.commands(AppleFixture.change("containers.app", .update, before: stopped, after: running))
                == [["container", "start", "app"]])
        #expect(
            try AppleFixture.commands(AppleFixture.change("containers.app", .update, before: running, after: stopped))
                == [["container", "stop", "app"]])
        #expect(try AppleFixture.commands(AppleFixture.change("containers.app", .noop, before: running)).isEmpty)
    }

    @Test func everyChangeIsMutatingAndObservationIsNot() throws {
        let tree = try Self.fullTree()
        let provider = AppleContainerProvider()
        let context = ChangeContext(stack: "lab", host: AppleFixture.mac, privateState: nil)
        let commands = try provider.commands(
            for: AppleFixture.change("containers.proxy", .create, after: tree), context: context)
        #expect(commands.allSatisfy { $0.mutating })
        #expect(!AppleContainerCommands.listContainers().mutating)
        #expect(!AppleContainerCommands.listNetworks().mutating)
        #expect(AppleContainerCommands.systemStatus().argv == ["container", "system", "status"])
    }

    @Test func theSchemaReplacesEverythingButTheState() {
        let provider = AppleContainerProvider()
        let containers = provider.schema(for: "containers")
        #expect(containers.forcesReplace(ValuePath("env")))
        #expect(containers.forcesReplace(ValuePath("networks")))
        #expect(!containers.forcesReplace(ValuePath("state")))
        #expect(containers.replacedWith == ["networks"])
        #expect(provider.schema(for: "networks").forcesReplace(ValuePath("subnet")))
        #expect(provider.name == "apple-container")
        #expect(provider.sections == ["networks", "containers"])
    }
}
