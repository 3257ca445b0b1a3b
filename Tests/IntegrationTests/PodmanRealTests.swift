import Foundation
import OCContainerModel
import OCCore
import OCPodman
import OCTestSupport
import Testing

/// The Podman provider for real, driven through the engine: every object lives in the shared Podman store
/// under a unique prefix and is removed afterwards (``withPodmanStack(_:)``).
@Suite(.serialized, .enabled(if: PodmanFixture.isSupported)) struct PodmanRealTests {
    /// A manifest with an internal network, a volume, the test image as an `images` resource, and containers.
    struct Lab {
        let stack: PodmanStack
        let subnet: String
        let base: Int

        init(_ stack: PodmanStack) async throws {
            self.stack = stack
            subnet = try await PodmanFixture.freeSubnet()
            base = Int.random(in: 20_000...29_000)
        }

        /// `10.x.y.N` inside the subnet.
        func address(_ host: Int) -> String {
            subnet.replacingOccurrences(of: ".0/24", with: ".\(host)")
        }

        var gateway: String { address(1) }

        func name(_ short: String) -> String { stack.name(short) }

        var images: String {
            """
            images:
              \(name("img")):
                reference: \(stack.image)
                pull: never

            """
        }

        func network(subnet: String? = nil) -> String {
            """
            networks:
              \(name("int")):
                internal: true
                subnet: \(subnet ?? self.subnet)
                labels: { purpose: test }

            """
        }

        var volume: String {
            """
            volumes:
              \(name("data")):
                labels: { purpose: test }

            """
        }

        /// A container using every field Podman 4.3 supports.
        func full(env value: String = "bar") -> String {
            let idle = PodmanFixture.idleCommand.map { "\"\($0)\"" }.joined(separator: ", ")
            return """
                  \(name("full")):
                    image: \(name("img"))
                    entrypoint: ["sh", "-c"]
                    command: ["trap 'exit 0' TERM; while true; do sleep 1; done"]
                    env: { FOO: \(value), SPACEY: "a b", PATH: /bin }
                    envFiles: [app.env]
                    networks:
                      \(name("int")): { aliases: [web, www], ipv4: \(address(10)) }
                      podman: {}
                    ports:
                      - 127.0.0.1:\(base):8080
                      - 127.0.0.1:\(base + 1):3478/udp
                      - 127.0.0.1:\(base + 2)-\(base + 4):8100-8102
                    addHosts: ["host.containers.internal:host-gateway", "db.internal:\(address(5))"]
                    capDrop: [all]
                    capAdd: [net_bind_service, CAP_CHOWN]
                    readOnly: true
                    user: "1000:1000"
                    volumes:
                      - \(name("data")):/data
                      - ./bind:/bind:ro
                    tmpfs: [/run/x:size=64k, /scratch]
                    restart: on-failure:3
                    labels: { app: web }
                    healthcheck: { test: [sh, -c, "true"], interval: 1m, timeout: 5s, retries: 2, startPeriod: 1s }
                    securityOpt: [no-new-privileges]
                    workdir: /tmp/
                    dns: [\(gateway)]
                    memory: 64m
                    cpus: 0.5
                    ulimits: { nofile: "512:1024", core: 0 }
                  \(name("idle")):
                    image: \(stack.image)
                    command: [\(idle)]
                    networks: [\(name("int"))]
                    state: stopped

                """
        }

        func simple(_ short: String, env value: String = "one", networks: String? = nil) -> String {
            let idle = PodmanFixture.idleCommand.map { "\"\($0)\"" }.joined(separator: ", ")
            return """
                  \(name(short)):
                    image: \(stack.image)
                    command: [\(idle)]
                    networks: \(networks ?? "[\(name("int"))]")
                    env: { VALUE: \(value) }
                    capDrop: [ALL]

                """
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func applyFromEmptyThenTheSecondPlanIsEmptyForEveryField() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            try stack.manifestDirectory.write("FROMFILE=yes\n# a comment\nFOO=from-file\n", to: "app.env")
            try stack.manifestDirectory.write("hello\n", to: "bind/f.txt")
            let manifest = lab.images + lab.network() + lab.volume + "containers:\n" + lab.full()

            let first = try await stack.plan(manifest)
            #expect(
                Set(first.actions.map(\.address)) == [
                    Address("networks", lab.name("int")), Address("volumes", lab.name("data")),
                    Address("containers", lab.name("full")), Address("containers", lab.name("idle")),
                ])
            #expect(first.change(Address("images", lab.name("img")))?.action == .noop, "the image exists already")
            #expect(first.actions.allSatisfy { $0.action == .create && $0.cause == .manifest })
            await stack.apply(first)

            // The second plan is empty, and field by field the observed tree equals the desired one.
            let second = try await stack.plan(manifest)
            #expect(second.actions.map(\.address) == [], "\(second.actions.map { ($0.address, $0.attributes) })")
            let full = try #require(second.change(Address("containers", lab.name("full"))))
            let observed = try #require(full.before)
            let desired = try #require(full.after)
            for key in try #require(desired.mapValue?.keys).sorted() where key != PodmanTree.Container.networkOrder {
                #expect(observed[key] == desired[key], "\(key): observed \(observed[key]) desired \(desired[key])")
            }
            #expect(desired["env"]["FOO"] == "bar", "env overrides the env file")
            #expect(desired["env"]["FROMFILE"] == "yes")
            #expect(desired["ulimits"] == ["nofile": "512:1024", "core": "0:0", "nproc": "4096:4096"])
            #expect(second.change(Address("containers", lab.name("idle")))?.before?["state"] == "stopped")

            // What Podman did with the spec.
            let name = lab.name("full")
            #expect(try await stack.inspect(name, "{{.State.Status}}") == "running")
            #expect(try await stack.inspect(lab.name("idle"), "{{.State.Status}}") == "created")
            let hosts = try await PodmanFixture.podmanOutput(["exec", name, "cat", "/etc/hosts"])
            #expect(hosts.contains("\(lab.gateway)\thost.containers.internal"), "host-gateway → the gateway: \(hosts)")
            #expect(hosts.contains("\(lab.address(5))\tdb.internal"))
            let env = try await PodmanFixture.podmanOutput(["exec", name, "env"])
            #expect(env.contains("SPACEY=a b"))
            #expect(
                try await stack.inspect(name, "{{.Config.Labels}}").contains("\(PodmanLabels.stack):\(stack.prefix)"))
            let ip = try await stack.inspect(
                name, "{{(index .NetworkSettings.Networks \"\(lab.name("int"))\").IPAddress}}")
            #expect(ip == lab.address(10))
            #expect(try await stack.inspect(name, "{{.EffectiveCaps}}").contains("CAP_NET_BIND_SERVICE"))
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func changingOneEnvValueReplacesOnlyThatContainer() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            let manifest = { (value: String) in
                lab.network() + "containers:\n" + lab.simple("a", env: value) + lab.simple("b")
            }
            try await stack.converge(manifest("one"))
            let a = try await stack.containerID(lab.name("a"))
            let b = try await stack.containerID(lab.name("b"))

            let edited = try await stack.plan(manifest("two"))
            #expect(edited.actions.map(\.address) == [Address("containers", lab.name("a"))])
            let change = try #require(edited.actions.first)
            #expect(change.action == .replace)
            #expect(change.cause == .manifest)
            #expect(change.replaceReasons == [ValuePath("env.VALUE")])
            await stack.apply(edited)
            #expect(try await stack.containerID(lab.name("a")) != a)
            #expect(try await stack.containerID(lab.name("b")) == b)
            #expect(try await stack.plan(manifest("two")).actions.isEmpty)
            // Values are compared case-sensitively.
            #expect(try await stack.plan(manifest("Two")).actions.map(\.action) == [.replace])
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func removingAContainerDeletesItAndLeavesTheOthers() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            try await stack.converge(lab.network() + "containers:\n" + lab.simple("a") + lab.simple("b"))
            let b = try await stack.containerID(lab.name("b"))

            let removed = try await stack.plan(lab.network() + "containers:\n" + lab.simple("b"))
            #expect(removed.actions.map(\.address) == [Address("containers", lab.name("a"))])
            #expect(removed.actions.map(\.action) == [.delete])
            await stack.apply(removed)
            #expect(try await stack.containerID(lab.name("a")) == nil)
            #expect(try await stack.containerID(lab.name("b")) == b)
            #expect(await stack.journal.entries[Address("containers", lab.name("a"))] == nil)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func stopAndRemoveByHandAreDriftThatApplyHeals() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            let manifest = lab.network() + "containers:\n" + lab.simple("a")
            try await stack.converge(manifest)
            let name = lab.name("a")

            try await PodmanFixture.podmanOutput(["stop", name])
            let stopped = try await stack.plan(manifest)
            let start = try #require(stopped.actions.first)
            #expect(start.action == .update)
            #expect(start.cause == .drift)
            #expect(start.attributes.map(\.path) == [ValuePath("state")])
            let id = try await stack.containerID(name)
            await stack.apply(stopped)
            #expect(try await stack.inspect(name, "{{.State.Status}}") == "running")
            #expect(try await stack.containerID(name) == id, "started in place")

            try await PodmanFixture.podmanOutput(["rm", "--force", "--time", "0", name])
            let gone = try await stack.plan(manifest)
            #expect(gone.actions.map(\.action) == [.create])
            #expect(gone.actions.map(\.cause) == [.drift])
            await stack.apply(gone)
            #expect(try await stack.inspect(name, "{{.State.Status}}") == "running")
            #expect(try await stack.plan(manifest).actions.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func anUnmanagedContainerWithAManagedNameIsAPlanErrorAndIsLeftAlone() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            let name = lab.name("a")
            let id = try await PodmanFixture.podmanOutput(
                ["create", "--name", name, "--label", "\(PodmanFixture.testLabel)=\(stack.prefix)", stack.image]
                    + PodmanFixture.idleCommand
            ).trimmingCharacters(in: .whitespacesAndNewlines)

            let (plan, diagnostics) = try await stack.tryPlan(lab.network() + "containers:\n" + lab.simple("a"))
            #expect(plan == nil)
            let error = try #require(diagnostics.errors.first)
            #expect(error.summary.contains("containers.\(name) already exists on local"))
            #expect(error.detail?.contains("--adopt containers.\(name)") == true)
            #expect(error.detail?.contains("was not created by ocplan") == true)
            #expect(try await stack.containerID(name) == id)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func replacingANetworkRecreatesItsContainersAfterIt() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            let manifest = { (subnet: String) in lab.network(subnet: subnet) + "containers:\n" + lab.simple("a") }
            try await stack.converge(manifest(lab.subnet))
            let container = try await stack.containerID(lab.name("a"))
            let network = try await PodmanFixture.podmanOutput([
                "network", "inspect", "--format", "{{.ID}}", lab.name("int"),
            ])

            let other = try await PodmanFixture.freeSubnet()
            let replaced = try await stack.plan(manifest(other))
            #expect(
                replaced.actions.map(\.address) == [
                    Address("networks", lab.name("int")), Address("containers", lab.name("a")),
                ])
            #expect(replaced.actions.map(\.action) == [.replace, .replace])
            #expect(
                replaced.actions.last?.notes.contains { $0.contains("networks.\(lab.name("int")) is replaced") } == true
            )
            await stack.apply(replaced)
            #expect(try await stack.containerID(lab.name("a")) != container)
            #expect(
                try await PodmanFixture.podmanOutput(["network", "inspect", "--format", "{{.ID}}", lab.name("int")])
                    != network)
            let address = try await stack.inspect(
                lab.name("a"), "{{(index .NetworkSettings.Networks \"\(lab.name("int"))\").IPAddress}}")
            #expect(Formats.CIDRBlock(other)?.contains(try #require(Formats.IPAddress(address))) == true)
            #expect(try await stack.plan(manifest(other)).actions.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func joiningAndLeavingANetworkHappensInPlace() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            let before = lab.network() + "containers:\n" + lab.simple("a")
            try await stack.converge(before)
            let id = try await stack.containerID(lab.name("a"))

            let joined =
                lab.network() + "containers:\n"
                + lab.simple("a", networks: "{ \(lab.name("int")): { aliases: [app] }, podman: {} }")
            let plan = try await stack.plan(joined)
            #expect(plan.actions.map(\.action) == [.update])
            let commands = try PodmanProvider().commands(
                for: try #require(plan.actions.first),
                context: ChangeContext(stack: stack.prefix, host: .local, privateState: nil))
            #expect(
                commands.map(\.argv) == [
                    ["podman", "network", "disconnect", lab.name("int"), lab.name("a")],
                    ["podman", "network", "connect", "--alias", "app", lab.name("int"), lab.name("a")],
                    ["podman", "network", "connect", "podman", lab.name("a")],
                ])
            await stack.apply(plan)
            #expect(try await stack.containerID(lab.name("a")) == id)
            #expect(try await stack.plan(joined).actions.isEmpty)

            let left = try await stack.plan(before)
            #expect(left.actions.map(\.action) == [.update])
            await stack.apply(left)
            #expect(try await stack.containerID(lab.name("a")) == id)
            #expect(try await stack.plan(before).actions.isEmpty)
        }
    }

    /// Removing a network and moving its last container off it, in one run: the network's destroy waits for
    /// the container's in-place disconnect (the container depended on it at the last apply).
    @Test(.timeLimit(.minutes(5)))
    func aNetworkIsRemovedOnlyAfterItsLastContainerLeavesIt() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            try await stack.converge(lab.network() + "containers:\n" + lab.simple("a"))
            let id = try await stack.containerID(lab.name("a"))

            let plan = try await stack.plan("containers:\n" + lab.simple("a", networks: "[podman]"))
            #expect(
                plan.actions.map { "\($0.address) \($0.action)" }.sorted() == [
                    "containers.\(lab.name("a")) update", "networks.\(lab.name("int")) delete",
                ])
            let update = try #require(plan.change(Address("containers", lab.name("a"))))
            #expect(update.formerDependencies.contains(Address("networks", lab.name("int"))))
            await stack.apply(plan)
            #expect(try await stack.containerID(lab.name("a")) == id, "left the network in place")
            let gone = try await PodmanFixture.podman(["network", "exists", lab.name("int")])
            #expect(gone.exitStatus == 1, "the network is gone")
            #expect(try await stack.plan("containers:\n" + lab.simple("a", networks: "[podman]")).actions.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aContainerOnANetworkThatDoesNotExistIsAPlanError() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            // A name close to no declared network (a close one, `podmn`, is refused by validation already, with
            // the same suggestion): only the host can tell that it exists nowhere.
            let missing = lab.name("elsewhere")
            let (plan, diagnostics) = try await stack.tryPlan(
                "containers:\n" + lab.simple("a", networks: "[\(missing)]"))
            #expect(plan == nil)
            let error = try #require(diagnostics.errors.first)
            #expect(
                error.summary.contains("containers.\(lab.name("a")) joins network '\(missing)'"), "\(error.summary)")
            #expect(error.summary.contains("which does not exist on local"), "\(error.summary)")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aRebuiltImageReplacesItsContainersAfterIt() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            let built = "localhost/\(lab.name("built")):1"
            let containerfile = { (greeting: String) in
                // The test label first, so every image the build makes (intermediate ones too) carries it.
                "FROM \(stack.image)\nLABEL \(PodmanFixture.testLabel)=\(stack.prefix)\n"
                    + "RUN echo \(greeting) > /greeting\nLABEL app=built\n"
            }
            try stack.manifestDirectory.write(containerfile("hello"), to: "app/Containerfile")
            let manifest = """
                images:
                  \(lab.name("built")):
                    reference: \(built)
                    pull: never
                    build: { context: ./app, args: { UNUSED: "1" } }
                containers:
                  \(lab.name("a")):
                    image: \(lab.name("built"))
                    command: [\(PodmanFixture.idleCommand.map { "\"\($0)\"" }.joined(separator: ", "))]

                """
            let first = try await stack.plan(manifest)
            #expect(first.actions.map(\.action) == [.create, .create])
            await stack.apply(first)
            #expect(try await PodmanFixture.podmanOutput(["exec", lab.name("a"), "cat", "/greeting"]) == "hello\n")
            #expect(try await stack.plan(manifest).actions.isEmpty)

            try stack.manifestDirectory.write(containerfile("again"), to: "app/Containerfile")
            let rebuilt = try await stack.plan(manifest)
            #expect(
                rebuilt.actions.map(\.address) == [
                    Address("images", lab.name("built")), Address("containers", lab.name("a")),
                ])
            #expect(rebuilt.actions.map(\.action) == [.replace, .replace])
            #expect(rebuilt.actions.first?.replaceReasons == [ValuePath("buildHash")])
            await stack.apply(rebuilt)
            #expect(try await PodmanFixture.podmanOutput(["exec", lab.name("a"), "cat", "/greeting"]) == "again\n")
            #expect(try await stack.plan(manifest).actions.isEmpty)

            // A rebuild by hand (a new image ID under the same reference) is drift that replaces the container.
            try await PodmanFixture.podmanOutput(
                [
                    "build", "--pull=never", "-q", "-t", built, "-f",
                    stack.manifestDirectory.path + "/app/Containerfile",
                    "--label", "other=1", stack.manifestDirectory.path + "/app",
                ])
            let drifted = try await stack.plan(manifest)
            let container = try #require(drifted.change(Address("containers", lab.name("a"))))
            #expect(container.action == .replace)
            #expect(container.attributes.map(\.path).contains(ValuePath("imageCurrent")))
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aDestroyDeletesAVolumeOnlyWhenItsSpecSaysDeleteData() async throws {
        try await withPodmanStack { stack in
            let lab = try await Lab(stack)
            let manifest = { (deleteData: Bool) in
                lab.network() + """
                    volumes:
                      \(lab.name("data")): { deleteData: \(deleteData) }
                    containers:

                    """ + lab.simple("a")
            }
            try await stack.converge(manifest(false))
            let destroy = try await stack.plan(manifest(false), options: PlanOptions(destroy: true))
            #expect(destroy.actions.map(\.action) == [.delete, .delete, .delete])
            // The plan says it is kept (a forget), and the apply keeps it without failing.
            let kept = try #require(destroy.change(Address("volumes", lab.name("data"))))
            #expect(kept.forgets)
            #expect(kept.reason == .kept("deleteData: true is not applied"))
            #expect(destroy.forgetCount == 1)
            let report = await stack.apply(destroy)
            #expect(report.succeeded)
            #expect(try await PodmanFixture.podman(["volume", "exists", lab.name("data")]).succeeded)
            #expect(try await stack.containerID(lab.name("a")) == nil)
            #expect(await stack.journal.entries[Address("volumes", lab.name("data"))] == nil, "forgotten")

            // Removed from the manifest while the stack manages it: a plan error that says how to delete it.
            try await stack.converge(manifest(false))
            let (removed, diagnostics) = try await stack.tryPlan(lab.network())
            #expect(removed == nil)
            #expect(diagnostics.errors.first?.summary.contains("was removed from the manifest") == true)
            #expect(try await PodmanFixture.podman(["volume", "exists", lab.name("data")]).succeeded)

            // deleteData: true is applied in place (nothing runs), then a destroy deletes the volume.
            let allowed = try await stack.plan(manifest(true))
            #expect(allowed.change(Address("volumes", lab.name("data")))?.action == .update)
            await stack.apply(allowed)
            let deleting = try await stack.plan(
                manifest(true), options: PlanOptions(targets: [Address("volumes", lab.name("data"))], destroy: true))
            await stack.apply(deleting)
            #expect(try await PodmanFixture.podman(["volume", "exists", lab.name("data")]).exitStatus == 1)
        }
    }
}
