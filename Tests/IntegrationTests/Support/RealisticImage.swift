import Foundation
import OCCore
import OCExec
import Testing

/// The realistic test image (scripts/realistic-image): built offline from the lab's busybox image, with an
/// /etc/passwd, `USER app`, `WORKDIR /work`, `ENV`, `LABEL`, `VOLUME /data`, `EXPOSE 8080`, `STOPSIGNAL SIGINT`
/// and `ENTRYPOINT ["sh", "-c"]` plus a long-running `CMD`, as real images have.
enum RealisticImage {
    /// The reference the script builds.
    static let reference = "localhost/ocplan-realistic:test"
    /// The image's `CMD` (run by its `ENTRYPOINT ["sh", "-c"]`): stops at once on SIGINT or SIGTERM.
    static let command = "trap 'exit 0' INT TERM; sleep 100000 & wait"
    /// Its `ENV`.
    static let environment = ["APP_MODE": "production", "APP_GREETING": "hello world"]
    /// Its own `LABEL`s.
    static let labels = [
        "org.opencontainers.image.title": "ocplan realistic", "org.opencontainers.image.vendor": "ocplan-tests",
    ]

    /// Builds the image once per test process (scripts/realistic-image, idempotent), however many tests ask.
    static func ensure() async throws {
        try #require(ToolLocator.isAvailable("podman"), "podman is needed: scripts/install-deps")
        try await builder.build()
    }

    private static let builder = Builder()

    /// Runs the script once (callers that come while it runs wait for the same run), and adds tags one at a time:
    /// Podman 4.3 can lose a name added to an image while another process of the same store adds one.
    private actor Builder {
        var run: Task<Void, any Error>?

        func build() async throws {
            if run == nil {
                run = Task {
                    let script = repositoryRoot.appendingPathComponent("scripts/realistic-image").path
                    let result = try await SubprocessRunner().run(Command([script], timeout: .seconds(300)))
                    guard result.succeeded else {
                        throw OCError(
                            .commandFailed, "scripts/realistic-image: \(result.stderrText)\(result.stdoutText)")
                    }
                }
            }
            try await run?.value
        }

        /// `podman tag SOURCE TAG` under the image-names lock every test process shares, checked with `podman
        /// image exists` (``PodmanFixture/tag(_:as:)``).
        func tag(_ source: String, _ tag: String) async throws {
            try await PodmanFixture.tag(source, as: tag)
        }
    }

    /// Tags the realistic image (or `source`) as `tag`, one tag at a time in this process.
    static func tag(_ tag: String, source: String = reference) async throws {
        try await ensure()
        try await builder.tag(source, tag)
    }

    /// Tags the image for one stack (`localhost/ocplan-realistic:PREFIX`, removed by the stack's clean-up), so that
    /// another process building the base tag again cannot move it under the stack.
    static func tag(for stack: PodmanStack) async throws -> String {
        let tag = "localhost/ocplan-realistic:\(stack.prefix)"
        try await Self.tag(tag)
        return tag
    }
}
