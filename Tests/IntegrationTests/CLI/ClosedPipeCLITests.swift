import Foundation
import OCTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A closed standard output (`ocplan … | head -0`) ends the CLIs quietly, as it does Unix tools.
@Suite struct ClosedPipeCLITests {
    /// How one run ended.
    struct Ending {
        var exitStatus: Int32?
        var signal: Int32?
        var stderr: String
    }

    /// Runs `ocplan` with standard output on a pipe whose read end is already closed, so its first write
    /// fails with `EPIPE`. (The binary is started directly: the pipe must be this test's own.)
    static func runWithClosedStdout(_ arguments: [String], environment: [String: String] = [:]) async throws -> Ending {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        let writeEnd = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
        let errors = try TempDirectory(prefix: "ocplan-pipe")
        let errorPath = errors.path + "/stderr"
        #expect(FileManager.default.createFile(atPath: errorPath, contents: nil))
        let errorHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))

        let process = Process()
        process.executableURL = Binaries.directory.appendingPathComponent("ocplan")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["NO_COLOR": "1"]) { $1 })
        { $1 }
        process.standardOutput = writeEnd
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        let ended = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        try process.run()
        try writeEnd.close()
        for await _ in ended {}
        try errorHandle.close()
        let stderr = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        let signalled = process.terminationReason == .uncaughtSignal
        return Ending(
            exitStatus: signalled ? nil : process.terminationStatus,
            signal: signalled ? process.terminationStatus : nil,
            stderr: stderr)
    }

    static let example = repositoryRoot.appendingPathComponent("examples/files").path

    @Test(arguments: [["validate"], ["graph"], ["--state-dir", "STATE"]])
    func aClosedStdoutEndsQuietly(_ command: [String]) async throws {
        let state = try TempDirectory(prefix: "ocplan-pipe-state")
        let arguments = command.map { $0 == "STATE" ? state.path : $0 } + [Self.example]
        let ending = try await Self.runWithClosedStdout(
            arguments, environment: ["OCPLAN_EXAMPLE_TOKEN": "pipe-test-token"])
        let quiet = ending.exitStatus == 0 || ending.exitStatus == 141 || ending.signal == SIGPIPE
        #expect(quiet, "exit \(String(describing: ending.exitStatus)), signal \(String(describing: ending.signal))")
        #expect(!ending.stderr.contains("Fatal error"), "\(ending.stderr.prefix(500))")
        #expect(!ending.stderr.contains("Backtrac"), "\(ending.stderr.prefix(500))")
    }
}
