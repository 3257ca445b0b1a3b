import Foundation
import OCCore
import OCExec
import OCTestSupport
import Testing

/// The plan says what apply will do (issue 10), through the `ocplan`/`ocapply` binaries: what destroy leaves in
/// place, what apply would refuse, a network joined by hand, and a tool that is missing.
@Suite struct PlanTruthCLITests {
    /// Runs `program` on the stack's manifest folder and state directory.
    static func run(
        _ program: String, _ stack: PodmanStack, _ arguments: [String], environment: [String: String] = [:]
    ) async throws -> Binaries.Run {
        try await Binaries.run(
            program, [stack.manifestDirectory.path] + arguments + ["--state-dir", stack.stateDirectory.path],
            environment: environment)
    }

    static func write(_ stack: PodmanStack, _ body: String) throws {
        try stack.manifestDirectory.write("version: 1\nstack: \(stack.prefix)\n" + body, to: "stack.yaml")
    }

    static let idle = #"command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]"#

    @Test(.enabled(if: PodmanFixture.isSupported), .timeLimit(.minutes(3)))
    func destroyPlansAKeptVolumeAndAnImageItDidNotMakeAsForgottenAndApplyLeavesThem() async throws {
        try await withPodmanStack { stack in
            let volume = stack.name("data")
            try Self.write(
                stack,
                """
                images:
                  base: { reference: \(stack.image), pull: never }
                volumes:
                  \(volume): {}
                containers:
                  \(stack.name("c")):
                    image: base
                    \(Self.idle)
                    volumes: ["\(volume):/data"]

                """)
            let apply = try await Self.run("ocapply", stack, ["--auto-approve"])
            try #require(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")

            let plan = try await Self.run("ocplan", stack, ["--destroy", "--detailed-exitcode"])
            #expect(plan.status == 2, "\(plan.stdout)\n\(plan.stderr)")
            #expect(
                plan.stdout.contains(
                    "# volumes.\(volume) on local will be kept (deleteData: true is not applied) and forgotten"),
                "\(plan.stdout)")
            #expect(plan.stdout.contains("# images.base on local will be forgotten (not created by this stack)"))
            #expect(plan.stdout.contains("(to delete it with its data: set deleteData: true, apply, then destroy"))
            #expect(plan.stdout.contains("  . images.base {"))
            #expect(plan.stdout.contains("Plan: 0 to create, 0 to update, 0 to replace, 1 to destroy, 2 to forget."))
            #expect(!plan.stdout.contains("\(volume) on local will be destroyed"))

            let json = try await Self.run("ocplan", stack, ["--destroy", "--json"])
            let document = try #require(
                JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stderr)")
            let summary = try #require(document["summary"] as? [String: Int])
            #expect(summary["delete"] == 1 && summary["forget"] == 2, "\(summary)")

