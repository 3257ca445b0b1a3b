import Foundation

/// Reading and writing small files on a host through its runner: the one implementation every provider that
/// writes a file through commands (managed files, persistence files, rules files, units) uses.
///
/// Writes are atomic and never go through a predictable name: `mktemp` creates a fresh file (mode 0600,
/// `O_EXCL`) with a random name beside the destination, the content goes to it on standard input, its mode and
/// owner are set, and it is renamed over the destination. A symlink at the destination is replaced by the file,
/// never written through (`mv -T` on Linux, `mv -h` on macOS). When a step fails the temporary file is removed.
package enum HostFile {
    /// The name under which the temporary file's path is passed between the commands of a write (`$TMP`).
    package static let temporary = "TMP"

    /// Reads a file: `cat -- FILE` (a missing file exits 1 with "FILE: No such file or directory").
    package static func read(_ path: String) -> Command { Command(["cat", "--", path]) }

    /// The `mktemp` template for a file written to `path`: `DIR/.NAME.XXXXXXXXXX` (GNU and BSD `mktemp` both
    /// read a template with a folder; the name is hidden and does not end like the file, so nothing loads a
    /// leftover).
    package static func temporaryTemplate(for path: String) -> String {
        let directory = directory(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? "file"
        return (directory == "/" ? "" : directory) + "/." + name + ".XXXXXXXXXX"
    }

    /// Writes `text` to `path` atomically.
    ///
    /// 1. `mkdir -p -- DIR`
    /// 2. `TMP=$(mktemp -- DIR/.NAME.XXXXXXXXXX)` (undone with `rm -f -- $TMP` when a later step fails)
    /// 3. `tee -- $TMP` with the content on standard input (its standard output ignored)
    /// 4. `chmod -- MODE $TMP`, and `chown -- [OWNER][:GROUP] $TMP` when an owner or group is given
    /// 5. `mv -f -T -- $TMP FILE` on Linux, `mv -f -h -- $TMP FILE` on macOS.
    ///
    /// Run the commands with ``CommandRunner/checkAll(_:host:)`` (or one ``CommandBindings``), which fills in
    /// `$TMP` from `mktemp`'s output.
    ///
    /// - Parameters:
    ///   - text: the content.
    ///   - path: the destination's absolute path.
    ///   - mode: the octal mode the file gets.
    ///   - owner: the owning user, if it is set.
    ///   - group: the owning group, if it is set.
    ///   - os: the host's operating system, which picks `mv`'s flags.
    /// - Returns: the commands, in order.
    package static func write(
        _ text: String, to path: String, mode: String = "0644", owner: String? = nil, group: String? = nil,
        os: Host.OS
    ) -> [Command] {
        let tmp = Command.reference(temporary)
        var make = Command(["mktemp", "--", temporaryTemplate(for: path)], mutating: true)
        make.defines = temporary
        make.undo = ["rm", "-f", "--", tmp]
        var commands = [
            Command(["mkdir", "-p", "--", directory(of: path)], mutating: true),
            make,
            using(Command(["tee", "--", tmp], stdin: Data(text.utf8), mutating: true)),
            using(Command(["chmod", "--", mode, tmp], mutating: true)),
        ]
        if owner != nil || group != nil {
            let spec = (owner ?? "") + (group.map { ":" + $0 } ?? "")
            commands.append(using(Command(["chown", "--", spec, tmp], mutating: true)))
        }
        commands.append(using(install(tmp, to: path, os: os)))
        return commands
    }

    /// `mv -f -T -- FROM TO` (Linux) or `mv -f -h -- FROM TO` (macOS): renames `FROM` over `TO`, replacing a
    /// symlink at `TO` rather than following it.
    package static func install(_ from: String, to path: String, os: Host.OS) -> Command {
        Command(["mv", "-f", os == .macos ? "-h" : "-T", "--", from, path], mutating: true)
    }

    /// Removes the temporary file of a write: `rm -f -- $TMP`.
    package static func removeTemporary() -> Command { using(remove(Command.reference(temporary))) }

    /// Marks every `$TMP` element of `command` as the temporary file's path, filled in when it runs.
    package static func using(_ command: Command) -> Command {
        var copy = command
        for (index, word) in command.argv.enumerated() where word == Command.reference(temporary) {
            copy.uses[index] = temporary
        }
        return copy
    }

    /// Copies a file with its mode and times, before it is replaced: `cp -p -- FILE COPY`.
    package static func copy(_ path: String, to copy: String) -> Command {
        Command(["cp", "-p", "--", path, copy], mutating: true)
    }

    /// Removes a file if it exists: `rm -f -- FILE`.
    package static func remove(_ path: String) -> Command { Command(["rm", "-f", "--", path], mutating: true) }

    /// The folder holding `path` (`/` for a file at the root).
    package static func directory(of path: String) -> String {
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
    package static func contents(of path: String, runner: any CommandRunner, host: String) async throws -> String? {
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
    package static func isMissing(_ path: String, _ result: CommandResult) -> Bool {
        guard result.exitStatus == 1 else { return false }
        return result.stderrText.split(whereSeparator: \.isNewline).contains { line in
            line.hasSuffix("No such file or directory")
                && (line.contains(path + ":") || line.contains("'" + path + "'"))
        }
    }
}

extension HostFile {
    /// Every builder above that takes a path, for `ArgvInjectionTests` (see ``ArgvBuilder``): each path follows
    /// a `--`. (The providers' lists check that their manifests refuse such paths too.)
    package static let argvBuilders: [ArgvBuilder] = [
        ArgvBuilder("cat") { [read($0)] },
        ArgvBuilder("write") { write("x\n", to: $0, os: .linux) + write("x\n", to: $0, os: .macos) },
        ArgvBuilder("write: owner and group") { write("x\n", to: "/tmp/f", owner: $0, group: $0, os: .linux) },
        ArgvBuilder("install") { [install("/tmp/.f.1", to: $0, os: .linux), install($0, to: "/tmp/f", os: .macos)] },
        ArgvBuilder("rm") { [remove($0)] },
        ArgvBuilder("cp") { [copy($0, to: "/tmp/f.backup"), copy("/tmp/f", to: $0)] },
    ]
}
