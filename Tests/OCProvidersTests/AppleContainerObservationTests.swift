import Foundation
import OCAppleContainer
import OCContainerModel
import OCCore
import OCTestSupport
import Testing

@Suite struct AppleContainerObservationTests {
    // MARK: - Parsing the recorded shapes

    @Test func parsesNetworksInTheZeroXShape() throws {
        let networks = try AppleContainerObservation.networks(AppleFixture.data(AppleContainerOutput.networksV0))
        #expect(networks.count == 1)
        let network = try #require(networks.first)
        #expect(network.id == "oc-internal")
        #expect(network.mode == "nat")
        #expect(!network.isInternal)
        #expect(network.ipv4Subnet == "192.168.100.0/24")
        #expect(network.ipv6Subnet == nil)
        #expect(network.labels == ["oc.owner": "lab"])
    }

    @Test func parsesNetworksInTheOneXShape() throws {
        let network = try #require(
            try AppleContainerObservation.networks(AppleFixture.data(AppleContainerOutput.networksV1)).first)
        #expect(network.id == "oc-internal")
        #expect(network.isInternal, "mode hostOnly is what --internal creates")
        #expect(network.ipv4Subnet == "192.168.100.0/24")
        #expect(network.labels == ["oc.owner": "lab"])
    }

    @Test func parsesContainersInTheZeroFiveShape() throws {
        let container = try #require(
            try AppleContainerObservation.containers(AppleFixture.data(AppleContainerOutput.containersV05)).first)
        #expect(container.id == "headscale", "0.x has no top-level id: configuration.id")
        #expect(container.state == "running")
        #expect(container.isRunning)
        #expect(container.image == "docker.io/headscale/headscale:0.28.0")
        #expect(container.networks == ["default"])
        #expect(container.addresses == ["default": "192.168.64.3/24"])
        #expect(container.ports.isEmpty)
        #expect(container.cpus == 4)
        #expect(container.memoryBytes == 1_073_741_824)
        #expect(container.readOnly == nil, "0.x does not report readOnly")
        #expect(container.capAdd == nil && container.capDrop == nil)
        #expect(container.process == nil && container.dns == nil)
    }

    @Test func parsesZeroEightAttachmentsNumericDatesAndStoppedContainers() throws {
        let container = try #require(
            try AppleContainerObservation.containers(AppleFixture.data(AppleContainerOutput.containersV08)).first)
        #expect(container.id == "web")
        #expect(!container.isRunning)
        #expect(container.addresses == ["default": "192.168.64.4/24"], "ipv4Address ?? address")
        #expect(container.ports == ["0.0.0.0:8080:80/tcp"], "count defaults to 1")
    }

    @Test func parsesContainersInTheOneXShape() throws {
        let container = try #require(
            try AppleContainerObservation.containers(AppleFixture.data(AppleContainerOutput.containersV1)).first)
        #expect(container.id == "headscale")
        #expect(container.state == "running", "status.state when status is an object")
        #expect(container.networks == ["oc-internal"], "status.networks when the configuration lists none")
        #expect(container.addresses == ["oc-internal": "192.168.100.2/24"])
        #expect(container.ports == ["127.0.0.1:8080:8080/tcp"])
        #expect(container.cpus == 2)
        #expect(container.memoryBytes == 536_870_912)
    }

    @Test func parsesProcessMountsDNSAndCapabilities() throws {
        let container = try #require(
            try AppleContainerObservation.containers(AppleFixture.data(AppleContainerOutput.containerV1Full)).first)
        #expect(container.state == "stopping")
        #expect(!container.isRunning)
        #expect(container.networks == ["oc-internal", "default"])
        #expect(container.ports == ["0.0.0.0:9000-9010:8000-8010/tcp", "[::1]:5353:53/udp"])
        #expect(
            container.volumes == [
                "/Users/me/stack/squid/squid.conf:/etc/squid/squid.conf:ro", "cache:/var/cache/squid",
            ])
        #expect(container.tmpfs == ["/run"])
        #expect(container.readOnly == true)
        #expect(container.capAdd == ["CAP_NET_BIND_SERVICE"])
        #expect(container.capDrop == ["ALL"])
        #expect(container.dns == [], "dns: null is --no-dns")
        let process = try #require(container.process)
        #expect(process.environment == ["PATH": "/usr/bin:/bin", "HTTP_PORT": "3128", "EMPTY": ""])
        #expect(process.workingDirectory == "/srv")
        #expect(process.user == "proxy")
        #expect(process.executable == "/usr/sbin/squid")
        #expect(process.arguments == ["-N"])
    }

    @Test func readsAnEmptyListAndRejectsOtherShapes() throws {
        #expect(try AppleContainerObservation.containers(Data()).isEmpty)
        #expect(try AppleContainerObservation.networks(AppleFixture.data("[]\n")).isEmpty)
        #expect(throws: AppleContainerObservation.ParseError.self) {
            _ = try AppleContainerObservation.containers(AppleFixture.data("ID  IMAGE  OS  ARCH  STATE  ADDR\n"))
        }
    }

    @Test(arguments: [
        (CommandResult(exitStatus: 0, stdout: "FIELD VALUE\nstatus running\n"), true),
        (CommandResult(exitStatus: 1, stdout: AppleContainerOutput.statusNotRunning), false),
        (CommandResult(exitStatus: 1, stdout: AppleContainerOutput.statusUnregistered), false),
    ])
    func readsTheServiceState(result: CommandResult, running: Bool) {
        #expect(AppleContainerObservation.serviceIsRunning(result) == running)
    }

    // MARK: - Observation through the provider

    @Test func observesWithThreeCommandsAndReportsUnlabelledLookAlikesAsForeign() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["container", "system", "status"], result: CommandResult(exitStatus: 0, stdout: "running"))
        runner.expect(
            argv: ["container", "network", "list", "--format", "json"],
            result: CommandResult(exitStatus: 0, stdout: AppleContainerOutput.networksV1))
        runner.expect(
            argv: ["container", "list", "--all", "--format", "json"],
            result: CommandResult(exitStatus: 0, stdout: AppleContainerOutput.containersV1))
        let network = AppleContainerProvider.desiredTree(of: try AppleFixture.network("internal: true"))
        let container = AppleContainerProvider.desiredTree(
            of: try AppleFixture.container("image: docker.io/headscale/headscale:0.28.0\nnetworks: [oc-internal]"))
        let response = try await AppleFixture.observe(
            [
                ObserveTarget(address: "networks.oc-internal", desired: network),
                ObserveTarget(address: "containers.headscale", desired: container),
                ObserveTarget(address: "containers.absent", desired: container),
            ], runner: runner)
        #expect(runner.unexpected.isEmpty)
        #expect(runner.calls.count == 3)

        let observedNetwork = try #require(response.observations["networks.oc-internal"])
        #expect(observedNetwork.ownership == .foreign)
        #expect(
            observedNetwork.note == "network oc-internal was not created by ocplan (it has no io.ocplan.stack label)")
        #expect(observedNetwork.value == ["internal": true, "labels": ["oc.owner": "lab"]])
        let observedContainer = try #require(response.observations["containers.headscale"])
        #expect(observedContainer.ownership == .foreign)
        #expect(observedContainer.value?["ports"] == ["127.0.0.1:8080:8080/tcp"])
        #expect(response.observations["containers.absent"]?.exists == false)
        #expect(response.discovered.isEmpty)
        #expect(response.diagnostics.isEmpty)
    }

    @Test func aStoppedServiceIsAnErrorThatSaysHowToStartIt() async throws {
        let runner = ScriptedRunner()
        runner.expect(
            argv: ["container", "system", "status"],
            result: CommandResult(exitStatus: 1, stdout: AppleContainerOutput.statusNotRunning))
        let response = try await AppleFixture.observe(
            [ObserveTarget(address: "networks.n", desired: ["internal": false, "labels": [:]])], runner: runner)
        #expect(runner.calls.count == 1, "nothing is listed while the service is down")
        let diagnostic = try #require(response.diagnostics.first)
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.summary == "Apple's container service is not running on host 'mac'")
        #expect(diagnostic.detail?.contains("says: apiserver is not running.") == true)
        #expect(diagnostic.detail?.contains("`container system start`") == true)
    }

    @Test func aMissingCLIPropagatesAsAMissingTool() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["container", "system", "status"], failure: .toolMissing)
        await #expect(throws: CommandFailure.self) {
            _ = try await AppleFixture.observe([ObserveTarget(address: "networks.n", desired: nil)], runner: runner)
        }
        #expect(AppleContainerProvider().prerequisites(on: AppleFixture.mac).map(\.tool) == ["container"])
    }

    // MARK: - Ownership and trees

    @Test func ownershipFollowsTheStackAndAddressLabels() {
        let address: Address = "containers.web"
        func ownership(_ labels: [String: String]) -> (Observation.Ownership, String?) {
            AppleContainerProvider.ownership(labels, stack: "lab", address: address, kind: "container")
        }
        #expect(ownership(["io.ocplan.stack": "lab", "io.ocplan.address": "containers.web"]).0 == .ours)
        #expect(
            ownership(["io.ocplan.stack": "other", "io.ocplan.address": "containers.web"]).1
                == "container web belongs to stack 'other' (label io.ocplan.stack=other)")
        #expect(ownership(["io.ocplan.stack": "lab", "io.ocplan.address": "containers.api"]).0 == .foreign)
        #expect(ownership(["oc.owner": "lab"]).0 == .foreign)
    }

    @Test func objectsWithOurLabelThatWereNotRequestedAreDiscovered() {
        let labels = ["io.ocplan.stack": "lab", "io.ocplan.address": "containers.old", "io.ocplan.spec-hash": "x"]
        let record = AppleContainerObservation.ContainerRecord(
            id: "old", state: "stopped", image: "docker.io/library/alpine:latest", labels: labels,
            networks: ["default"], addresses: [:], ports: [], volumes: [], tmpfs: [], readOnly: false, capAdd: [],
            capDrop: [], process: nil, dns: nil, cpus: 4, memoryBytes: 1_073_741_824)
        var foreign = record
        foreign.id = "theirs"
        foreign.labels = ["io.ocplan.stack": "other", "io.ocplan.address": "containers.theirs"]
        let response = AppleContainerProvider.response(
            networks: [], containers: [record, foreign], targets: [], stack: "lab", host: AppleFixture.mac)
        #expect(Array(response.discovered.keys) == ["containers.old"])
        #expect(response.discovered["containers.old"]?.ownership == .ours)
        #expect(response.discovered["containers.old"]?.value?["state"] == "stopped")
    }

    @Test func aNetworkThatIsNeitherThereNorDeclaredIsAnError() {
        let desired: Value = ["networks": ["default", "edge", "declared"], "state": "running"]
        let response = AppleContainerProvider.response(
            networks: [], containers: [],
            targets: [
                ObserveTarget(address: "containers.web", desired: desired),
                ObserveTarget(address: "networks.declared", desired: ["internal": false, "labels": [:]]),
            ], stack: "lab", host: AppleFixture.mac)
        #expect(response.diagnostics.map(\.summary) == ["Network 'edge' does not exist on host 'mac'"])
        #expect(response.diagnostics.first?.address == "containers.web")
    }

    @Test func attributesTheCLIDoesNotReportComeFromTheTreeWithTheLabelledHash() throws {
        let applied = AppleContainerProvider.desiredTree(
            of: try AppleFixture.container("image: alpine\ncommand: [sleep, \"60\"]\nenv: { A: \"1\" }"))
        let edited = AppleContainerProvider.desiredTree(
            of: try AppleFixture.container("image: alpine\ncommand: [sleep, \"90\"]\nenv: { A: \"1\" }"))
        let record = AppleContainerObservation.ContainerRecord(
            id: "app", state: "running", image: "docker.io/library/alpine:latest",
            labels: ["io.ocplan.spec-hash": AppleContainerTree.specHash(applied)], networks: ["default"],
            addresses: [:], ports: [], volumes: [], tmpfs: [], readOnly: false, capAdd: [], capDrop: [],
            process: .init(
                environment: ["A": "1", "PATH": "/bin"], workingDirectory: "/", user: "0:0", executable: "sleep",
                arguments: ["60"]),
            dns: ["192.168.64.1"], cpus: 4, memoryBytes: 1_073_741_824)

        let inSync = AppleContainerProvider.observedTree(record, desired: applied, lastApplied: applied)
        #expect(inSync == applied, "the image's PATH and the runtime's defaults are not compared")

        let manifestEdit = AppleContainerProvider.observedTree(record, desired: edited, lastApplied: applied)
        #expect(manifestEdit["command"] == ["sleep", "60"], "taken from the last applied tree")

        let journalLost = AppleContainerProvider.observedTree(record, desired: edited, lastApplied: nil)
        #expect(journalLost["command"] == .string(AppleContainerTree.unknownValue))
        #expect(journalLost["env"] == ["A": "1"])
    }

    @Test func optionalNetworkAttributesAreObservedOnlyWhenSet() throws {
        let record = try #require(
            try AppleContainerObservation.networks(AppleFixture.data(AppleContainerOutput.networksV1)).first)
        let bare = AppleContainerProvider.desiredTree(of: try AppleFixture.network("internal: true"))
        #expect(AppleContainerProvider.observedTree(record, desired: bare, lastApplied: nil)["subnet"] == .null)
        let pinned = AppleContainerProvider.desiredTree(of: try AppleFixture.network("subnet: 192.168.100.0/24"))
        #expect(
            AppleContainerProvider.observedTree(record, desired: pinned, lastApplied: nil)["subnet"]
                == "192.168.100.0/24")
    }
}
