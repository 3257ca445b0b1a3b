import ArgumentParser
import Foundation
import OCCore
import OCExec

/// `ocplan-bench`: measures ocplan against the plain CLI and the observation floor on a real Podman (issue 11).
///
/// Not a test, and CI does not run it: see docs/development.md. Every name it makes starts with a unique prefix,
/// and it removes what it made, also when a step fails.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocplan-bench",
        abstract: "Measure ocplan's first apply, no-op plan, no-op apply and validate against the plain CLI.",
        discussion: """
            For each size N it generates N busybox containers on N/5 internal Podman networks (env, labels, \
            capDrop, a loopback port on every fifth), one iptables chain and one sysctl in a network namespace \
            it creates, and measures, as medians of --repeat runs:

              plain-cli     podman network create + podman run per object, then iptables and sysctl (no diffing)
              floor         podman ps + container inspect of all + network inspect of all + iptables-save + sysctl
              first-apply   ocapply --auto-approve on an empty machine
              noop-plan     ocplan on the applied state
              noop-apply    ocapply --auto-approve on the applied state
              validate      ocplan validate

            It prints the ratios the goals are stated in and the cost per extra container, and writes JSON \
            (--output) that a later run can be compared with (--compare). Needs root, Podman and the image \
            built by scripts/lab-image; scripts/bench does all of it in one command.
            """)

    @Option(help: "Sizes to measure, comma-separated.")
    var sizes: String = "10,40,160"

    @Option(help: "Runs per measurement (the median is reported).")
    var `repeat`: Int = 3

    @Option(help: "ocapply's --parallelism.")
    var parallelism: Int = 10

    @Option(help: "The image every container runs.")
    var image: String = "localhost/ocplan-busybox:lab"

    @Option(help: "Where to write the JSON results.")
    var output: String?

    @Option(help: "Earlier JSON results to compare with.")
    var compare: String?

    @Option(help: "The folder holding ocplan and ocapply (default: this executable's folder).")
    var binaries: String?

    func validate() throws {
        guard !parsedSizes.isEmpty, parsedSizes.allSatisfy({ $0 >= 5 }) else {
            throw ValidationError("--sizes takes numbers of at least 5, comma-separated, e.g. 10,40,160")
        }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
    }

    var parsedSizes: [Int] { sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        let folder =
            binaries.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let tools = Tools(folder: folder, parallelism: parallelism)
        try await tools.require(image: image)
        let previous = try compare.map { try Results.load(from: $0) }
        var results = Results(repeatCount: `repeat`, parallelism: parallelism, image: image)
        for size in parsedSizes {
            let prefix = "ocb" + String(UUID().uuidString.prefix(6)).lowercased()
            let workload = Workload(
                count: size, prefix: prefix, image: image, namespace: prefix + "-ns",
                portBase: 30_000 + Int.random(in: 0..<200) * 100)
            Progress.say("N=\(size): \(prefix), \(workload.networkCount) networks")
            let lab = try await Lab(workload: workload, tools: tools)
            do {
                results.sizes.append(try await lab.measure(repeatCount: `repeat`))
            } catch {
                await lab.cleanUp()
                throw error
            }
            await lab.cleanUp()
        }
        print(results.table(comparedWith: previous))
        if let output {
            try results.write(to: output)
            Progress.say("wrote \(output)")
        }
    }
}

/// Progress lines on standard error (the table goes to standard output).
enum Progress {
    static func say(_ line: String) { FileHandle.standardError.write(Data(("ocplan-bench: " + line + "\n").utf8)) }
}

/// The programs the benchmark runs, all through the one runner.
struct Tools: Sendable {
    var folder: URL
    var parallelism: Int
    let runner = SubprocessRunner()

    var ocplan: String { folder.appendingPathComponent("ocplan").path }
    var ocapply: String { folder.appendingPathComponent("ocapply").path }

