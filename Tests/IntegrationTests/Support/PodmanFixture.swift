import Foundation
import Logging
import OCContainerModel
import OCCore
import OCExec
import OCPodman
import OCTestSupport
import Synchronization
import Testing

/// Real Podman for the integration tests: the busybox test image, a stack with a unique prefix, and the
/// engine (loader, planner, applier, journal) around it.
///
/// The Podman store is shared with other sessions, so every object a test makes has the stack's unique
/// prefix `ocplan-t-XXXXXXXX-` in its name and either the stack's label or the test label
/// ``testLabel``, and ``withPodmanStack(_:)`` removes all of them afterwards, also when the test fails.
/// Observations are filtered by that label or prefix; nothing else in the store is touched.
struct PodmanFixture: Sendable {
    /// The image every test container runs: imported once from Debian's busybox-static.
    static let baseImage = "localhost/ocplan-busybox:test"
    /// The label on objects a test makes by hand (the stack's own carry `io.ocplan.stack`).
    static let testLabel = "ocplan.test"
    /// The applets linked to /bin/busybox in the image.
    static let applets = [
        "sh", "sleep", "nc", "wget", "httpd", "ip", "cat", "echo", "env", "id", "ls", "hostname", "printf", "true",
        "false", "nslookup", "ps", "grep", "mkdir", "touch",
    ]
    /// A command that runs until stopped and stops at once on SIGTERM (PID 1 ignores signals it has no handler
    /// for, so a bare `sleep` would make every stop wait for Podman's 10 s timeout).
    static let idleCommand = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]

    /// Whether the real Podman tests run: always under `CI=true` (a missing Podman then fails through
    /// `#require`), elsewhere when Podman is installed and this runs as root on Linux.
    static var isSupported: Bool {
        #if os(Linux)
        if ProcessInfo.processInfo.environment["CI"] == "true" { return true }
        return ToolLocator.isAvailable("podman") && Transport.isRunningAsRoot
        #else
        return false
        #endif
    }

    /// The runner for `podman` on this machine.
    static let runner: any CommandRunner = SubprocessRunner()

    /// Runs `podman ARGS…` and returns the result (failures are results, not errors).
    @discardableResult
    static func podman(_ arguments: [String]) async throws -> CommandResult {
        try await runner.run(Command(["podman"] + arguments))
    }

    /// Runs `podman ARGS…`, requiring success, and returns standard output.
    @discardableResult
    static func podmanOutput(_ arguments: [String]) async throws -> String {
        try await runner.check(Command(["podman"] + arguments), host: "local").stdoutText
    }

    /// Makes sure ``baseImage`` exists, importing it from /bin/busybox when it does not.
    ///
    /// Idempotent and safe when several test processes do it at once: each imports under the same tag and the
    /// last one wins, which is why stacks run a tag of their own (``PodmanStack/image``), not this one.
    static func ensureBaseImage() async throws {
        try #require(ToolLocator.isAvailable("podman"), "podman is needed: apt-get install podman runc")
        if try await podman(["image", "exists", baseImage]).succeeded { return }
        let busybox = "/bin/busybox"
        try #require(FileManager.default.isExecutableFile(atPath: busybox), "apt-get install busybox-static")
        let work = try TempDirectory(prefix: "ocplan-busybox-image")
        let root = work.url.appendingPathComponent("rootfs")
        for folder in ["bin", "etc", "tmp", "var/www", "data"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: busybox, toPath: root.appendingPathComponent("bin/busybox").path)
        for applet in applets {
            try FileManager.default.createSymbolicLink(
                atPath: root.appendingPathComponent("bin/\(applet)").path, withDestinationPath: "busybox")
        }
        try "ocplan test\n".write(
            to: root.appendingPathComponent("var/www/index.html"), atomically: true, encoding: .utf8)
        let tarball = work.url.appendingPathComponent("rootfs.tar").path
        try await runner.check(Command(["tar", "-C", root.path, "-cf", tarball, "."]), host: "local")
        try await runner.check(
            Command(["podman", "import", "--quiet", "--change", "CMD [\"sh\"]", tarball, baseImage]), host: "local")
    }

    /// Tags `image` as `name` under ``withImageNamesLock(_:)``, again while the tag is not there (a process that does
    /// not take the lock may have tagged the same image at the same moment).
    static func tag(_ image: String, as name: String) async throws {
        for _ in 0..<10 {
            _ = try await withImageNamesLock { try await podmanOutput(["tag", image, name]) }
            if try await podman(["image", "exists", name]).succeeded { return }
        }
        Issue.record("podman tag \(image) \(name) lost the tag 10 times")
    }

    /// Runs `body` holding an exclusive `flock` shared by every test process on this machine.
    ///
    /// Podman 4.3 loses a name when two processes change the names of one image at once (`podman tag` exits 0, yet
    /// the tag is gone: both read the list of names and the last write wins), and every stack tags the same base
    /// image. So tagging and untagging in the tests take this lock. Within this process the tests take turns first
    /// (``ImageNamesTurns``), so at most one task blocks a thread in `flock`, and only while another process holds it.
    static func withImageNamesLock<T>(_ body: () async throws -> T) async throws -> T {
        await imageNamesTurns.take()
        do {
            let result = try await withFileLock(body)
            await imageNamesTurns.give()
            return result
        } catch {
            await imageNamesTurns.give()
            throw error
        }
    }

    private static func withFileLock<T>(_ body: () async throws -> T) async throws -> T {
        let descriptor = open("/tmp/ocplan-test-image-names.lock", O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o600)
        try #require(descriptor >= 0, "cannot open the image names lock: errno \(errno)")
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            try #require(errno == EINTR, "cannot lock the image names lock: errno \(errno)")
        }
        return try await body()
    }

    static let imageNamesTurns = ImageNamesTurns()

    /// A new unique prefix `ocplan-t-XXXXXXXX`.
    static func uniquePrefix() -> String {
        let hex = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "ocplan-t-" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// A random /24 in 10.200.0.0 – 10.249.255.0 (not one used by another network here).
    static func freeSubnet() async throws -> String {
        let listed = try await podmanOutput(["network", "ls", "--format", "{{range .Subnets}}{{.Subnet}} {{end}}"])
        while true {
            let subnet = "10.\(Int.random(in: 200...249)).\(Int.random(in: 0...255)).0/24"
            if !listed.contains(subnet) { return subnet }
        }
    }
}

