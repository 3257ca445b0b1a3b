import Foundation

/// Reading and writing small files on a host through its runner: the one implementation every provider that
/// keeps a file of its own (persistence files, rules files, units) uses.
///
/// Writes are atomic: the content goes to `FILE.ocplan-tmp` beside the file and is renamed over it, so a
/// reader never sees half a file.
public enum HostFile {
    /// Reads a file: `cat FILE` (a missing file exits 1 with "FILE: No such file or directory").
    public static func read(_ path: String) -> Command { Command(["cat", path]) }

    /// The temporary file a file is written to before it is moved into place.
    public static func temporaryPath(for path: String) -> String { path + ".ocplan-tmp" }

    /// Writes `text` to `path` atomically: `mkdir -p DIR`, `tee FILE.ocplan-tmp` (content on standard input,
    /// its standard output ignored), `chmod MODE` when a mode is given, then `mv -f FILE.ocplan-tmp FILE`.
    public static func write(_ text: String, to path: String, mode: String? = nil) -> [Command] {
        let temporary = temporaryPath(for: path)
        var commands = [
            Command(["mkdir", "-p", directory(of: path)], mutating: true),
            Command(["tee", temporary], stdin: Data(text.utf8), mutating: true),
        ]
        if let mode { commands.append(Command(["chmod", mode, temporary], mutating: true)) }
        commands.append(Command(["mv", "-f", temporary, path], mutating: true))
        return commands
    }

    /// Removes a file if it exists: `rm -f FILE`.
    public static func remove(_ path: String) -> Command { Command(["rm", "-f", path], mutating: true) }

    /// The folder holding `path` (`/` for a file at the root).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// Reads a file on the host.
    ///
    /// - Parameters:
    ///   - path: the file's absolute path.
    ///   - runner: the runner bound to the host.
    ///   - host: the host's name, for the error.
    /// - Returns: the file's text, or `nil` when it does not exist.
    /// - Throws: ``CommandFailure`` when `cat` fails for another reason (no permission, a broken transport).
    public static func contents(of path: String, runner: any CommandRunner, host: String) async throws -> String? {
        let command = read(path)
        let result = try await runner.run(command)
        if result.succeeded { return result.stdoutText }
        if isMissing(path, result) { return nil }
        throw CommandFailure.exited(command, result, host: host)
    }

    /// Whether a command about one path (`cat`, `stat`, `readlink`) failed only because the path does not exist.
    ///
    /// That is exit status 1 with a line of standard error that names the path (as is, or in single quotes as
    /// GNU tools quote it) and ends in `No such file or directory`: `cat: PATH: No such file or directory`,
    /// `stat: cannot statx 'PATH': No such file or directory`, macOS `stat: PATH: stat: No such file or
    /// directory`. Anything else — permission denied, exit 255 from ssh, a transport failure that names no path
    /// (a missing namespace) — is a failure, never "absent".
    ///
    /// - Parameters:
    ///   - path: the one path the command was about.
    ///   - result: what the command produced.
    /// - Returns: `true` when the path is missing.
    public static func isMissing(_ path: String, _ result: CommandResult) -> Bool {
        guard result.exitStatus == 1 else { return false }
        return result.stderrText.split(whereSeparator: \.isNewline).contains { line in
            line.hasSuffix("No such file or directory")
                && (line.contains(path + ":") || line.contains("'" + path + "'"))
        }
    }
}
