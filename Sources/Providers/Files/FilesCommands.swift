import Foundation
import OCCore

/// The argv of every command the files provider runs (pure builders, asserted by tests).
public enum FilesCommands {
    /// `stat` of many paths at once: one record per path in argument order, without the path itself.
    ///
    /// No path content can then be mistaken for a field or another record. On Linux five NUL-terminated fields
    /// `mode\0size\0type\0owner\0group\0` (`--printf`), on macOS, whose `stat -f` cannot print a NUL, one
    /// tab-separated line `mode\tsize\ttype\towner\tgroup` (none of these fields holds a tab or a newline).
    /// A path that cannot be read prints nothing and makes the exit status 1.
    public static func stat(_ paths: [String], os: OCCore.Host.OS) -> Command {
        switch os {
        case .linux:
            return Command(
                ["stat", "-L", "--printf", "%a\\0%s\\0%F\\0%U\\0%G\\0", "--"] + paths, timeout: .seconds(30))
        case .macos:
            return Command(["stat", "-L", "-f", "%Lp\t%z\t%HT\t%Su\t%Sg", "--"] + paths, timeout: .seconds(30))
        }
    }

    /// `cat` of many files at once (split by the sizes `stat` reported).
    public static func cat(_ paths: [String]) -> Command {
        Command(["cat", "--"] + paths, timeout: .seconds(60))
    }

    /// Writes a file atomically: parent folders, a temporary file beside it, its mode and owner, then a rename.
    public static func write(_ desired: Value) -> [Command] {
        guard let path = desired["path"].stringValue else { return [] }
        let temporary = path + ".ocplan-tmp"
        let directory = (path as NSString).deletingLastPathComponent
        var commands = [
            Command(["mkdir", "-p", "--", directory.isEmpty ? "/" : directory], mutating: true),
            // The temporary file is private before any content reaches it (the content may be a secret).
            Command(["rm", "-f", "--", temporary], mutating: true),
            Command(["touch", "--", temporary], mutating: true),
            Command(["chmod", "0600", "--", temporary], mutating: true),
            Command(
                ["tee", "--", temporary], stdin: Data((desired["content"].stringValue ?? "").utf8), mutating: true),
            Command(["chmod", desired["mode"].stringValue ?? "0644", "--", temporary], mutating: true),
        ]
        if desired["owner"].stringValue != nil || desired["group"].stringValue != nil {
            commands.append(chown(owner: desired["owner"].stringValue, group: desired["group"].stringValue, temporary))
        }
        commands.append(Command(["mv", "-f", "--", temporary, path], mutating: true))
        return commands
    }

    /// `chmod MODE PATH`.
    public static func chmod(_ mode: String, _ path: String) -> Command {
        Command(["chmod", mode, "--", path], mutating: true)
    }

    /// `chown [OWNER][:GROUP] PATH`.
    public static func chown(owner: String?, group: String?, _ path: String) -> Command {
        let spec = (owner ?? "") + (group.map { ":" + $0 } ?? "")
        return Command(["chown", spec, "--", path], mutating: true)
    }

    /// `rm -f PATH`.
    public static func remove(_ path: String) -> Command {
        Command(["rm", "-f", "--", path], mutating: true)
    }
}
