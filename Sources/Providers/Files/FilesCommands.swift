import Foundation
import OCCore

/// The argv of every command the files provider runs (pure builders, asserted by tests).
package enum FilesCommands {
    /// `stat` of many paths at once: one record per path in argument order, without the path itself.
    ///
    /// No path content can then be mistaken for a field or another record. On Linux five NUL-terminated fields
    /// `mode\0size\0type\0owner\0group\0` (`--printf`), on macOS, whose `stat -f` cannot print a NUL, one
    /// tab-separated line `mode\tsize\ttype\towner\tgroup` (none of these fields holds a tab or a newline).
    /// A path that cannot be read prints nothing and makes the exit status 1.
    package static func stat(_ paths: [String], os: OCCore.Host.OS) -> Command {
        switch os {
        case .linux:
            return Command(
                ["stat", "-L", "--printf", "%a\\0%s\\0%F\\0%U\\0%G\\0", "--"] + paths, timeout: .seconds(30))
        case .macos:
            return Command(["stat", "-L", "-f", "%Lp\t%z\t%HT\t%Su\t%Sg", "--"] + paths, timeout: .seconds(30))
        }
    }

    /// `cat` of many files at once (split by the sizes `stat` reported).
    package static func cat(_ paths: [String]) -> Command {
        Command(["cat", "--"] + paths, timeout: .seconds(60))
    }

    /// The atomic write of the desired file (``FileWrite``, run as ``HostFile/write(_:to:mode:owner:group:os:)``):
    /// a fresh `mktemp` file beside it (mode 0600 from the start, since the content may be a secret), the content,
    /// its mode and owner, then a rename that replaces a symlink at the path instead of following it; none when
    /// the tree has no path.
    package static func write(_ desired: Value) -> FileWrite? {
        guard let path = desired["path"].stringValue else { return nil }
        return FileWrite(
            desired["content"].stringValue ?? "", to: path, mode: desired["mode"].stringValue ?? "0644",
            owner: desired["owner"].stringValue, group: desired["group"].stringValue)
    }

    /// The commands of ``write(_:)`` on `os`.
    package static func write(_ desired: Value, os: OCCore.Host.OS) -> [Command] {
        write(desired)?.commands(os: os) ?? []
    }

    /// `rm -f -- PATH`.
    package static func remove(_ path: String) -> Command { HostFile.remove(path) }

    /// `rmdir -- DIR`: removes a folder only when it is empty.
    package static func removeDirectory(_ path: String) -> Command { Command(["rmdir", "--", path], mutating: true) }
}

extension FilesCommands {
    /// Every builder above that takes a manifest value, for `ArgvInjectionTests` (see ``ArgvBuilder``).
    package static let argvBuilders: [ArgvBuilder] = {
        let file: Value = ["path": "/tmp/f", "content": "x", "mode": "0644"]
        @Sendable func with(_ key: String, _ value: String) -> Value {
            var tree = file
            tree[key] = .string(value)
            return tree
        }
        return [
            ArgvBuilder("stat") { [stat([$0], os: .linux), stat([$0], os: .macos)] },
            ArgvBuilder("cat") { [cat([$0])] },
            ArgvBuilder("write: path", manifest: "files:\n  f: { path: \"VALUE\", content: x }\n") {
                write(with("path", $0), os: .linux) + write(with("path", $0), os: .macos)
            },
            ArgvBuilder("write: owner") { write(with("owner", $0), os: .linux) },
            ArgvBuilder("write: group") { write(with("group", $0), os: .linux) },
            ArgvBuilder("rm") { [remove($0)] },
            ArgvBuilder("rmdir") { [removeDirectory($0)] },
        ]
    }()
}
