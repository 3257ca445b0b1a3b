import Foundation
import OCCore
import OCExec
import OCTestSupport
import Testing

/// A replace destroys nothing before its replacement can be made, on real Podman through the binaries.
@Suite struct ReplaceOrderCLITests {
    @Test(.enabled(if: PodmanFixture.isSupported), .timeLimit(.minutes(2)))
    func aContainerWhoseNewImageDoesNotExistKeepsRunning() async throws {
        try await LinuxLab.buildImage()
        let lab = try CrashLab(namespace: nil)
        do {
            let apply = try await lab.run("ocapply", ["--auto-approve"])
            try #require(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            let id = try await lab.podman(["container", "inspect", "--format", "{{.Id}}", lab.container])

            let stack = lab.manifest.url.appendingPathComponent("stack.yaml")
            try lab.manifestText.replacingOccurrences(of: "localhost/ocplan-busybox:lab", with: "localhost/nope:1")
                .write(to: stack, atomically: true, encoding: .utf8)
            let plan = try await lab.run("ocplan", [])
            #expect(plan.stdout.contains("0 to create, 0 to update, 1 to replace, 0 to destroy"), "\(plan.stdout)")
            let failed = try await lab.run("ocapply", ["--auto-approve"])
            #expect(failed.status == 1, "\(failed.stdout)\n\(failed.stderr)")
            #expect(
                (failed.stdout + failed.stderr).contains(
                    "image localhost/nope:1 does not exist on host local; the running container is left in place"),
                "\(failed.stdout)\n\(failed.stderr)")
            #expect(try await lab.podman(["container", "inspect", "--format", "{{.Id}}", lab.container]) == id)
            #expect(
                try await lab.podman(["container", "inspect", "--format", "{{.State.Status}}", lab.container])
                    == "running")

            // Back to the image that exists: nothing to do, and destroy leaves nothing behind.
            try lab.manifestText.write(to: stack, atomically: true, encoding: .utf8)
            #expect(try await lab.run("ocplan", ["--detailed-exitcode"]).status == 0)
            #expect(try await lab.run("ocapply", ["--destroy", "--auto-approve"]).status == 0)
            #expect(try await lab.leftovers(original: "") == [])
        } catch {
            await lab.forceCleanUp(original: nil)
            throw error
        }
        await lab.forceCleanUp(original: nil)
    }
}
