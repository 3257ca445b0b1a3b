import Foundation
import OCTestSupport
import Testing

@Suite struct ValidateCLITests {
    @Test func theRealStackValidates() async throws {
        let run = try await Binaries.run(
            "ocplan", ["validate", repositoryRoot.appendingPathComponent("manifests/openclaw-private").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Valid: stack \"openclaw-private\""))
        #expect(!run.stderr.contains("error"), "validate needs no secrets from the environment")
    }

    /// Runs `ocplan validate` on a folder holding stack `stack` with `sections` as stack.yaml; returns the run and
    /// the file's path.
    static func validate(stack: String, _ sections: String) async throws -> (run: Binaries.Run, file: String) {
        let dir = try TempDirectory()
        let file = try dir.write("version: 1\nstack: \(stack)\n" + sections, to: "stack.yaml").path
        return (try await Binaries.run("ocplan", ["validate", dir.path]), file)
    }

    @Test func threeDistinctMistakesAreAllReportedWithLocations() async throws {
        let (run, file) = try await Self.validate(
            stack: "broken",
            """
            files:
              conf:
                path: /tmp/x.conf
                contnet: hello
            sysctl:
              fwd:
                key: net.ipv4.ip_forward
                value: 1
                host: exit-node
              loop:
                key: net.ipv4.conf.all.forwarding
                value: 1
                dependsOn: [sysctl.loop2]
              loop2:
                key: net.ipv4.conf.default.forwarding
                value: 1
                dependsOn: [sysctl.loop]
            """)
        #expect(run.status == 1)
        #expect(
            run.stderr.contains("error: \(file):6:5: Unknown key 'contnet' — did you mean 'content'?"), "\(run.stderr)")
        #expect(run.stderr.contains("error: \(file):11:11: Unknown host 'exit-node'"))
        #expect(run.stderr.contains("Dependency cycle: sysctl.loop → sysctl.loop2 → sysctl.loop"))
        #expect(run.stderr.contains("errors."))
    }

    /// Issue 10's must-show: independent mistakes in one resource come in one run, each at its value.
    @Test func everyMistakeOfAResourceIsReportedInOneRunAtItsValue() async throws {
        let dir = try TempDirectory()
        let file = try dir.write(
            "version: 1\nstack: four\n"
                + """
                networks:
                  ocb-internal: { internal: true }
                containers:
                  app:
                    image: localhost/busybox:test
                    dns: [not-an-ip]
                    cpus: lots
                    restart: sometimes
                    securityOpt: [bogus-option]
                    envFiles: [./missing.env]
                    networks: [ocb-intrnal]
                    volumes: ["./no-such-dir:/data", "./made/app.conf:/etc/app.conf:ro"]
                files:
                  conf:
                    path: /tmp/ocplan-four.conf
                    template: ./missing.tmpl
                  copied:
                    path: /tmp/ocplan-four-copy.conf
                    source: ./missing.src
                  made:
                    path: ./made/app.conf
                    content: "made by apply, so the bind mount above finds it"
                """, to: "stack.yaml"
        ).path
        let run = try await Binaries.run("ocplan", ["validate", dir.path])
        #expect(run.status == 1)
        let expected = [
            "8:11: Invalid ipAddress", "9:11: Invalid value", "10:14: Unknown restart policy",
            "11:19: Unknown security option", "12:16: Env file not found",
            "13:16: containers.app joins network 'ocb-intrnal', which is not declared — did you mean 'ocb-internal'?",
            "18:15: Template file not found", "21:13: Source file not found",
        ]
        for line in expected {
            #expect(run.stderr.contains("error: \(file):\(line)"), "\(line) in \(run.stderr)")
        }
        #expect(run.stderr.contains("warning: \(file):14:15: Bind mount source not found"), "\(run.stderr)")
        #expect(
            run.stderr.components(separatedBy: "Bind mount source not found").count == 2,
            "a path a files resource creates is not missing: \(run.stderr)")
        // The plan loads the manifest the same way: the same errors, the same suggestion, before any host is touched.
        let state = try TempDirectory()
        let plan = try await Binaries.run("ocplan", ["--state-dir", state.path, dir.path])
        #expect(plan.status == 1)
        #expect(
            plan.stderr.contains(
                "error: \(file):13:16: containers.app joins network 'ocb-intrnal', which is not declared — did you mean "
                    + "'ocb-internal'?"), "\(plan.stderr)")
        #expect(run.stderr.contains("'lots'") || run.stderr.contains("lots"), "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "error: ").count - 1 == expected.count, "\(run.stderr)")
    }

    @Test func keysOfOtherToolsPointToOcplansNamesAndTheEngineKeysAreListed() async throws {
        let (run, file) = try await Self.validate(
            stack: "compose",
            """
            containers:
              app:
                image: localhost/busybox:test
                environment: { A: b }
                network_mode: host
                cap_drop: [ALL]
                depends_on: [containers.db]
              db:
                image: localhost/busybox:test
            """)
        #expect(run.status == 1)
        for (line, key, name) in [
            (6, "environment", "env"), (7, "network_mode", "networks"), (8, "cap_drop", "capDrop"),
            (9, "depends_on", "dependsOn"),
        ] {
            #expect(
                run.stderr.contains("error: \(file):\(line):5: Unknown key '\(key)' — did you mean '\(name)'?"),
                "\(key) in \(run.stderr)")
        }
        #expect(run.stderr.contains("dependsOn, restartOn"), "Known keys here lists the engine keys: \(run.stderr)")
    }

    @Test func thePortWarningOfAnInternalOnlyContainerKeepsItIsolated() async throws {
        let (run, file) = try await Self.validate(
            stack: "isolated",
            """
            networks:
              inner: { internal: true }
            containers:
              agent:
                image: localhost/busybox:test
                networks: [inner]
                ports: ["127.0.0.1:8080:8080"]
            """)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "warning: \(file):9:5: Ports are not published for a container on internal networks only"),
            "\(run.stderr)")
        #expect(run.stderr.contains("dual-homed"), "\(run.stderr)")
        #expect(!run.stderr.contains("add `podman`"), "never suggest a routed network: \(run.stderr)")
    }

    @Test func anImageThatWouldBeReadAsAnOptionIsRefusedWithItsPlace() async throws {
        // `podman create … --privileged --pull=never localhost/x:y sleep 1000` would run a privileged container.
        let (run, file) = try await Self.validate(
            stack: "injected",
            """
            containers:
              app:
                image: "--privileged"
                command: ["--pull=never", "localhost/x:y", "sleep", "1000"]
            """)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: \(file):5:12: Invalid image reference"), "\(run.stderr)")
        #expect(run.stderr.contains("[containers.app.image]"), "\(run.stderr)")
        #expect(run.stderr.contains("starts with '-'"), "\(run.stderr)")
    }

    @Test func helpTeaches() async throws {
        let plan = try await Binaries.run("ocplan", ["--help"])
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("--detailed-exitcode"))
        #expect(plan.stdout.contains("Examples:"))
        let apply = try await Binaries.run("ocapply", ["--help"])
        #expect(apply.stdout.contains("--auto-approve"))
        #expect(apply.stdout.contains("--parallelism"))
    }

    @Test func schemaIsJSONForEditors() async throws {
        let run = try await Binaries.run("ocplan", ["schema"])
        #expect(run.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let properties = try #require(object?["properties"] as? [String: Any])
        for section in ["version", "stack", "vars", "hosts", "files", "sysctl"] {
            #expect(properties[section] != nil, "missing \(section)")
        }
    }
}
