import Foundation
import OCCore
import OCTestSupport
import Testing

/// Issue 10's must-show, through the built `ocapply` and `ocplan` as a user runs them: a container from an image
/// with a passwd entry and `USER` (Podman then adds `HOME`) applies with exit 0, and the second plan is empty.
@Suite(.enabled(if: PodmanFixture.isSupported)) struct RealisticImageCLITests {
    @Test(.timeLimit(.minutes(3)))
    func aContainerFromAnImageWithAUserAppliesAndTheSecondPlanIsEmpty() async throws {
        try await withPodmanStack { stack in
            let image = try await RealisticImage.tag(for: stack)
            let name = stack.name("app")
            try stack.manifestDirectory.write(
                """
                version: 1
                stack: \(stack.prefix)
                containers:
                  \(name):
                    image: \(image)
                    env: { EXTRA: "1" }
                    labels: { app: web }

                """, to: "stack.yaml")
            let arguments = ["--state-dir", stack.stateDirectory.path, stack.manifestDirectory.path]
            let apply = try await Binaries.run("ocapply", ["--auto-approve"] + arguments)
            #expect(apply.status == 0, "ocapply: \(apply.stdout)\n\(apply.stderr)")
            #expect(!(apply.stdout + apply.stderr).contains("did not converge"), "\(apply.stdout)\n\(apply.stderr)")
            let plan = try await Binaries.run("ocplan", ["--detailed-exitcode"] + arguments)
            #expect(plan.status == 0, "second plan: \(plan.stdout)\n\(plan.stderr)")
            #expect(plan.stdout.contains("No changes"), "\(plan.stdout)")

            // What the image gave it, which the plan does not read as drift.
            #expect(try await stack.inspect(name, "{{.Config.User}}") == "app")
            let env = try await stack.inspect(name, "{{range .Config.Env}}{{.}} {{end}}")
            #expect(env.contains("HOME=/home/app"), "\(env)")
        }
    }
}
