import Foundation
import Logging
import OCContainerModel
import OCCore
import OCTestSupport
import Testing

@testable import OCPodman

/// The recorded Podman 4.3.1 outputs of `Fixtures/podman-4.3.1` and the manifest they were recorded from.
///
/// `index.json` maps each observation argv to its recorded stdout file, exit status and stderr; it is written
/// by `PodmanFixtureRecorder` in the integration tests (docs/providers/podman.md says how to re-record).
enum PodmanFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/podman-4.3.1")
    /// The recorded stack, which is also the prefix of every object name.
    static let stack = "ocplan-t-fixture0"
    static let host = OCCore.Host.local
    static let catalog = SpecCatalog([NetworkSpec.self, ContainerSpec.self, VolumeSpec.self, ImageSpec.self])

    /// `ocplan-t-fixture0-NAME`.
    static func name(_ short: String) -> String { "\(stack)-\(short)" }

    /// `SECTION.ocplan-t-fixture0-NAME`.
    static func address(_ section: String, _ short: String) -> Address { Address(section, name(short)) }

    /// One recorded command.
    struct Recording: Decodable {
        var argv: [String]
        var stdout: String
        var exitStatus: Int32
        var stderr: String
    }

    static func recordings() throws -> [Recording] {
        try JSONDecoder().decode([Recording].self, from: Data(contentsOf: folder.appendingPathComponent("index.json")))
    }

    /// The recorded result of the command with `argv`.
    static func result(_ argv: [String]) throws -> CommandResult {
        let recording = try #require(try recordings().first { $0.argv == argv }, "no recording of \(argv)")
        return try result(recording)
    }

    static func result(_ recording: Recording) throws -> CommandResult {
        CommandResult(
            exitStatus: recording.exitStatus,
            stdout: try Data(contentsOf: folder.appendingPathComponent(recording.stdout)),
            stderr: Data(recording.stderr.utf8))
    }

    /// A recorded stdout file.
    static func data(_ file: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(file)) }

    /// A runner that answers every recorded command, any number of times, and fails on anything else.
    static func runner() throws -> ScriptedRunner {
        let runner = ScriptedRunner()
        try addRecordings(to: runner)
        return runner
    }

    static func addRecordings(to runner: ScriptedRunner) throws {
        for recording in try recordings() {
            runner.expect(argv: recording.argv, result: try result(recording), repeating: true)
        }
        try addReadBacks(to: runner)
    }

    /// Answers the read-back after an action (``PodmanProvider/readBack(_:request:)``) from the recordings:
    /// `podman container inspect NAME` prints that container's recorded element, `podman image inspect TAG` the
    /// recorded image that carries the tag (Podman prints the same document for a tag as for the ID), and a name
    /// nothing recorded exits 125 with `[]` and Podman 4.3.1's `no such container` line.
    static func addReadBacks(to runner: ScriptedRunner) throws {
        func elements(_ file: String) throws -> [[String: Any]] {
            try #require(try JSONSerialization.jsonObject(with: data(file)) as? [[String: Any]])
        }
        func answer(_ element: [String: Any]) throws -> CommandResult {
            CommandResult(exitStatus: 0, stdout: try JSONSerialization.data(withJSONObject: [element]))
        }
        for container in try elements("container-inspect.json") {
            let name = try #require(container["Name"] as? String)
            runner.expect(
                argv: ["podman", "container", "inspect", name], result: try answer(container), repeating: true)
        }
        for image in try elements("image-inspect.json") {
            for tag in image["RepoTags"] as? [String] ?? [] {
                runner.expect(argv: ["podman", "image", "inspect", tag], result: try answer(image), repeating: true)
            }
        }
        runner.expect(
            ScriptedRunner.Expectation(
                .predicate("container inspect of a name nothing recorded") {
                    $0.argv.starts(with: ["podman", "container", "inspect"]) && $0.argv.count == 4
                },
                response: .result(
                    CommandResult(
                        exitStatus: 125, stdout: "[]\n", stderr: "Error: inspecting object: no such container\n")),
                repeating: true))
    }

    /// Runs `body` with the recorded manifest, loaded from a copy whose `stack.yaml` went through `edit`.
    ///
    /// The copy (with `app.env`, which desired states read) lives until `body` returns.
    static func withManifest<T>(
        _ edit: (String) -> String = { $0 }, _ body: (Manifest) async throws -> T
    ) async throws -> T {
        let copy = try TempDirectory(prefix: "ocplan-podman-fixture")
        defer { withExtendedLifetime(copy) {} }
        let source = folder.appendingPathComponent("manifest")
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            let text = try String(contentsOf: source.appendingPathComponent(file), encoding: .utf8)
            try copy.write(file == "stack.yaml" ? edit(text) : text, to: file)
        }
        let (manifest, diagnostics) = await ManifestLoader(catalog: catalog, environment: [:]).load([copy.path])
        return try await body(try #require(manifest, "\(diagnostics.errors)"))
    }

    /// Every resource's desired tree.
    static func desired(_ manifest: Manifest) throws -> [Address: Value] {
        let specs = Dictionary(manifest.resources.map { ($0.address, $0.spec) }, uniquingKeysWith: { a, _ in a })
        var trees: [Address: Value] = [:]
        for declaration in manifest.resources {
            trees[declaration.address] = try PodmanProvider().desiredState(
                of: declaration,
                context: DesiredStateContext(
                    stack: manifest.stack, host: host, variables: manifest.variables, specs: specs))
        }
        return trees
    }

    /// The desired tree of one resource of the recorded manifest (edited by `edit`).
    static func desired(_ address: Address, _ edit: (String) -> String = { $0 }) async throws -> Value {
        try await withManifest(edit) { try #require(try desired($0)[address]) }
    }

    /// Targets for every resource of `manifest` (without a journal).
    static func targets(_ manifest: Manifest) throws -> [ObserveTarget] {
        let trees = try desired(manifest)
        return manifest.resources.map { ObserveTarget(address: $0.address, desired: trees[$0.address]) }
    }

    /// Observes `targets` through `runner`.
    static func observe(_ targets: [ObserveTarget], runner: any CommandRunner) async throws -> ObserveResponse {
        try await PodmanProvider().observe(
            ObserveRequest(stack: stack, host: host, runner: runner, targets: targets, logger: Logger(label: "podman")))
    }

    /// The engine with only the Podman provider, `runner` for every host and a fresh journal.
    static func engine(runner: any CommandRunner, journal: StateJournal) -> EngineContext {
        EngineContext(
            registry: ProviderRegistry([PodmanProvider()]), runner: { _ in runner }, journal: journal,
            logger: Logger(label: "podman"))
    }

    /// A change of `address` with the given trees.
    static func change(
        _ address: Address, _ action: Action, before: Value?, after: Value?, privateState: Value? = nil
    ) -> Change {
        let schema = PodmanProvider().schema(for: address.section)
        return Change(
            address: address, provider: "podman", host: host, action: action, cause: .manifest, before: before,
            after: after, attributes: Differ.diff(before, after, schema: schema), privateState: privateState)
    }

    /// Container `full` leaving network `podman` and joining `extra`, with a runner on which both are already
    /// done (`not connected`, `already connected`) and that answers the observation after it.
    static func alreadyDoneReconnect() async throws -> (Change, ScriptedRunner) {
        let address = address("containers", "full")
        let tree = try await desired(address)
        var after = tree
        after["networks"]["podman"] = nil
        after["networks"]["extra"] = ["aliases": [], "ipv4": nil, "ipv6": nil]
        let runner = ScriptedRunner()
        runner.expect(
            argv: ["podman", "network", "disconnect", "podman", "ocplan-t-fixture0-full"],
            result: CommandResult(
                exitStatus: 125, stdout: "", stderr: "Error: container x is not connected to network podman\n"))
        runner.expect(
            argv: ["podman", "network", "connect", "extra", "ocplan-t-fixture0-full"],
            result: CommandResult(
                exitStatus: 125, stdout: "",
                stderr: "Error: container x is already connected to network \"extra\": network is already connected\n"))
        let recorded = try result(["podman", "network", "inspect", "ocplan-t-fixture0-int", "podman"])
        runner.expect(
            argv: ["podman", "network", "inspect", "extra", "ocplan-t-fixture0-int"],
            result: CommandResult(
                exitStatus: 125, stdout: recorded.stdout,
                stderr: Data(
                    "Error: inspecting object: network extra: unable to find network: network not found\n".utf8)))
        try addRecordings(to: runner)
        return (change(address, .update, before: tree, after: after), runner)
    }

    /// The context commands are computed in.
    static func context(privateState: Value? = nil) -> ChangeContext {
        ChangeContext(stack: stack, host: host, privateState: privateState)
    }

    /// A container inspect element of the recorded output.
    static func container(_ short: String) throws -> PodmanJSON.Container {
        let all = try PodmanJSON.decodeArray(PodmanJSON.Container.self, from: try data("container-inspect.json"))
        return try #require(all.first { $0.name == name(short) })
    }

    /// The recorded image defaults.
    static func image() throws -> PodmanJSON.Image {
        try #require(try PodmanJSON.decodeArray(PodmanJSON.Image.self, from: try data("image-inspect.json")).first)
    }

    /// The argv of commands.
    static func argv(_ commands: [Command]) -> [[String]] { commands.map(\.argv) }
}
