import Foundation
import Logging
import OCContainerModel
import OCCore
import OCTestSupport
import Testing

@testable import OCPodman

/// The mutating argv of each kind of change, and how apply runs them.
@Suite struct PodmanCommandsTests {
    static let full = PodmanFixtures.address("containers", "full")
    static let idle = PodmanFixtures.address("containers", "idle")
    static let network = PodmanFixtures.address("networks", "int")
    static let volume = PodmanFixtures.address("volumes", "data")

    static func commands(_ change: Change, privateState: Value? = nil) throws -> [[String]] {
        PodmanFixtures.argv(
            try PodmanProvider().commands(for: change, context: PodmanFixtures.context(privateState: privateState)))
    }

    static func apply(_ change: Change, runner: any CommandRunner) async throws -> ApplyResponse {
        try await PodmanProvider().apply(
            ApplyRequest(
                stack: PodmanFixtures.stack, host: PodmanFixtures.host, runner: runner, change: change,
                logger: Logger(label: "podman")))
    }

    // MARK: - Creating

    @Test func createsANetworkWithItsSettingsAndOwnershipLabels() async throws {
        let tree = try await PodmanFixtures.desired(Self.network)
        let argv = try Self.commands(PodmanFixtures.change(Self.network, .create, before: nil, after: tree))
        #expect(
            argv == [
                [
                    "podman", "network", "create", "--internal", "--subnet", "10.199.77.0/24", "--gateway",
                    "10.199.77.1", "--label", "io.ocplan.stack=ocplan-t-fixture0", "--label",
                    "io.ocplan.address=networks.ocplan-t-fixture0-int", "--label",
                    "io.ocplan.spec-hash=\(PodmanLabels.hash(tree))", "--label", "purpose=test",
                    "ocplan-t-fixture0-int",
                ]
            ])
        let v6: Value = [
            "owner": "s", "driver": "macvlan", "internal": false, "subnet": nil, "gateway": nil, "ipv6": true,
            "ipv6Subnet": "fd00:1::/64", "dns": false, "labels": [:], "options": ["parent": "eth0"],
        ]
        let macvlan = try #require(
            try Self.commands(PodmanFixtures.change(Address("networks", "mv"), .create, before: nil, after: v6)).first)
        #expect(
            Array(macvlan.prefix(10)) == [
                "podman", "network", "create", "--driver", "macvlan", "--ipv6", "--subnet", "fd00:1::/64",
                "--disable-dns", "--opt",
            ])
    }

    @Test func anIPRangeIsCreatedAsItsBlockAndReadBackFromTheLeaseRange() throws {
        let tree = PodmanDesiredState.network(
            NetworkSpec(subnet: "10.199.78.0/24", ipRange: "10.199.78.128/25"), stack: "s")
        let argv = PodmanCommands.createNetwork("n", tree: tree, marks: []).argv
        #expect(argv.joined(separator: " ").contains("--gateway 10.199.78.1 --ip-range 10.199.78.128/25"))
        // What Podman 4.3.1 reports for `--ip-range 10.199.78.128/25` and for a range that is no block.
        #expect(PodmanTree.block(first: "10.199.78.129", last: "10.199.78.255") == "10.199.78.128/25")
        #expect(PodmanTree.block(first: "10.199.78.1", last: "10.199.78.255") == "10.199.78.0/24")
        #expect(PodmanTree.block(first: "10.199.78.10", last: "10.199.78.20") == "10.199.78.10-10.199.78.20")
    }

    @Test func createsAVolumeWithoutTheDeleteDataPolicyInItsHash() async throws {
        let tree = try await PodmanFixtures.desired(Self.volume)
        let argv = try Self.commands(PodmanFixtures.change(Self.volume, .create, before: nil, after: tree))
        #expect(argv.count == 1)
        #expect(argv.first?.prefix(3) == ["podman", "volume", "create"])
        #expect(argv.first?.last == "ocplan-t-fixture0-data")
        #expect(argv.first?.contains("purpose=test") == true)
        var flipped = tree
        flipped["deleteData"] = true
        #expect(try Self.commands(PodmanFixtures.change(Self.volume, .create, before: nil, after: flipped)) == argv)
        // An adopted volume (found, not created) is taken over as it is.
        #expect(try Self.commands(PodmanFixtures.change(Self.volume, .create, before: tree, after: tree)).isEmpty)
    }

    @Test func createsAContainerWithEveryFieldAndStartsItInOneCommand() async throws {
        let tree = try await PodmanFixtures.desired(Self.full)
        let argv = try Self.commands(PodmanFixtures.change(Self.full, .create, before: nil, after: tree))
        let hash = PodmanDesiredState.containerHash(tree)
        #expect(
            argv == [
                [
                    "podman", "run", "--detach", "--name", "ocplan-t-fixture0-full",
                    "--label", "io.ocplan.stack=ocplan-t-fixture0",
                    "--label", "io.ocplan.address=containers.ocplan-t-fixture0-full",
                    "--label", "io.ocplan.spec-hash=\(hash)", "--label", "app=web",
                    "--network", "ocplan-t-fixture0-int:alias=web,alias=www,ip=10.199.77.10", "--network", "podman",
                    "-p", "127.0.0.1:28080:8080/tcp", "-p", "127.0.0.1:28081:3478/udp", "-p",
                    "127.0.0.1:28100:8100/tcp",
                    "-p", "127.0.0.1:28101:8101/tcp", "-p", "127.0.0.1:28102:8102/tcp",
                    "--add-host", "host.containers.internal:host-gateway", "--add-host", "db.internal:10.199.77.5",
                    "--cap-drop", "ALL", "--cap-add", "CAP_CHOWN", "--cap-add", "CAP_NET_BIND_SERVICE",
                    "--read-only", "--user", "1000:1000", "--workdir", "/tmp",
                    "--volume", "ocplan-t-fixture0-data:/data", "--volume", "/etc:/host-etc:ro",
                    "--tmpfs", "/run/x:size=64k", "--tmpfs", "/scratch", "--restart", "on-failure:3",
                    "--health-cmd", "[\"sh\",\"-c\",\"true\"]", "--health-interval", "60s", "--health-timeout", "5s",
                    "--health-retries", "2", "--health-start-period", "1s",
                    "--security-opt", "no-new-privileges", "--dns", "10.199.77.1", "--memory", "67108864",
                    "--cpus", "0.5", "--ulimit", "core=0:0", "--ulimit", "nofile=512:1024", "--ulimit",
                    "nproc=4096:4096", "--stop-timeout", "10", "--env-file", "/dev/stdin", "--entrypoint",
                    "[\"sh\",\"-c\"]",
                    "--", "localhost/ocplan-busybox:ocplan-t-fixture0",
                    "trap 'exit 0' TERM; while true; do sleep 1; done",
                ]
            ])
        // Environment values travel on standard input as an env file, never in argv (`ps` shows argv to all).
        let create = try #require(
            try PodmanProvider().commands(
                for: PodmanFixtures.change(Self.full, .create, before: nil, after: tree),
                context: PodmanFixtures.context(privateState: nil)
            ).first)
        #expect(
            create.stdin.map { String(decoding: $0, as: UTF8.self) } == "FOO=bar\nFROMFILE=yes\nPATH=/bin\nSPACEY=a b\n"
        )
        #expect(!create.argv.contains { $0.contains("FOO=bar") })
        // The recorded container carries exactly that hash: the fixture was created by these commands.
        #expect(try PodmanFixtures.container("full").config?.labels?[PodmanLabels.specHash] == hash)
        let stopped = try await PodmanFixtures.desired(Self.idle)
        let idle = try Self.commands(PodmanFixtures.change(Self.idle, .create, before: nil, after: stopped))
        #expect(idle.map { $0[1] } == ["create"], "state: stopped is created and not started")
    }

    @Test func processFieldsReachTheCreateArgvAndTheStopWait() async throws {
        let tree = try await PodmanFixtures.desired(Self.full) {
            $0.replacingOccurrences(
                of: "cpus: 0.5",
                with: "cpus: 0.5\n    privileged: true\n    hostname: web\n    stopSignal: INT\n    stopTimeout: 3\n"
                    + "    tty: true\n    shmSize: 1g\n    pidsLimit: -1\n    groupAdd: [wheel, \"10\"]\n"
                    + "    sysctls: { net.ipv4.ip_forward: 1, kernel.shmmax: 65536 }")
        }
        let argv = try #require(
            try Self.commands(PodmanFixtures.change(Self.full, .create, before: nil, after: tree)).first)
        let options = Array(argv[..<(argv.firstIndex(of: "--") ?? argv.endIndex)])
        for expected in [
            ["--privileged", "--hostname", "web", "--stop-signal", "2", "--stop-timeout", "3", "--tty"],
            ["--shm-size", "1073741824b", "--pids-limit", "0", "--group-add", "10", "--group-add", "wheel"],
            ["--sysctl", "kernel.shmmax=65536", "--sysctl", "net.ipv4.ip_forward=1"],
        ] {
            #expect(options.joined(separator: " ").contains(expected.joined(separator: " ")), "\(options)")
        }
        // A running container with stopTimeout 3 is stopped, restarted and removed with that wait.
        #expect(
            try Self.commands(PodmanFixtures.change(Self.full, .delete, before: tree, after: nil)) == [
                ["podman", "rm", "--force", "--ignore", "--time", "3", "--", "ocplan-t-fixture0-full"]
            ])
        var stopped = tree
        stopped["state"] = "stopped"
        #expect(
            try Self.commands(PodmanFixtures.change(Self.full, .update, before: tree, after: stopped)) == [
                ["podman", "stop", "--time", "3", "--", "ocplan-t-fixture0-full"]
            ])
        // Only a container that sets sysctls has them in its hash (older containers keep theirs).
        #expect(PodmanDesiredState.hashedFields(ofContainer: tree)["sysctls"]["net.ipv4.ip_forward"] == "1")
        #expect(
            PodmanDesiredState.hashedFields(ofContainer: try await PodmanFixtures.desired(Self.full))["sysctls"].isNull)
        #expect(PodmanCommands.restart("web", seconds: 3).argv == ["podman", "restart", "--time", "3", "--", "web"])
    }

    // MARK: - Updating, replacing, deleting

    @Test func networkAndStateChangesHappenInPlace() async throws {
        let tree = try await PodmanFixtures.desired(Self.full)
        var after = tree
        after["networks"]["ocplan-t-fixture0-int"]["aliases"] = ["web"]
        after["networks"]["podman"] = nil
        after["networks"]["extra"] = ["aliases": [], "ipv4": nil, "ipv6": nil]
        after["networkOrder"] = ["ocplan-t-fixture0-int", "extra"]
        after["state"] = "stopped"
        let argv = try Self.commands(PodmanFixtures.change(Self.full, .update, before: tree, after: after))
        #expect(
            argv == [
                ["podman", "network", "disconnect", "ocplan-t-fixture0-int", "ocplan-t-fixture0-full"],
                ["podman", "network", "disconnect", "podman", "ocplan-t-fixture0-full"],
                [
                    "podman", "network", "connect", "--alias", "web", "--ip", "10.199.77.10", "ocplan-t-fixture0-int",
                    "ocplan-t-fixture0-full",
                ],
                ["podman", "network", "connect", "extra", "ocplan-t-fixture0-full"],
                ["podman", "stop", "--time", "10", "--", "ocplan-t-fixture0-full"],
            ])
        var paused = tree
        paused["state"] = "paused"
        #expect(
            try Self.commands(PodmanFixtures.change(Self.full, .update, before: paused, after: tree)) == [
                ["podman", "unpause", "ocplan-t-fixture0-full"]
            ])
    }

    @Test func replaceRemovesThenCreatesAndDeleteRemoves() async throws {
        let tree = try await PodmanFixtures.desired(Self.full)
        var before = tree
        before["env"]["FOO"] = "old"
        let replace = try Self.commands(PodmanFixtures.change(Self.full, .replace, before: before, after: tree))
        #expect(
            replace.map { Array($0.prefix(3)) } == [
                ["podman", "rm", "--force"], ["podman", "run", "--detach"],
            ])
        #expect(
            replace.first == ["podman", "rm", "--force", "--ignore", "--time", "10", "--", "ocplan-t-fixture0-full"])
        #expect(
            try Self.commands(PodmanFixtures.change(Self.full, .delete, before: tree, after: nil)) == [
                ["podman", "rm", "--force", "--ignore", "--time", "10", "--", "ocplan-t-fixture0-full"]
            ])
        let network = try await PodmanFixtures.desired(Self.network)
        #expect(
            try Self.commands(PodmanFixtures.change(Self.network, .replace, before: network, after: network)).map {
                Array($0.prefix(3))
            } == [["podman", "network", "rm"], ["podman", "network", "create"]])
        #expect(try Self.commands(PodmanFixtures.change(Self.full, .noop, before: tree, after: tree)).isEmpty)
    }

    @Test func aVolumeIsDeletedOnlyWhenItsSpecSaysDeleteData() async throws {
        var tree = try await PodmanFixtures.desired(Self.volume)
        #expect(throws: OCError.self) {
            try Self.commands(PodmanFixtures.change(Self.volume, .delete, before: tree, after: nil))
        }
        // Reviewed at plan time as kept: a forget that runs nothing.
        var kept = PodmanFixtures.change(Self.volume, .delete, before: tree, after: nil)
        let review = PodmanProvider().review(kept, context: PodmanFixtures.context())
        #expect(review.reason == .kept("deleteData: true is not applied"))
        #expect(review.notes.first?.contains("set deleteData: true, apply, then destroy again") == true)
        #expect(review.refusals.isEmpty)
        kept.reason = review.reason
        #expect(kept.forgets)
        #expect(try Self.commands(kept).isEmpty)
        #expect(throws: OCError.self) {
            try Self.commands(PodmanFixtures.change(Self.volume, .replace, before: tree, after: tree))
        }
        tree["deleteData"] = true
        #expect(
            PodmanProvider().review(
                PodmanFixtures.change(Self.volume, .delete, before: tree, after: nil), context: PodmanFixtures.context()
            )
                == .none)
        #expect(
            try Self.commands(PodmanFixtures.change(Self.volume, .delete, before: tree, after: nil)) == [
                ["podman", "volume", "rm", "ocplan-t-fixture0-data"]
            ])
    }

    @Test func aVolumeRemovedFromTheManifestIsAPlanErrorAndDeleteDataIsAsApplied() async throws {
        let runner = try PodmanFixtures.runner()
        var applied = try await PodmanFixtures.desired(Self.volume)
        applied["deleteData"] = true
        let removed = try await PodmanFixtures.observe(
            [ObserveTarget(address: Self.volume, desired: nil, lastApplied: applied)], runner: runner)
        #expect(removed.observations[Self.volume]?.ownership == .ours)
        let error = try #require(removed.diagnostics.first)
        #expect(error.severity == .error)
        #expect(error.summary.contains("was removed from the manifest, but ocplan never deletes a volume then"))

        // deleteData is observed as last applied, so turning it on is an in-place update that runs nothing.
        var desired = applied
        desired["deleteData"] = true
        applied["deleteData"] = false
        let flipped = try await PodmanFixtures.observe(
            [ObserveTarget(address: Self.volume, desired: desired, lastApplied: applied)], runner: runner)
        let before = try #require(flipped.observations[Self.volume]?.value)
        let change = PodmanFixtures.change(Self.volume, .update, before: before, after: desired)
        #expect(change.attributes.map(\.path) == [ValuePath("deleteData")])
        #expect(!change.attributes.contains { $0.forcesReplace })
        #expect(try Self.commands(change).isEmpty)
        #expect(flipped.diagnostics.isEmpty)
        #expect(runner.mutatingCalls.isEmpty)
    }

    @Test func changingAVolumeIsRefusedAtPlanTime() async throws {
        let observed = try await PodmanFixtures.desired(Self.volume)
        var desired = observed
        desired["driver"] = "other"
        let change = PodmanFixtures.change(Self.volume, .replace, before: observed, after: desired)
        let review = PodmanProvider().review(change, context: PodmanFixtures.context())
        let refusal = try #require(review.refusals.first)
        #expect(refusal.contains("volumes.ocplan-t-fixture0-data would have to be replaced (driver cannot change)"))
        #expect(refusal.contains("ocplan never replaces a volume"))
    }

    // MARK: - Images

    @Test func imagesArePulledBuiltOrImportedAndOnlyRemovedWhenTheStackMadeThem() throws {
        let context = try TempDirectory(prefix: "ocplan-build")
        try context.write("FROM scratch\n", to: "Containerfile")
        let tarball = try context.write("not really a tar", to: "rootfs.tar")
        let built = try PodmanDesiredState.image(
            ImageSpec(
                reference: "localhost/app:1", pull: .never,
                build: .init(context: ".", file: "Containerfile", args: ["V": "1"], target: "run")),
            resolve: { $0 == "." ? context.path : context.path + "/" + $0 })
        let hash = try #require(built["buildHash"].stringValue)
        let address = Address("images", "app")
        #expect(
            try Self.commands(PodmanFixtures.change(address, .create, before: nil, after: built)) == [
                [
                    "podman", "build", "-t", "localhost/app:1", "-f", context.path + "/Containerfile", "--build-arg",
                    "V=1", "--target", "run", "--pull=never",
                    "--label", "io.ocplan.build-hash=\(hash)", context.path,
                ]
            ])
        try context.write("FROM scratch\nRUN true\n", to: "Containerfile")
        let rebuilt = try PodmanDesiredState.image(
            ImageSpec(
                reference: "localhost/app:1", pull: .never, build: .init(context: ".", args: ["V": "1"], target: "run")),
            resolve: { $0 == "." ? context.path : context.path + "/" + $0 })
        #expect(rebuilt["buildHash"] != built["buildHash"], "a changed Containerfile is a new image")

        let imported = try PodmanDesiredState.image(
            ImageSpec(reference: "localhost/root:1", pull: .never, importFrom: "rootfs.tar"),
            resolve: { context.path + "/" + $0 })
        #expect(imported["importHash"] == .string(ContentDigest.sha256(try Data(contentsOf: tarball))))
        #expect(
            try Self.commands(PodmanFixtures.change(address, .create, before: nil, after: imported)) == [
                [
                    "podman", "import", "--change",
                    "LABEL io.ocplan.import-hash=\(imported["importHash"].stringValue ?? "")",
                    tarball.path, "localhost/root:1",
                ]
            ])

        let pulled = try PodmanDesiredState.image(
            ImageSpec(reference: "docker.io/library/alpine:3.20"), resolve: { $0 })
        #expect(
            try Self.commands(PodmanFixtures.change(address, .create, before: nil, after: pulled)) == [
                ["podman", "pull", "docker.io/library/alpine:3.20"]
            ])
        #expect(try Self.commands(PodmanFixtures.change(address, .delete, before: pulled, after: nil)).isEmpty)
        #expect(
            try Self.commands(
                PodmanFixtures.change(address, .delete, before: pulled, after: nil), privateState: ["created": true]
            ) == [["podman", "image", "rm", "docker.io/library/alpine:3.20"]])
        var stale = pulled
        stale["current"] = false
        #expect(
            try Self.commands(PodmanFixtures.change(address, .update, before: stale, after: pulled)) == [
                ["podman", "pull", "docker.io/library/alpine:3.20"]
            ])
    }

    @Test func aMissingImageThatMustNotBePulledFailsWithAdvice() async throws {
        let tree = try await PodmanFixtures.desired(PodmanFixtures.address("images", "img"))
        let create = PodmanFixtures.change(PodmanFixtures.address("images", "img"), .create, before: nil, after: tree)
        let refusal = try #require(PodmanProvider().review(create, context: PodmanFixtures.context()).refusals.first)
        #expect(refusal.contains("pull: never forbids pulling it: build or load it there first (podman build -t"))
        var unknown = create
        unknown.fingerprint = "unreachable"
        #expect(PodmanProvider().review(unknown, context: PodmanFixtures.context()).refusals.isEmpty)
        let runner = ScriptedRunner()
        do {
            _ = try await Self.apply(
                PodmanFixtures.change(PodmanFixtures.address("images", "img"), .create, before: nil, after: tree),
                runner: runner)
            Issue.record("apply should fail")
        } catch let error as OCError {
            #expect(error.message.contains("pull: never forbids pulling it"))
        }
        #expect(runner.calls.isEmpty)
    }

    @Test func aDeleteOfAnImageTheStackDidNotMakeIsReviewedAsLeftInPlace() async throws {
        let address = PodmanFixtures.address("images", "img")
        let tree = try await PodmanFixtures.desired(address)
        let delete = PodmanFixtures.change(address, .delete, before: tree, after: nil)
        let provider = PodmanProvider()
        #expect(provider.review(delete, context: PodmanFixtures.context()).reason == .notCreatedByStack)
        #expect(try provider.commands(for: delete, context: PodmanFixtures.context()).isEmpty)
        let made = PodmanFixtures.context(privateState: ["created": true])
        #expect(provider.review(delete, context: made).reason == nil)
        #expect(try provider.commands(for: delete, context: made).map(\.argv.first) == ["podman"])
    }

    // MARK: - Applying

    @Test func hostGatewayFallsBackToTheFirstNetworksGatewayOnPodman43() async throws {
        let tree = try await PodmanFixtures.desired(Self.full)
        let runner = ScriptedRunner(order: .ordered)
        runner.expect(
            prefix: ["podman", "run", "--detach", "--name", "ocplan-t-fixture0-full"],
            result: CommandResult(
                exitStatus: 125, stdout: "", stderr: "Error: invalid IP address in add-host: \"host-gateway\"\n"))
        let networks = try PodmanFixtures.result(["podman", "network", "inspect", "ocplan-t-fixture0-int", "podman"])
        runner.expect(argv: ["podman", "network", "inspect", "ocplan-t-fixture0-int"], result: networks)
        runner.expect(
            ScriptedRunner.Expectation(
                .predicate("create with the gateway") {
                    $0.argv.starts(with: ["podman", "run", "--detach"])
                        && $0.argv.contains("host.containers.internal:10.199.77.1")
                },
                response: .result(
                    CommandResult(
                        exitStatus: 0, stdout: "id\n", stderr: "failed to connect to syslog: Initialization\n"))
            ))
        try PodmanFixtures.addRecordings(to: runner)
        let response = try await Self.apply(
            PodmanFixtures.change(Self.full, .create, before: nil, after: tree), runner: runner)
        #expect(runner.unexpected.isEmpty)
        #expect(runner.unusedExpectations.isEmpty)
        #expect(runner.mutatingCalls.map { $0.argv[1] } == ["run", "run"])
        #expect(
            runner.callArgvs.suffix(2) == [
                ["podman", "container", "inspect", "ocplan-t-fixture0-full"],
                ["podman", "image", "inspect", "localhost/ocplan-busybox:ocplan-t-fixture0"],
            ]
                || runner.callArgvs.suffix(2) == [
                    ["podman", "image", "inspect", "localhost/ocplan-busybox:ocplan-t-fixture0"],
                    ["podman", "container", "inspect", "ocplan-t-fixture0-full"],
                ], "the read-back inspects the container and its image, nothing else: \(runner.callArgvs)")
        let observed = try #require(response.observed)
        #expect(Differ.diff(observed, tree, schema: PodmanProvider().schema(for: "containers")).isEmpty)
    }

    @Test func alreadyDoneIsSuccessAndAnInUseNetworkNamesItsContainers() async throws {
        let (change, runner) = try await PodmanFixtures.alreadyDoneReconnect()
        _ = try await Self.apply(change, runner: runner)
        #expect(runner.unexpected.isEmpty)

        let network = try await PodmanFixtures.desired(Self.network)
        let busy = ScriptedRunner()
        busy.expect(
            argv: ["podman", "network", "rm", "ocplan-t-fixture0-int"],
            result: CommandResult(
                exitStatus: 2, stdout: "",
                stderr: "Error: \"ocplan-t-fixture0-int\" has associated containers with it. Use -f to forcibly delete "
                    + "containers and pods: network is being used\n"))
        busy.expect(
            argv: ["podman", "ps", "-a", "--format", "json", "--filter", "network=ocplan-t-fixture0-int"],
            result: try PodmanFixtures.result(
                ["podman", "ps", "-a", "--format", "json", "--filter", "label=io.ocplan.stack=ocplan-t-fixture0"]))
        do {
            _ = try await Self.apply(
                PodmanFixtures.change(Self.network, .delete, before: network, after: nil), runner: busy)
            Issue.record("apply should fail")
        } catch let error as OCError {
            #expect(error.message.contains("still used by container(s) ocplan-t-fixture0-full, ocplan-t-fixture0-idle"))
        }

        let gone = ScriptedRunner()
        gone.expect(
            argv: ["podman", "network", "rm", "ocplan-t-fixture0-int"],
            result: CommandResult(
                exitStatus: 1, stdout: "",
                stderr: "Error: unable to find network with name or ID ocplan-t-fixture0-int: network not found\n"))
        let deleted = try await Self.apply(
            PodmanFixtures.change(Self.network, .delete, before: network, after: nil), runner: gone)
        #expect(deleted.observed == nil)
    }

    @Test func anImageTheStackPulledIsRecordedAsItsOwn() async throws {
        let tree = try PodmanDesiredState.image(
            ImageSpec(reference: "localhost/ocplan-busybox:ocplan-t-fixture0", pull: .missing), resolve: { $0 })
        let runner = ScriptedRunner()
        runner.expect(argv: ["podman", "pull", "localhost/ocplan-busybox:ocplan-t-fixture0"])
        try PodmanFixtures.addRecordings(to: runner)
        let response = try await Self.apply(
            PodmanFixtures.change(Address("images", "busybox"), .create, before: nil, after: tree), runner: runner)
        #expect(response.privateState?["created"] == true)
        #expect(response.observed?["reference"] == "localhost/ocplan-busybox:ocplan-t-fixture0")
    }
}
