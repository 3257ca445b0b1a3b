import Foundation

/// Finds programs on `PATH` the way ``SubprocessRunner`` will, without running anything.
///
/// Used to report a missing prerequisite before planning (a missing tool is not an error at plan
/// time) and by tests that need a real tool. Only absolute `PATH` entries are searched; empty and
/// relative entries (which would mean the working directory) are skipped, as swift-subprocess does.
package enum ToolLocator {
    /// The directories searched when no `PATH` is set.
    package static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"

    /// Returns the full path of the first executable file called `program` on `path`.
    ///
    /// A `program` that contains `/` is checked as a path on its own.
    ///
    /// - Parameters:
    ///   - program: a program name such as `podman`, or a path.
    ///   - path: a colon-separated list of directories; defaults to this process's `PATH`.
    /// - Returns: the executable's path, or `nil` when there is none.
    package static func find(
        _ program: String,
        path: String? = ProcessInfo.processInfo.environment["PATH"]
    ) -> String? {
        guard !program.isEmpty else { return nil }
        if program.contains("/") {
            return isExecutableFile(program) ? program : nil
        }
        let directories = (path ?? defaultSearchPath).split(separator: ":").map(String.init)
        for directory in directories where directory.hasPrefix("/") {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(program).path
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// Whether an executable file called `program` is on `path`.
    ///
    /// - Parameters:
    ///   - program: a program name such as `podman`, or a path.
    ///   - path: a colon-separated list of directories; defaults to this process's `PATH`.
    /// - Returns: `true` when ``find(_:path:)`` finds it.
    package static func isAvailable(
        _ program: String,
        path: String? = ProcessInfo.processInfo.environment["PATH"]
    ) -> Bool {
        find(program, path: path) != nil
    }

    /// Whether `path` is a regular file (after following links) that this process may execute.
    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
        else { return false }
        return FileManager.default.isExecutableFile(atPath: path)
    }
}
