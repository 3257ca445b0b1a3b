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

    /// Reads a persistence file: `cat -- FILE` (a missing file exits 1 with "No such file or directory").
    public static func readFile(_ path: String) -> Command { HostFile.read(path) }

    /// The commands that carry out `edit` on the file at `path`.
    ///
    /// Writing is atomic, through a fresh `mktemp` file renamed over the file
    /// (``HostFile/write(_:to:mode:owner:group:os:)``, mode 0644). Removing is `rm -f -- FILE`.
    ///
    /// - Parameters:
    ///   - edit: what to do with the file.
    ///   - path: the file's absolute path on the host.
    ///   - os: the host's operating system.
    /// - Returns: the mutating commands, in order (none for ``SysctlPersistenceFile/Edit/unchanged``).
    public static func persistence(_ edit: SysctlPersistenceFile.Edit, path: String, os: OCCore.Host.OS) -> [Command] {
        switch edit {
        case .unchanged:
            return []
        case .remove:
            return [HostFile.remove(path)]
        case .write(let text):
            return HostFile.write(text, to: path, os: os)
        }
    }

    /// Every builder above that takes a manifest value, for `ArgvInjectionTests` (see ``ArgvBuilder``).
    package static let argvBuilders: [ArgvBuilder] = {
        let key = "sysctl:\n  s: { key: \"VALUE\", value: \"1\" }\n"
        let file = "sysctl:\n  s: { key: net.ipv4.ip_forward, value: \"1\", persist: true, persistFile: \"VALUE\" }\n"
        return [
            ArgvBuilder("sysctl: key", manifest: key) { [read([$0])] },
            ArgvBuilder("sysctl -w: key", manifest: key) { [write(key: $0, value: "1")] },
            ArgvBuilder("sysctl -w: value") { [write(key: "net.ipv4.ip_forward", value: $0)] },
            ArgvBuilder("read persistence file", manifest: file) { [readFile($0)] },
            ArgvBuilder("write persistence file", manifest: file) {
                persistence(.write("x\n"), path: $0, os: .linux) + persistence(.write("x\n"), path: $0, os: .macos)
            },
            ArgvBuilder("remove persistence file", manifest: file) { persistence(.remove, path: $0, os: .linux) },
        ]
    }()
}
