import Foundation
import Logging
import OCContainerModel
import OCCore
import OCExec
import OCPodman
import OCTestSupport
import Synchronization
import Testing

/// Re-records the Podman fixtures of `Tests/OCProvidersTests/Fixtures/podman-4.3.1/` from this machine's
/// Podman: `OC_RECORD_PODMAN_FIXTURES=1 swift test --filter PodmanFixtureRecorder` (docs/providers/podman.md).
///
/// It applies `manifest/stack.yaml` of the fixture folder for real (fixed names, subnet and ports, so a
/// recording is reproducible), then observes through a runner that records every command with its result,
/// and writes `index.json` (argv → output file, exit status, stderr) and the outputs. The provider tests
/// replay them with a `ScriptedRunner`.
@Suite(.serialized) struct PodmanFixtureRecorder {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../OCProvidersTests/Fixtures/podman-4.3.1").standardizedFileURL

    /// One recorded command.
    struct Recording: Codable {
        var argv: [String]
        var stdout: String
        var exitStatus: Int32
        var stderr: String
    }

    /// A runner that runs through `base` and keeps every non-mutating command with its result.
    final class RecordingRunner: CommandRunner {
        let base: any CommandRunner
        let recorded = Mutex<[(Command, CommandResult)]>([])

        init(base: any CommandRunner) { self.base = base }

        func run(_ command: Command) async throws -> CommandResult {
            let result = try await base.run(command)
            if !command.mutating { recorded.withLock { $0.append((command, result)) } }
            return result
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["OC_RECORD_PODMAN_FIXTURES"] == "1"))
    func recordObservationOutputs() async throws {
        try await PodmanFixture.ensureBaseImage()
        let stack = try PodmanStack(prefix: "ocplan-t-fixture0")
        try await PodmanFixture.tag(PodmanFixture.baseImage, as: stack.image)
        do {
            try await record(stack)
        } catch {
            await stack.cleanUp()
            throw error
        }
        await stack.cleanUp()
    }

    private func record(_ stack: PodmanStack) async throws {
        let manifestFolder = Self.folder.appendingPathComponent("manifest")
        for file in try FileManager.default.contentsOfDirectory(atPath: manifestFolder.path) {
            try FileManager.default.copyItem(
                at: manifestFolder.appendingPathComponent(file),
                to: stack.manifestDirectory.url.appendingPathComponent(file))
        }
        let manifest = try await stack.loadFolder()
        let (first, diagnostics) = await Planner(context: stack.context, environment: [:]).plan(manifest)
        await stack.apply(try #require(first, "\(diagnostics.errors)"))
        // A look-alike the stack does not own.
        try await PodmanFixture.podmanOutput(
            [
                "create", "--name", stack.name("foreign"), "--label", "\(PodmanFixture.testLabel)=\(stack.prefix)",
                stack.image,
            ]
                + PodmanFixture.idleCommand)

        let recorder = RecordingRunner(base: SubprocessRunner())
        var context = stack.context
        context.runner = { _ in recorder }
        let (second, _) = await Planner(context: context, environment: [:]).plan(manifest)
        #expect(second?.actions.isEmpty == true, "\(second?.actions.map(\.attributes) ?? [])")
        // One more observation that also asks for the look-alike and a missing container.
        _ = try await PodmanProvider().observe(
            ObserveRequest(
                stack: stack.prefix, host: .local, runner: recorder,
                targets: [
                    ObserveTarget(address: Address("containers", stack.name("foreign")), desired: nil),
                    ObserveTarget(address: Address("containers", stack.name("missing")), desired: nil),
                ], logger: Logger(label: "recorder")))

        // Outputs are named after the command (`network-inspect.json`, `container-inspect-2.json`), in argv
        // order, so a re-recording rewrites the same files.
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.folder.path) where file.hasSuffix(".json")
        {
            try FileManager.default.removeItem(at: Self.folder.appendingPathComponent(file))
        }
        var unique: [(Command, CommandResult)] = []
        for (command, result) in recorder.recorded.withLock({ $0 })
        where !unique.contains(where: { $0.0.argv == command.argv }) {
            unique.append((command, result))
        }
        unique.sort { $0.0.argv.joined(separator: " ") < $1.0.argv.joined(separator: " ") }
        var index: [Recording] = []
        var counts: [String: Int] = [:]
        for (command, result) in unique {
            let stdout = result.stdout
            let kind = command.argv.dropFirst().prefix { !$0.hasPrefix("-") }.prefix(2).joined(separator: "-")
            counts[kind, default: 0] += 1
            let file = kind + (counts[kind] == 1 ? "" : "-\(counts[kind] ?? 0)") + ".json"
            try stdout.write(to: Self.folder.appendingPathComponent(file))
            let stderr = result.stderrText.split(whereSeparator: \.isNewline)
                .filter { !$0.contains("failed to connect to syslog") }.joined(separator: "\n")
            index.append(Recording(argv: command.argv, stdout: file, exitStatus: result.exitStatus, stderr: stderr))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(index).write(to: Self.folder.appendingPathComponent("index.json"))
        Issue.record(
            "recorded \(index.count) outputs into \(Self.folder.path); run again without OC_RECORD_PODMAN_FIXTURES")
    }
}