            let destroy = try await Self.run("ocapply", stack, ["--destroy", "--auto-approve"])
            #expect(destroy.status == 0, "\(destroy.stdout)\n\(destroy.stderr)")
            #expect(
                destroy.stdout.contains("0 replaced, 1 destroyed, 2 forgotten (left in place)."), "\(destroy.stdout)")
            #expect(destroy.stdout.contains("images.base: Forget (left in place) complete"))
            #expect(try await PodmanFixture.podman(["volume", "exists", volume]).succeeded, "the data is kept")
            #expect(try await PodmanFixture.podman(["image", "exists", stack.image]).succeeded)
            #expect(try await stack.containerID(stack.name("c")) == nil)

            let history = try await Binaries.run(
                "ocplan", ["history", "--stack", stack.prefix, "--json", "--state-dir", stack.stateDirectory.path])
            let last = try #require(history.stdout.split(separator: "\n").last, "\(history.stderr)")
            let record = try #require(JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
            #expect(record["applied"] as? [String: Int] == ["delete": 1, "forget": 2], "\(last)")
        }
    }

    @Test(.enabled(if: PodmanFixture.isSupported), .timeLimit(.minutes(2)))
    func aMissingImageThatMustNotBePulledIsAPlanError() async throws {
        try await withPodmanStack { stack in
            let ghost = "localhost/\(stack.prefix)-ghost:1"
            try Self.write(stack, "images:\n  ghost: { reference: \(ghost), pull: never }\n")
            let plan = try await Self.run("ocplan", stack, ["--detailed-exitcode"])
            #expect(plan.status == 1, "\(plan.stdout)\n\(plan.stderr)")
            #expect(plan.stderr.contains("images.ghost cannot be created"), "\(plan.stderr)")
            #expect(
                plan.stderr.contains("image \(ghost) is not present on local, and pull: never forbids pulling it"))
            #expect(plan.stderr.contains("podman build -t \(ghost)"))
            #expect(!plan.stdout.contains("will be created"))
        }
    }

    @Test(.enabled(if: PodmanFixture.isSupported), .timeLimit(.minutes(3)))
    func aNetworkJoinedByHandIsALeave() async throws {
        try await withPodmanStack { stack in
            let container = stack.name("c")
            try Self.write(
                stack,
                """
                networks:
                  \(stack.name("net")): { internal: true }
                containers:
                  \(container):
                    image: \(stack.image)
                    \(Self.idle)
                    networks: [\(stack.name("net"))]

                """)
            let apply = try await Self.run("ocapply", stack, ["--auto-approve"])
            try #require(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            try await PodmanFixture.podmanOutput(["network", "connect", "podman", container])

            let plan = try await Self.run("ocplan", stack, ["--detailed-exitcode"])
            #expect(plan.status == 2, "\(plan.stdout)\n\(plan.stderr)")
            #expect(plan.stdout.contains("- networks: leaves \"podman\" (joined outside ocplan)"), "\(plan.stdout)")
            #expect(!plan.stdout.contains("networks.podman"), "\(plan.stdout)")

            let json = try await Self.run("ocplan", stack, ["--json"])
            let document = try #require(
                JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stderr)")
            let changes = try #require(document["changes"] as? [[String: Any]])
            let change = try #require(changes.first { $0["address"] as? String == "containers.\(container)" })
            let attributes = try #require(change["attributes"] as? [[String: Any]])
            #expect(attributes.count == 1)
            #expect(attributes.first?["path"] as? String == "networks.podman")
            let membership = try #require(attributes.first?["membership"] as? [String: Any])
            #expect(membership["kind"] as? String == "leave")
            #expect(membership["member"] as? String == "podman")
            #expect(membership["outsideOcplan"] as? Bool == true)

            let heal = try await Self.run("ocapply", stack, ["--auto-approve"])
            #expect(heal.status == 0, "\(heal.stdout)\n\(heal.stderr)")
            #expect(try await Self.run("ocplan", stack, ["--detailed-exitcode"]).status == 0)
            #expect(
                try await stack.inspect(container, "{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}")
                    == stack.name("net"))
        }
    }
}

/// A missing tool is an error for the resources it covers, named on the machine where it is needed.
@Suite struct MissingToolsCLITests {
    @Test func aPlanWhoseToolsAreMissingExitsOneAndListsThemWithHowToInstall() async throws {
        let manifest = try TempDirectory(prefix: "ocplan-missing-tools")
        let state = try TempDirectory(prefix: "ocplan-missing-tools-state")
        let empty = try TempDirectory(prefix: "ocplan-empty-path")
        try manifest.write(
            """
            version: 1
            stack: missing-tools
            hosts:
              exit: { transport: multipass, vm: oc-exit }
            sysctl:
              fwd: { host: exit, key: net.ipv4.ip_forward, value: "1" }
            containers:
              web: { image: localhost/web:1 }

            """, to: "stack.yaml")
        let plan = try await Binaries.run(
            "ocplan", [manifest.path, "--detailed-exitcode", "--state-dir", state.path],
            environment: ["PATH": empty.path])
        #expect(plan.status == 1, "\(plan.stdout)\n\(plan.stderr)")
        #expect(
            plan.stderr.contains("Missing prerequisites for podman resources on host 'local' (containers.web)"),
            "\(plan.stderr)")
        #expect(plan.stderr.contains("podman on local: apt-get install podman runc (Debian/Ubuntu)"))
        #expect(plan.stderr.contains("Missing prerequisites for sysctl resources on host 'exit' (sysctl.fwd)"))
        #expect(plan.stderr.contains("multipass on this machine (to reach host exit): snap install multipass"))
        #expect(!plan.stderr.contains("multipass on exit"), "named where it is needed: \(plan.stderr)")
        #expect(!plan.stdout.contains("will be created"), "\(plan.stdout)")
    }
}
