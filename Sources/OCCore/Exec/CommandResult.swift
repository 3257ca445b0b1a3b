import Foundation

/// What a finished command produced.
package struct CommandResult: Sendable, Hashable {
    /// The exit status (or 128 + signal number when the child was killed by a signal).
    package var exitStatus: Int32
    /// Everything the child wrote to standard output.
    package var stdout: Data
    /// Everything the child wrote to standard error.
    package var stderr: Data

    /// Creates a result.
    package init(exitStatus: Int32, stdout: Data = Data(), stderr: Data = Data()) {
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Creates a result from text outputs.
    package init(exitStatus: Int32, stdout: String, stderr: String = "") {
        self.init(exitStatus: exitStatus, stdout: Data(stdout.utf8), stderr: Data(stderr.utf8))
    }

    /// Standard output decoded as UTF-8 (invalid bytes replaced).
    package var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error decoded as UTF-8 (invalid bytes replaced).
    package var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// Whether the command exited with status 0.
    package var succeeded: Bool { exitStatus == 0 }
}
