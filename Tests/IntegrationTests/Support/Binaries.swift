import Foundation
import OCCore
import OCExec

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// Runs the built `ocplan` and `ocapply` executables as a user would.
enum Binaries {
    /// The folder holding the built products (`.build/debug`), next to the test bundle.
    static var directory: URL {
        if let explicit = ProcessInfo.processInfo.environment["OCPLAN_BIN_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("ocplan").path) {
                return candidate
            }
            candidate = candidate.deletingLastPathComponent()
        }
        return repositoryRoot.appendingPathComponent(".build/debug")
    }

    /// The result of one run.
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `program` (`ocplan` or `ocapply`) with `arguments` and the given extra environment.
    ///
    /// A run longer than `timeout` is ended and throws (a `CommandFailure` that says it timed out).
    static func run(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> Run {
        let path = directory.appendingPathComponent(program).path
        var env = environment
        env["NO_COLOR"] = "1"
        let result = try await SubprocessRunner().run(
            Command([path] + arguments, stdin: stdin.map { Data($0.utf8) }, environment: env, timeout: timeout))
        return Run(status: result.exitStatus, stdout: result.stdoutText, stderr: result.stderrText)
    }
}
