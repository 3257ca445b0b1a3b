import Foundation
import Logging
import OCAppleContainer
import OCContainerModel
import OCCore
import OCTestSupport
import Synchronization
import Testing

/// Multi-step flows through the real engine (loader, planner, applier, journal) against the fake CLI.
@Suite struct AppleContainerEngineTests {
    static let manifest = """
        networks:
          oc-internal: { host: mac, runtime: apple, internal: true, subnet: 10.89.10.0/24 }
        containers:
          proxy:
            host: mac
            runtime: apple
            image: docker.io/ubuntu/squid:6.6
            networks: [oc-internal, default]
            ports: ["127.0.0.1:3128:3128"]
          agent:
            host: mac
            runtime: apple
            image: ghcr.io/example/openclaw:latest
            networks: [oc-internal]
            env: { HTTP_PROXY: "http://proxy:3128", NODE_OPTIONS: --dns-result-order=ipv4first }
            command: [node, server.js]
            capDrop: [ALL]
            readOnly: true
            tmpfs: [/tmp]
            memory: 512m
            cpus: 2

        """

    /// A secret environment value reaches the CLI in its environment (`-e KEY`), never on its command line;
    /// plain values stay `-e K=V`, so a variable such as PATH never changes the CLI's own environment.
    @Test func secretEnvironmentValuesTravelInTheCLIsEnvironment() async throws {
        let stack = try AppleContainerStack()
        let manifest = """
            containers:
              agent:
                host: mac
                runtime: apple
                image: ghcr.io/example/openclaw:latest
                env: { API_KEY: "${env:OC_KEY}", PATH: /bin }

            """
        let plan = try await stack.harness.plan(manifest, environment: ["OC_KEY": "apple-secret-value"])
        #expect(plan.change("containers.agent")?.sensitivePaths.covers(ValuePath("env.API_KEY")) == true)
        let report = await stack.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        let run = try #require(stack.fake.mutatingCalls.first { $0.argv.contains("run") })
        #expect(!run.argv.contains { $0.contains("apple-secret-value") })
        #expect(run.argv.contains("API_KEY"))
        #expect(run.argv.contains("PATH=/bin"))
        #expect(run.environment == ["API_KEY": "apple-secret-value"])
        #expect(stack.fake.container("agent")?.environment.contains("API_KEY=apple-secret-value") == true)
        let second = try await stack.harness.plan(manifest, environment: ["OC_KEY": "apple-secret-value"])
        #expect(!second.hasChanges, "\(second.actions.map { ($0.address, $0.attributes) })")
    }

