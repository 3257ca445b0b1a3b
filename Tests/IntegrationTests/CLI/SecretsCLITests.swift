import Foundation
import OCCore
import OCExec
import OCTestSupport
import Synchronization
import Testing

/// A secret in every kind of field that can hold one, driven through the real binaries: the literal appears in
/// no output — plans (human, `--json`, `--show-commands`), `--debug` logs, apply progress and summary, errors,
/// history, the process list while apply runs — and only in the 0600 plan file and the journal.
@Suite(.serialized) struct SecretsCLITests {
    /// The stack's manifest folder, state and the two secrets.
    struct Stack {
        let podman: PodmanStack
        let secret = "oc-inline-" + UUID().uuidString
        let fileSecret = "oc-envfile-" + UUID().uuidString
        let literal = "oc-literal-" + UUID().uuidString
        var directory: String { podman.manifestDirectory.path }
        var state: String { podman.stateDirectory.path }
        var planFile: String { state + "/secret.plan" }

        /// Writes the manifest; `broken` adds a container whose image does not exist (its create fails).
        func write(broken: Bool = false) throws {
            try podman.manifestDirectory.write("FILE_KEY=\(fileSecret)\n", to: "agent.env")
            try podman.manifestDirectory.write("plain = 1\nsecret = ${env:OC_TEST_SECRET}\n", to: "agent.conf.tmpl")
            var body = """
                version: 1
                stack: \(podman.prefix)
                files:
                  inline: { path: \(directory)/out/inline.txt, content: "token=${env:OC_TEST_SECRET}\\n" }
                  multi:
                    path: \(directory)/out/multi.txt
                    sensitive: true
                    content: "line one\\nkey \(literal)\\nline three\\n"
                  templated: { path: \(directory)/out/agent.conf, template: agent.conf.tmpl }
                containers:
                  \(podman.name("agent")):
                    image: \(podman.image)
                    command: [\(PodmanFixture.idleCommand.map { "\"\($0)\"" }.joined(separator: ", "))]
                    env: { API_KEY: "${env:OC_TEST_SECRET}", MODE: plain }
                    envFiles: [agent.env]

                """
            if broken {
                body += """
                      \(podman.name("broken")):
                        image: localhost/ocplan-no-such-image:\(podman.prefix)
                        env: { API_KEY: "${env:OC_TEST_SECRET}" }

                    """
            }
            try podman.manifestDirectory.write(body, to: "stack.yaml")
        }

        func run(_ program: String, _ arguments: [String], secret: String? = nil) async throws -> Binaries.Run {
            try await Binaries.run(
                program, ["--state-dir", state] + arguments, environment: ["OC_TEST_SECRET": secret ?? self.secret])
        }

        /// Fails the test when `text` holds any of the secrets.
        func expectClean(_ text: String, _ what: String, also: [String] = []) {
            for value in [secret, fileSecret, literal] + also {
                #expect(!text.contains(value), "\(what) shows a secret:\n\(text)")
            }
        }
    }

    /// Samples the process list (`ps -eo args`) until `body` returns, and returns every line seen.
    static func sampleProcessList(during body: () async throws -> Void) async throws -> String {
        let done = Mutex(false)
        let sampler = Task { () -> String in
            var seen = ""
            while !done.withLock({ $0 }) {
                let ps = try? await SubprocessRunner().run(Command(["ps", "-eo", "args"]))
                seen += ps?.stdoutText ?? ""
                await Task.yield()
            }
            return seen
        }
        do {
            try await body()
        } catch {
            done.withLock { $0 = true }
            _ = await sampler.value
            throw error
        }
        done.withLock { $0 = true }
        return await sampler.value
    }