/// Turns for ``PodmanFixture/withImageNamesLock(_:)`` within this process: one task at a time, in arrival order.
actor ImageNamesTurns {
    private var taken = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Waits for the turn.
    func take() async {
        guard taken else {
            taken = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the turn to the next waiting task.
    func give() {
        if waiting.isEmpty { taken = false } else { waiting.removeFirst().resume() }
    }
}

/// One test's stack on the real Podman: a manifest folder, a state journal and the engine.
final class PodmanStack: Sendable {
    /// The stack name, which is also the prefix of every object name.
    let prefix: String
    /// The image the stack's containers run: a tag of the base image that only this stack uses, so another
    /// test process re-importing the base image cannot move it.
    let image: String
    let manifestDirectory: TempDirectory
    let stateDirectory: TempDirectory
    let journal: StateJournal
    /// Anonymous volumes the stack's containers had before an apply: a replace leaves them behind (Podman's
    /// `rm` without `--volumes`), so ``cleanUp()`` removes them.
    private let anonymousVolumes = Mutex<Set<String>>([])

    /// Creates a stack with a unique prefix (or `prefix`, for recording fixtures).
    init(prefix: String = PodmanFixture.uniquePrefix()) throws {
        self.prefix = prefix
        image = "localhost/ocplan-busybox:\(prefix)"
        manifestDirectory = try TempDirectory(prefix: "ocplan-podman-manifest")
        stateDirectory = try TempDirectory(prefix: "ocplan-podman-state")
        journal = try StateJournal(stack: prefix, stateDirectory: stateDirectory.path)
    }

    /// `PREFIX-NAME`: the name of one of the stack's objects.
    func name(_ short: String) -> String { "\(prefix)-\(short)" }

    /// The engine around the stack's journal, with the real runner.
    var context: EngineContext {
        EngineContext(
            registry: ProviderRegistry([PodmanProvider()]),
            runner: { host in makeRunner(for: host, base: SubprocessRunner()) },
            journal: journal, logger: Logger(label: "podman-real-test"))
    }

    /// Loads `body` (the manifest after `version` and `stack`), returning the manifest or failing the test.
    func load(_ body: String) async throws -> Manifest {
        try manifestDirectory.write("version: 1\nstack: \(prefix)\n" + body, to: "stack.yaml")
        let catalog = SpecCatalog([NetworkSpec.self, ContainerSpec.self, VolumeSpec.self, ImageSpec.self])
        let (manifest, diagnostics) = await ManifestLoader(catalog: catalog, environment: [:])
            .load([manifestDirectory.path])
        return try #require(manifest, "\(diagnostics.errors)")
    }

    /// Loads the manifest folder as it is.
    func loadFolder() async throws -> Manifest {
        let catalog = SpecCatalog([NetworkSpec.self, ContainerSpec.self, VolumeSpec.self, ImageSpec.self])
        let (manifest, diagnostics) = await ManifestLoader(catalog: catalog, environment: [:])
            .load([manifestDirectory.path])
        return try #require(manifest, "\(diagnostics.errors)")
    }

    /// Plans `body`; returns the plan (or `nil`) and the diagnostics.
    func tryPlan(_ body: String, options: PlanOptions = PlanOptions()) async throws -> (Plan?, Diagnostics) {
        let manifest = try await load(body)
        return await Planner(context: context, environment: [:]).plan(manifest, options: options)
    }

    /// Plans `body`, requiring a plan.
    func plan(_ body: String, options: PlanOptions = PlanOptions()) async throws -> Plan {
        let (plan, diagnostics) = try await tryPlan(body, options: options)
        return try #require(plan, "\(diagnostics.errors)")
    }

    /// Applies `plan`, requiring that every action succeeded and converged.
    @discardableResult
    func apply(_ plan: Plan) async -> ApplyReport {
        await noteAnonymousVolumes()
        let report = await Applier(context: context).apply(plan)
        #expect(report.failed.map(\.error) == [])
        #expect(report.skipped.map(\.change.address) == [])
        #expect(report.notConverged.map { "\($0.change.address): \($0.attributes)" } == [])
        return report
    }

    /// Plans and applies `body`.
    @discardableResult
    func converge(_ body: String) async throws -> Plan {
        let plan = try await plan(body)
        await apply(plan)
        return plan
    }

    /// Remembers the anonymous volumes of the stack's containers (64-hex names).
    func noteAnonymousVolumes() async {
        let ids = await names(
            ["ps", "-a", "--filter", "label=\(PodmanLabels.stack)=\(prefix)", "--format", "{{.ID}}"], all: true)
        guard !ids.isEmpty,
            let result = try? await PodmanFixture.podman(
                ["container", "inspect", "--format", "{{range .Mounts}}{{.Name}} {{end}}"] + ids)
        else { return }
        let found = result.stdoutText.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            .filter { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }
        anonymousVolumes.withLock { $0.formUnion(found) }
    }

    /// The container's ID (`nil` when it does not exist).
    func containerID(_ name: String) async throws -> String? {
        let result = try await PodmanFixture.podman(["container", "inspect", "--format", "{{.Id}}", name])
        return result.succeeded ? result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// `podman container inspect --format FORMAT NAME`, trimmed.
    func inspect(_ name: String, _ format: String) async throws -> String {
        try await PodmanFixture.podmanOutput(["container", "inspect", "--format", format, name])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Removes every container, network and volume carrying the stack's label or the prefix.
    ///
    /// The stack's image tag goes too. Failures are recorded, not thrown.
    func cleanUp() async {
        let filters = ["label=\(PodmanLabels.stack)=\(prefix)", "name=^\(prefix)-"]
        // Twice: a container that shares another's network namespace (`container:NAME`) must go first.
        for pass in 1...2 {
            for filter in filters {
                for name in await names(["ps", "-a", "--filter", filter, "--format", "{{.Names}}"]) {
                    await remove(["rm", "--force", "--ignore", "--volumes", "--time", "0", name], recording: pass == 2)
                }
            }
        }
        for volume in anonymousVolumes.withLock({ $0 }).sorted() {
            _ = try? await PodmanFixture.podman(["volume", "rm", "--force", volume])
        }
        for filter in filters {
            for name in await names(["network", "ls", "--filter", filter, "--format", "{{.Name}}"]) {
                await remove(["network", "rm", "--force", name])
            }
            for name in await names(["volume", "ls", "--filter", filter, "--format", "{{.Name}}"]) {
                await remove(["volume", "rm", "--force", name])
            }
        }
        for image in await names(["images", "--format", "{{.Repository}}:{{.Tag}}"])
        where image.contains(prefix) {
            _ = try? await PodmanFixture.withImageNamesLock { await remove(["image", "rm", "--force", image]) }
        }
        // Images a test built, intermediate and untagged ones included, carry the test label.
        let built = try? await PodmanFixture.podman(
            ["images", "--all", "--filter", "label=\(PodmanFixture.testLabel)=\(prefix)", "--format", "{{.ID}}"])
        for id in (built?.stdoutText ?? "").split(whereSeparator: \.isNewline).map(String.init) {
            let result = try? await PodmanFixture.podman(["image", "rm", "--force", id])
            if result?.succeeded != true, result?.stderrText.contains("image not known") != true {
                Issue.record("cleanup failed: podman image rm --force \(id)")
            }
        }
    }

    private func names(_ arguments: [String], all: Bool = false) async -> [String] {
        let result = try? await PodmanFixture.podman(arguments)
        return (result?.stdoutText ?? "").split(whereSeparator: \.isNewline).map(String.init)
            .filter { all || $0.contains(prefix) }
    }

    private func remove(_ arguments: [String], recording: Bool = true) async {
        guard let result = try? await PodmanFixture.podman(arguments), result.succeeded else {
            if recording { Issue.record("cleanup failed: podman \(arguments.joined(separator: " "))") }
            return
        }
    }
}

/// Runs `body` with a fresh stack on the real Podman, its image tag in place, and removes everything the stack
/// made afterwards, whether `body` returns or throws.
///
/// - Parameter body: the test.
/// - Throws: a recorded `#require` failure when Podman is missing, or what `body` throws.
func withPodmanStack(_ body: (PodmanStack) async throws -> Void) async throws {
    try await PodmanFixture.ensureBaseImage()
    let stack = try PodmanStack()
    try await PodmanFixture.tag(PodmanFixture.baseImage, as: stack.image)
    do {
        try await body(stack)
    } catch {
        await Task { await stack.cleanUp() }.value
        throw error
    }
    await Task { await stack.cleanUp() }.value
}
