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
    public static func readFile(_ path: String) -> Command { HostFile.read(path) }

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
            return [HostFile.remove(path)]
        case .write(let text):
            return HostFile.write(text, to: path)
        }
    }
}