    @Test(.enabled(if: PodmanFixture.isSupported), .timeLimit(.minutes(5)))
    func aSecretInEveryFieldReachesNoOutput() async throws {
        try await withPodmanStack { podman in
            let stack = Stack(podman: podman)
            try stack.write()

            // Plans: human with commands and debug logs, JSON, and a saved plan.
            let human = try await stack.run("ocplan", ["--show-commands", "--debug", stack.directory])
            #expect(human.status == 0, "\(human.stdout)\n\(human.stderr)")
            #expect(human.stdout.contains("content = (sensitive)"), "\(human.stdout)")
            #expect(human.stdout.contains("--env-file /dev/stdin"), "\(human.stdout)")
            stack.expectClean(human.stdout + human.stderr, "ocplan --show-commands --debug")
            let json = try await stack.run("ocplan", ["--json", stack.directory])
            #expect(json.status == 0)
            stack.expectClean(json.stdout + json.stderr, "ocplan --json")
            let saved = try await stack.run("ocplan", ["-out", stack.planFile, stack.directory])
            #expect(saved.status == 0, "\(saved.stderr)")
            stack.expectClean(saved.stdout + saved.stderr, "ocplan -out")
            let planText = try String(contentsOfFile: stack.planFile, encoding: .utf8)
            #expect(planText.contains(stack.secret), "the plan file holds what apply needs")
            let planMode = try FileManager.default.attributesOfItem(atPath: stack.planFile)[.posixPermissions] as? Int
            #expect(planMode == 0o600)

            // Apply, with the process list sampled while it runs: no child has a secret on its command line.
            var applied = Binaries.Run(status: -1, stdout: "", stderr: "")
            let processes = try await Self.sampleProcessList {
                applied = try await stack.run("ocapply", ["--debug", stack.planFile])
            }
            #expect(applied.status == 0, "\(applied.stdout)\n\(applied.stderr)")
            #expect(applied.stdout.contains("Apply complete!"))
            stack.expectClean(applied.stdout + applied.stderr, "ocapply --debug")
            stack.expectClean(processes, "the process list during apply")
            #expect(processes.contains("ocapply"), "the sampler saw the apply running")

            // The secrets reached their places.
            let env = try await podman.inspect(podman.name("agent"), "{{range .Config.Env}}{{.}} {{end}}")
            #expect(env.contains("API_KEY=\(stack.secret)"))
            #expect(env.contains("FILE_KEY=\(stack.fileSecret)"))
            #expect(
                try String(contentsOfFile: stack.directory + "/out/agent.conf", encoding: .utf8).contains(stack.secret))

            // History, and a plan after a rotation: neither the old nor the new value shows.
            let history = try await stack.run("ocplan", ["history", stack.directory])
            stack.expectClean(history.stdout + history.stderr, "ocplan history")
            let rotated = "oc-rotated-" + UUID().uuidString
            for arguments in [["--show-commands", "--debug"], ["--json"]] {
                let plan = try await stack.run("ocplan", arguments + [stack.directory], secret: rotated)
                #expect(plan.status == 0, "\(plan.stderr)")
                #expect(plan.stdout.contains("API_KEY") || plan.stdout.contains("spec-hash") || arguments == ["--json"])
                stack.expectClean(plan.stdout + plan.stderr, "a plan after rotation \(arguments)", also: [rotated])
            }

            // A failing action: its error, progress line and summary keep the secret out.
            try stack.write(broken: true)
            let failing = try await stack.run("ocapply", ["--auto-approve", "--debug", stack.directory])
            #expect(failing.status == 1, "\(failing.stdout)\n\(failing.stderr)")
            #expect(failing.stderr.contains(podman.name("broken")), "\(failing.stderr)")
            stack.expectClean(failing.stdout + failing.stderr, "a failed apply")

            // Destroy, and the journal is the only other place the secret is kept (private to its owner).
            try stack.write()
            let destroy = try await stack.run("ocapply", ["--destroy", "--auto-approve", stack.directory])
            #expect(destroy.status == 0, "\(destroy.stdout)\n\(destroy.stderr)")
            stack.expectClean(destroy.stdout + destroy.stderr, "ocapply --destroy")
        }
    }
}
