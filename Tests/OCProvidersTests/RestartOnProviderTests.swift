import Foundation
import OCAppleContainer
import OCCLI
import OCContainerModel
import OCCore
import OCPodman
import OCTestSupport
import Testing

/// What a restart is for each container runtime (`restartOn`), and what the full catalog accepts.
@Suite struct RestartOnProviderTests {
    static func container(_ action: Action, before: String?, after: String, section: String = "containers") -> Change {
        Change(
            address: Address(section, "proxy"), provider: "podman", host: .local, action: action, cause: nil,
            before: before.map { ["state": .string($0)] }, after: ["state": .string(after)],
            triggeredBy: ["files.squid-conf"])
    }

    static let context = ChangeContext(stack: "lab", host: .local, privateState: nil)

    @Test func podmanRestartsARunningContainerInPlace() throws {
        let provider = PodmanProvider()
        let restart = try provider.restartCommands(
            for: Self.container(.noop, before: "running", after: "running"), context: Self.context)
        #expect(restart?.map(\.argv) == [["podman", "restart", "--time", "10", "--", "proxy"]])
        #expect(restart?.allSatisfy(\.mutating) == true)
        // Paused is still running: it is restarted too.
        #expect(
            try provider.restartCommands(
                for: Self.container(.update, before: "paused", after: "running"), context: Self.context)?.count == 1)
        // --show-commands: the action's commands (none for a no-op), then the restart.
        let shown = Session.preview(
            Self.container(.noop, before: "running", after: "running"), stack: "lab",
            registry: ProviderRegistry([provider]))
        #expect(
            shown.compactMap { line -> [String]? in
                if case .command(let command) = line { return command.argv }
                return nil
            } == [["podman", "restart", "--time", "10", "--", "proxy"]])
    }

    @Test func podmanRestartsNothingThatIsNotRunning() throws {
        let provider = PodmanProvider()
        // Kept stopped: it reads the new file when it starts.
        #expect(
            try provider.restartCommands(
                for: Self.container(.noop, before: "stopped", after: "stopped"), context: Self.context) == [])
        // Started by the update itself.
        #expect(
            try provider.restartCommands(
                for: Self.container(.update, before: "stopped", after: "running"), context: Self.context) == [])
        // Networks, volumes and images have no restart.
        for section in ["networks", "volumes", "images"] {
            #expect(
                try provider.restartCommands(
                    for: Self.container(.noop, before: "running", after: "running", section: section),
                    context: Self.context) == nil)
        }
    }

    @Test func appleContainerRestartIsStopThenStart() throws {
        let commands = try AppleContainerProvider().restartCommands(
            for: Self.container(.noop, before: "running", after: "running"), context: Self.context)
        #expect(commands?.map(\.argv) == [["container", "stop", "proxy"], ["container", "start", "proxy"]])
        #expect(
            try AppleContainerProvider().restartCommands(
                for: Self.container(.noop, before: "stopped", after: "stopped"), context: Self.context) == [])
    }

    /// Through the engine against the fake `container` CLI: a changed trigger (a thing in memory standing in for
    /// the proxy's configuration file) restarts the running container with stop and start, and the container is
    /// the same one afterwards.
    @Test func appleContainerRestartKeepsTheContainer() async throws {
        let world = InMemoryWorld()
        let fake = FakeAppleContainerCLI()
        let harness = try EngineHarness(
            header: "hosts:\n  mac: { transport: local, os: macos }\n",
            catalog: SpecCatalog([ContainerSpec.self, ThingSpec.self]),
            providers: [AppleContainerProvider(), InMemoryProvider(world: world)], runner: fake)
        func manifest(_ conf: String) -> String {
            "things:\n  squid-conf: { host: mac, value: \(conf) }\ncontainers:\n  proxy:\n    host: mac\n"
                + "    runtime: apple\n    image: docker.io/ubuntu/squid:6.6\n    restartOn: [things.squid-conf]\n"
        }
        try await harness.converge(manifest("one"))
        let before = try #require(fake.container("proxy"))
        #expect(before.running)

        let plan = try await harness.plan(manifest("two"))
        #expect(plan.change("containers.proxy")?.triggeredBy == ["things.squid-conf"])
        #expect(plan.change("containers.proxy")?.action == .noop)
        fake.resetCalls()
        let report = await harness.apply(plan)
        #expect(report.succeeded, "\(report.failed.map(\.error))")
        #expect(fake.mutatingCalls.map(\.argv) == [["container", "stop", "proxy"], ["container", "start", "proxy"]])
        #expect(fake.container("proxy") == before)
        #expect(try await !harness.plan(manifest("two")).hasChanges)
    }

    @Test func theCatalogAcceptsRestartOnOnContainersOnly() async throws {
        let harness = try EngineHarness(catalog: StandardProviders.catalog, providers: [], runner: ScriptedRunner())
        let (manifest, diagnostics) = try await harness.load(
            """
            files:
              squid-conf: { path: /tmp/ocplan-restart-test/squid.conf, content: "x\\n" }
              other: { path: /tmp/ocplan-restart-test/other, content: "y\\n", restartOn: [files.squid-conf] }
            containers:
              proxy:
                image: docker.io/ubuntu/squid:6.6
                restartOn: [files.squid-cnof]

            """)
        #expect(manifest == nil)
        let errors = diagnostics.items.filter { $0.severity == .error }
        #expect(errors.count == 2, "\(errors)")
        let file = try #require(errors.first { $0.summary.hasPrefix("files cannot be restarted") })
        #expect(file.detail?.hasPrefix("containers can be restarted; files cannot.") == true, "\(file.detail ?? "")")
        #expect(file.location?.line == 5)
        let typo = try #require(errors.first { $0.summary.hasPrefix("restartOn names undeclared resource") })
        #expect(typo.summary.contains("did you mean 'files.squid-conf'?"))
        #expect(typo.location?.line == 9)
    }
}
