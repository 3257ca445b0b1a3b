import Foundation

/// What a finished command produced.
public struct CommandResult: Sendable, Hashable {
    /// The exit status (or 128 + signal number when the child was killed by a signal).
    public var exitStatus: Int32
    /// Everything the child wrote to standard output.
    public var stdout: Data
    /// Everything the child wrote to standard error.
    public var stderr: Data

    /// Creates a result.
    public init(exitStatus: Int32, stdout: Data = Data(), stderr: Data = Data()) {
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Creates a result from text outputs.
    public init(exitStatus: Int32, stdout: String, stderr: String = "") {
        self.init(exitStatus: exitStatus, stdout: Data(stdout.utf8), stderr: Data(stderr.utf8))
    }

    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// Whether the command exited with status 0.
    public var succeeded: Bool { exitStatus == 0 }
}
