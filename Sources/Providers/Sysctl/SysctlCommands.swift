import Foundation
import OCCore

/// The argv of every command the sysctl provider runs (the same on Linux and macOS).
public enum SysctlCommands {
    /// Reads several keys at once: `sysctl KEY…` (prints `key = value` on Linux, `key: value` on macOS).
    public static func read(_ keys: [String]) -> Command { Command(["sysctl"] + keys) }

    /// Sets a key at runtime: `sysctl -w key=value` (needs root; the host's `become` adds `sudo`).
    public static func write(key: String, value: String) -> Command {
        Command(["sysctl", "-w", "\(key)=\(value)"], mutating: true)
    }

    /// Reads a persistence file: `cat FILE` (a missing file exits 1 with "No such file or directory").
    public static func readFile(_ path: String) -> Command { Command(["cat", path]) }

    /// The temporary file a persistence file is written to before it is moved into place.
    public static func temporaryPath(for path: String) -> String { path + ".ocplan-tmp" }

    /// The commands that carry out `edit` on the file at `path`.
    ///
    /// Writing is atomic: `mkdir -p DIR`, `tee FILE.ocplan-tmp` with the content on standard input (its
    /// standard output is ignored), then `mv -f FILE.ocplan-tmp FILE`. Removing is `rm -f FILE`.
    ///
    /// - Parameters:
    ///   - edit: what to do with the file.
    ///   - path: the file's absolute path on the host.
    /// - Returns: the mutating commands, in order (none for ``SysctlPersistenceFile/Edit/unchanged``).
    public static func persistence(_ edit: SysctlPersistenceFile.Edit, path: String) -> [Command] {
        switch edit {
        case .unchanged:
            return []
        case .remove:
            return [Command(["rm", "-f", path], mutating: true)]
        case .write(let text):
            let temporary = temporaryPath(for: path)
            return [
                Command(["mkdir", "-p", directory(of: path)], mutating: true),
                Command(["tee", temporary], stdin: Data(text.utf8), mutating: true),
                Command(["mv", "-f", temporary, path], mutating: true),
            ]
        }
    }

    /// The folder holding `path` (`/` for a file at the root).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