    /// An Apple container publishes its ID and its IPv4 address per network, like a Podman one: another
    /// container's environment that uses the address shows `(known after apply)` on a fresh stack, and holds the
    /// address the CLI gave after apply; the next plan is empty.
    @Test func anAgentsProxyAddressIsKnownAfterApply() async throws {
        let stack = try AppleContainerStack()
        let manifest = """
            networks:
              oc-internal: { host: mac, runtime: apple, internal: true, subnet: 10.89.10.0/24 }
            containers:
              proxy:
                host: mac
                runtime: apple
                image: docker.io/ubuntu/squid:6.6
                networks: [oc-internal]
              agent:
                host: mac
                runtime: apple
                image: ghcr.io/example/openclaw:latest
                networks: [oc-internal]
                env: { HTTP_PROXY: "http://${containers.proxy.ipv4.oc-internal}:3128", PROXY_ID: "${containers.proxy.id}" }

            """
        let first = try await stack.plan(manifest)
        let agent = try #require(first.change("containers.agent"))
        #expect(agent.dependencies.contains(Address("containers", "proxy")))
        #expect(
            first.displayed.change("containers.agent")?.after?["env"]["HTTP_PROXY"] == "http://(known after apply):3128"
        )
        let report = await stack.apply(first)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        let address = try #require(stack.fake.container("proxy")?.addresses["oc-internal"])
        let bare = try #require(address.split(separator: "/").first.map(String.init))
        #expect(bare.hasPrefix("10.89.10."))
        let environment = try #require(stack.fake.container("agent")?.environment)
        #expect(environment.contains("HTTP_PROXY=http://\(bare):3128"), "\(environment)")
        #expect(environment.contains("PROXY_ID=proxy"), "\(environment)")
        let second = try await stack.plan(manifest)
        #expect(!second.hasChanges, "\(second.actions.map { ($0.address, $0.attributes) })")
    }

    @Test(arguments: [FakeAppleContainerCLI.JSONShape.v1, .v0])
    func applyFromEmptyThenTheSecondPlanIsEmpty(shape: FakeAppleContainerCLI.JSONShape) async throws {
        let stack = try AppleContainerStack(FakeAppleContainerCLI(shape: shape))
        let first = try await stack.plan(Self.manifest)
        #expect(first.actions.map(\.action) == [.create, .create, .create])
        #expect(first.actions.allSatisfy { $0.provider == "apple-container" && $0.cause == .manifest })
        #expect(stack.fake.calls.count == 3, "status, network list, container list: one each for the host")

        stack.fake.resetCalls()
        let report = await stack.apply(first)
        #expect(report.succeeded, "\(report.failed.map(\.error)) \(report.notConverged.map(\.attributes))")
        let mutations = stack.fake.mutatingCalls.map { Array($0.argv.prefix(3)) }
        #expect(mutations.first == ["container", "network", "create"], "the network comes before its containers")
        #expect(mutations.dropFirst().allSatisfy { $0 == ["container", "run", "-d"] })
        #expect(stack.fake.network("oc-internal")?.mode == "hostOnly")
        #expect(stack.fake.network("oc-internal")?.labels["io.ocplan.stack"] == "lab")
        let agent = try #require(stack.fake.container("agent"))
        #expect(agent.running)
        #expect(agent.labels["io.ocplan.address"] == "containers.agent")
        #expect(agent.environment.contains("HTTP_PROXY=http://proxy:3128"))
        #expect(agent.memoryBytes == 536_870_912)

        let second = try await stack.plan(Self.manifest)
        #expect(!second.hasChanges, "\(second.actions.map { ($0.address, $0.attributes) })")
    }

    @Test func changingAnEnvValueReplacesOnlyThatContainer() async throws {
        let stack = try AppleContainerStack()
        try await stack.converge(Self.manifest)
        let edited = Self.manifest.replacingOccurrences(of: "http://proxy:3128", with: "http://proxy:3129")
        let plan = try await stack.plan(edited)
        #expect(plan.actions.map(\.address) == ["containers.agent"])
        let change = try #require(plan.actions.first)
        #expect(change.action == .replace)
        #expect(change.cause == .manifest)
        #expect(change.attributes.map(\.path.description) == ["env.HTTP_PROXY"])

        stack.fake.resetCalls()
        #expect(await stack.apply(plan).succeeded)
        #expect(
            stack.fake.mutatingCalls.map { Array($0.argv.prefix(3)) } == [
                ["container", "stop", "agent"], ["container", "delete", "agent"], ["container", "run", "-d"],
            ])
        #expect(stack.fake.container("agent")?.environment.contains("HTTP_PROXY=http://proxy:3129") == true)
        #expect(try await !stack.plan(edited).hasChanges)
    }

    @Test func aChangedCommandIsSeenThroughTheSpecHashLabel() async throws {
        let stack = try AppleContainerStack()
        try await stack.converge(Self.manifest)
        let edited = Self.manifest.replacingOccurrences(of: "[node, server.js]", with: "[node, worker.js]")
        let plan = try await stack.plan(edited)
        #expect(plan.actions.map(\.address) == ["containers.agent"])
        #expect(plan.actions.first?.attributes.map(\.path.description) == ["command"])
        #expect(plan.actions.first?.action == .replace)
        try await stack.converge(edited)
        #expect(stack.fake.container("agent")?.arguments == ["worker.js"])
        #expect(try await !stack.plan(edited).hasChanges)
    }

    @Test func removingAContainerDeletesItAndLeavesTheRest() async throws {
        let stack = try AppleContainerStack()
        try await stack.converge(Self.manifest)
        let withoutAgent = String(Self.manifest[..<(try #require(Self.manifest.range(of: "  agent:"))).lowerBound])
        let plan = try await stack.plan(withoutAgent)
        #expect(plan.actions.map(\.address) == ["containers.agent"])
        #expect(plan.actions.map(\.action) == [.delete])
        stack.fake.resetCalls()
        #expect(await stack.apply(plan).succeeded)
        #expect(stack.fake.container("agent") == nil)
        #expect(stack.fake.container("proxy")?.running == true)
        #expect(stack.fake.network("oc-internal") != nil)
        #expect(try await !stack.plan(withoutAgent).hasChanges)
    }

    @Test func aContainerDeletedByHandIsDriftAndApplyHealsIt() async throws {
        let stack = try AppleContainerStack()
        try await stack.converge(Self.manifest)
        try stack.fake.byHand(["container", "delete", "--force", "proxy"])
        let drift = try await stack.plan(Self.manifest)
        #expect(drift.actions.map(\.address) == ["containers.proxy"])
        #expect(drift.actions.map(\.action) == [.create])
        #expect(drift.actions.map(\.cause) == [.drift])
        #expect(drift.actions.first?.notes.contains("it was deleted outside ocplan") == true)
        #expect(await stack.apply(drift).succeeded)
        #expect(try await !stack.plan(Self.manifest).hasChanges)
    }

    @Test func aContainerStoppedByHandIsStartedInPlace() async throws {
        let stack = try AppleContainerStack()
        try await stack.converge(Self.manifest)
        try stack.fake.byHand(["container", "stop", "agent"])
        let drift = try await stack.plan(Self.manifest)
        #expect(drift.actions.map(\.action) == [.update])
        #expect(drift.actions.map(\.cause) == [.drift])
        stack.fake.resetCalls()
        #expect(await stack.apply(drift).succeeded)
        #expect(stack.fake.mutatingCalls.map(\.argv) == [["container", "start", "agent"]])
        #expect(stack.fake.container("agent")?.running == true)
    }

    @Test func replacingANetworkReplacesItsContainers() async throws {
        let stack = try AppleContainerStack()
        try await stack.converge(Self.manifest)
        let edited = Self.manifest.replacingOccurrences(of: "10.89.10.0/24", with: "10.89.20.0/24")
        let plan = try await stack.plan(edited)
        #expect(plan.change("networks.oc-internal")?.action == .replace)
        #expect(plan.change("containers.proxy")?.action == .replace)
        #expect(plan.change("containers.agent")?.action == .replace)
        #expect(
            plan.change("containers.agent")?.notes.contains("replaced because networks.oc-internal is replaced")
                == true)
        stack.fake.resetCalls()
        let report = await stack.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        let argv = stack.fake.mutatingCalls.map(\.argv)
        let networkDelete = try #require(argv.firstIndex(of: ["container", "network", "delete", "oc-internal"]))
        let lastContainerDelete = try #require(argv.lastIndex { $0.prefix(2) == ["container", "delete"] })
        #expect(lastContainerDelete < networkDelete, "containers leave the network before it is deleted")
        #expect(stack.fake.network("oc-internal")?.ipv4Subnet == "10.89.20.0/24")
        #expect(try await !stack.plan(edited).hasChanges)
    }

    @Test func aForeignLookAlikeIsAPlanErrorAndIsNeverTouched() async throws {
        let stack = try AppleContainerStack()
        try stack.fake.byHand(["container", "run", "-d", "--name", "proxy", "--label", "owner=me", "alpine"])
        let (plan, diagnostics) = try await stack.attempt(Self.manifest)
        #expect(plan == nil)
        let error = try #require(diagnostics.items.first { $0.severity == .error })
        #expect(error.summary == "containers.proxy already exists on mac but was not created by stack 'lab'")
        #expect(error.detail?.contains("container proxy was not created by ocplan") == true)
        #expect(error.detail?.contains("--adopt containers.proxy") == true)
        #expect(stack.fake.mutatingCalls.isEmpty)
        #expect(stack.fake.container("proxy")?.labels == ["owner": "me"])
    }

    @Test func aStoppedServiceIsAClearPlanError() async throws {
        let stack = try AppleContainerStack(FakeAppleContainerCLI(serviceRunning: false))
        let (plan, diagnostics) = try await stack.attempt(Self.manifest)
        #expect(plan == nil)
        let error = try #require(diagnostics.items.first { $0.severity == .error })
        #expect(error.summary == "Apple's container service is not running on host 'mac'")
        #expect(error.detail?.contains("Start it with `container system start`") == true)
        #expect(stack.fake.callArgvs == [["container", "system", "status"]])

        try stack.fake.byHand(["container", "system", "start", "--enable-kernel-install"])
        #expect(try await stack.plan(Self.manifest).actions.count == 3)
    }

    @Test func aFieldAppleDoesNotSupportIsAValidationErrorNamingIt() async throws {
        let stack = try AppleContainerStack()
        let (manifest, diagnostics) = try await stack.load(
            """
            containers:
              web:
                host: mac
                runtime: apple
                image: nginx
                restart: always
                healthcheck: { test: [curl, -f, http://localhost/] }

            """)
        #expect(manifest == nil)
        let errors = diagnostics.items.filter { $0.severity == .error }
        #expect(errors.compactMap(\.keyPath) == ["containers.web.restart", "containers.web.healthcheck"])
        #expect(errors.first?.summary == "restart is not supported by Apple's container runtime")
        #expect(errors.first?.location != nil, "the error points at the line in the manifest")
        #expect(stack.fake.calls.isEmpty)
    }

    @Test func ownedObjectsMissingFromTheJournalAndTheManifestAreDeleted() async throws {
        let stack = try AppleContainerStack()
        try await stack.converge(Self.manifest)
        // A new state directory: the journal of the earlier applies is lost.
        let fresh = try AppleContainerStack(stack.fake)
        let networksOnly = String(Self.manifest[..<(try #require(Self.manifest.range(of: "containers:"))).lowerBound])
        let plan = try await fresh.plan(networksOnly)
        #expect(plan.actions.map(\.address).sorted() == ["containers.agent", "containers.proxy"])
        #expect(plan.actions.allSatisfy { $0.action == .delete })
        #expect(await fresh.apply(plan).succeeded)
        #expect(fresh.fake.containers.isEmpty)
        #expect(try await !fresh.plan(networksOnly).hasChanges)
    }

    @Test func anInterruptedDeleteConvergesWhenRunAgain() async throws {
        let stack = try AppleContainerStack()
        try await stack.converge(Self.manifest)
        let withoutAgent = String(Self.manifest[..<(try #require(Self.manifest.range(of: "  agent:"))).lowerBound])
        let plan = try await stack.plan(withoutAgent)
        try stack.fake.byHand(["container", "delete", "--force", "agent"])
        let report = await stack.apply(plan)
        #expect(report.succeeded, "`not found` from stop and delete counts as done")
        #expect(try await !stack.plan(withoutAgent).hasChanges)
    }

    @Test func aMissingCLIIsAnErrorListingThePrerequisite() async throws {
        let runner = ScriptedRunner()
        runner.expect(argv: ["container", "system", "status"], failure: .toolMissing, repeating: true)
        let harness = try EngineHarness(
            header: "hosts:\n  mac: { transport: local, os: macos }\n",
            catalog: SpecCatalog([NetworkSpec.self, ContainerSpec.self]), providers: [AppleContainerProvider()],
            runner: runner)
        let (plan, diagnostics) = try await harness.attempt(Self.manifest)
        #expect(plan == nil)
        let error = try #require(diagnostics.errors.first)
        #expect(
            error.summary
                == "Missing prerequisites for apple-container resources on host 'mac' (networks.oc-internal, "
                + "containers.proxy, containers.agent)")
        #expect(error.detail?.contains("container on mac: download the signed installer package") == true)
    }

    // MARK: - Routing between runtimes

    /// A stand-in for the Podman provider: takes `runtime: podman` and records what it was asked to observe.
    struct StubPodmanProvider: Provider {
        let name = "podman"
        let sections = ["networks", "containers"]
        let observed = Observed()

        final class Observed: Sendable {
            let addresses = Mutex<[Address]>([])
        }

        func manages(_ declaration: ResourceDeclaration) -> Bool {
            (declaration.spec as? ContainerSpec)?.runtime == .podman
                || (declaration.spec as? NetworkSpec)?.runtime == .podman
        }
        func schema(for section: String) -> ResourceSchema { ResourceSchema() }
        func prerequisites(on host: OCCore.Host) -> [Prerequisite] { [] }
        func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
            ["image": .string((declaration.spec as? ContainerSpec)?.image ?? "")]
        }
        func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
            observed.addresses.withLock { $0 += request.targets.map(\.address) }
            return ObserveResponse(
                observations: Dictionary(uniqueKeysWithValues: request.targets.map { ($0.address, .absent) }))
        }
        func program(for change: Change, context: ChangeContext) throws -> StepProgram { StepProgram() }
        func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
            ApplyResponse(observed: request.change.after)
        }
    }

    @Test func aManifestMixingRuntimesRoutesEachContainerToItsProvider() async throws {
        let podman = StubPodmanProvider()
        let stack = try AppleContainerStack(providers: [podman, AppleContainerProvider()])
        let plan = try await stack.plan(
            """
            containers:
              on-podman: { host: mac, image: docker.io/library/alpine:3.20 }
              on-apple: { host: mac, runtime: apple, image: docker.io/library/alpine:3.20 }

            """)
        #expect(plan.change("containers.on-podman")?.provider == "podman")
        #expect(plan.change("containers.on-apple")?.provider == "apple-container")
        #expect(podman.observed.addresses.withLock { $0 } == ["containers.on-podman"])
        #expect(stack.fake.callArgvs.count == 3, "the Apple provider observed only its own container")
        #expect(await stack.apply(plan).succeeded)
        #expect(stack.fake.containers.map(\.id) == ["on-apple"])
    }
}