    func require(image: String) async throws {
        for binary in [ocplan, ocapply] where !FileManager.default.isExecutableFile(atPath: binary) {
            throw ValidationError("\(binary) is missing: build it first (swift build -c release), or pass --binaries")
        }
        let exists = try await runner.run(Command(["podman", "image", "exists", "--", image]))
        guard exists.succeeded else { throw ValidationError("image \(image) is missing: run scripts/lab-image") }
    }

    /// Runs `argv`, failing with its output when it exits non-zero (unless `allowing` holds its status).
    @discardableResult
    func run(_ argv: [String], allowing: Set<Int32> = [0], timeout: Duration = .seconds(900)) async throws
        -> CommandResult
    {
        let result = try await runner.run(Command(argv, timeout: timeout))
        guard allowing.contains(result.exitStatus) else {
            throw ValidationError(
                "\(argv.prefix(4).joined(separator: " ")) … exited \(result.exitStatus):\n\(result.stdoutText)\n"
                    + result.stderrText)
        }
        return result
    }

    /// The seconds `body` takes.
    func time(_ body: () async throws -> Void) async rethrows -> Double {
        let clock = ContinuousClock()
        let elapsed = try await clock.measure { try await body() }
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// One size's machine state: the manifest folder, the state folder and the namespace.
struct Lab: Sendable {
    var workload: Workload
    var tools: Tools
    var folder: URL

    init(workload: Workload, tools: Tools) async throws {
        self.workload = workload
        self.tools = tools
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(workload.prefix)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try workload.manifest.write(
            to: folder.appendingPathComponent("stack.yaml"), atomically: true, encoding: .utf8)
        try await tools.run(["ip", "netns", "add", workload.namespace])
    }

    var manifest: String { folder.appendingPathComponent("stack.yaml").path }
    var state: [String] { ["--state-dir", folder.appendingPathComponent("state").path] }

    /// Removes every object of the workload, and gives the namespace its first state again (a new one).
    func reset() async throws {
        for argv in workload.cleanUpCommands { _ = try? await tools.runner.run(Command(argv)) }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("state"))
        _ = try? await tools.runner.run(Command(["ip", "netns", "del", workload.namespace]))
        try await tools.run(["ip", "netns", "add", workload.namespace])
    }

    func cleanUp() async {
        for argv in workload.cleanUpCommands { _ = try? await tools.runner.run(Command(argv)) }
        _ = try? await tools.runner.run(Command(["ip", "netns", "del", workload.namespace]))
        try? FileManager.default.removeItem(at: folder)
    }

    func measure(repeatCount: Int) async throws -> SizeResult {
        var samples: [Measure: [Double]] = [:]
        let apply = [tools.ocapply, "--auto-approve", "--no-color", "--parallelism", "\(tools.parallelism)"]
        for round in 1...repeatCount {
            Progress.say("N=\(workload.count) round \(round)/\(repeatCount): plain CLI")
            samples[.plainCLI, default: []].append(
                try await tools.time { for argv in workload.plainCommands { try await tools.run(argv) } })
            try await reset()
            Progress.say("N=\(workload.count) round \(round)/\(repeatCount): first apply")
            samples[.firstApply, default: []].append(
                try await tools.time { try await tools.run(apply + state + [manifest]) })
            Progress.say("N=\(workload.count) round \(round)/\(repeatCount): no-op plan, no-op apply, validate, floor")
            samples[.noopPlan, default: []].append(
                try await tools.time {
                    try await tools.run([tools.ocplan, "--detailed-exitcode", "--no-color"] + state + [manifest])
                })
            samples[.noopApply, default: []].append(
                try await tools.time { try await tools.run(apply + state + [manifest]) })
            samples[.validate, default: []].append(
                try await tools.time { try await tools.run([tools.ocplan, "validate", manifest]) })
            samples[.floor, default: []].append(
                try await tools.time { for argv in workload.floorCommands { try await tools.run(argv) } })
            try await tools.run([tools.ocapply, "--destroy", "--auto-approve", "--no-color"] + state + [manifest])
            try await reset()
        }
        return SizeResult(count: workload.count, samples: samples)
    }
}
