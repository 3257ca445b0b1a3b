import Foundation
import OCCore

/// The file commands ``HostFile`` builds, answered against a fake host's files: the one implementation the fakes
/// (``FakePfctlCLI``, the sysctl tests' host) share.
///
/// It knows `cat -- FILE`, `tee -- FILE`, `mkdir -p -- DIR`, `mktemp -- TEMPLATE` (a new empty file, mode 0600,
/// named from the template with a counter instead of random letters), `chmod -- MODE FILE`,
/// `chown -- SPEC FILE`, `mv -f -T|-h -- FROM TO`, `rm -f -- FILE` and `rmdir -- DIR` (refused while a file
/// is below it).
package enum FakeFileCommands {
    /// Answers `argv` when it is one of the file commands, or returns `nil`.
    ///
    /// - Parameters:
    ///   - argv: the command.
    ///   - stdin: its standard input.
    ///   - files: the host's files by path.
    ///   - modes: their modes by path.
    /// - Returns: the result, or `nil` for a command that is not a file command.
    package static func respond(
        _ argv: [String], stdin: Data?, files: inout [String: String], modes: inout [String: String]
    ) -> CommandResult? {
        func missing(_ path: String) -> CommandResult {
            CommandResult(exitStatus: 1, stdout: "", stderr: "\(argv[0]): \(path): No such file or directory\n")
        }
        switch (argv.first, Array(argv.dropFirst())) {
        case ("cat", let rest) where rest.count == 2 && rest[0] == "--":
            guard let text = files[rest[1]] else { return missing(rest[1]) }
            return CommandResult(exitStatus: 0, stdout: text)
        case ("tee", let rest) where rest.count == 2 && rest[0] == "--":
            let text = String(decoding: stdin ?? Data(), as: UTF8.self)
            files[rest[1]] = text
            return CommandResult(exitStatus: 0, stdout: text)
        case ("mkdir", let rest) where rest.count == 3 && rest[0] == "-p" && rest[1] == "--":
            return CommandResult(exitStatus: 0)
        case ("mktemp", let rest) where rest.count == 2 && rest[0] == "--" && rest[1].hasSuffix("XXXXXXXXXX"):
            let stem = rest[1].dropLast(10)
            var counter = 1
            while files[String(stem) + String(format: "%010d", counter)] != nil { counter += 1 }
            let path = String(stem) + String(format: "%010d", counter)
            files[path] = ""
            modes[path] = "0600"
            return CommandResult(exitStatus: 0, stdout: path + "\n")
        case ("chmod", let rest) where rest.count == 3 && rest[0] == "--":
            guard files[rest[2]] != nil else { return missing(rest[2]) }
            modes[rest[2]] = rest[1]
            return CommandResult(exitStatus: 0)
        case ("chown", let rest) where rest.count == 3 && rest[0] == "--":
            guard files[rest[2]] != nil else { return missing(rest[2]) }
            return CommandResult(exitStatus: 0)
        case ("mv", let rest)
        where rest.count == 5 && rest[0] == "-f" && ["-T", "-h"].contains(rest[1]) && rest[2] == "--":
            let (source, target) = (rest[3], rest[4])
            guard let text = files[source] else { return missing(source) }
            files[target] = text
            modes[target] = modes[source]
            files[source] = nil
            modes[source] = nil
            return CommandResult(exitStatus: 0)
        case ("rmdir", let rest) where rest.count == 2 && rest[0] == "--":
            guard !files.keys.contains(where: { $0.hasPrefix(rest[1] + "/") }) else {
                return CommandResult(
                    exitStatus: 1, stdout: "", stderr: "rmdir: failed to remove '\(rest[1])': Directory not empty\n")
            }
            return CommandResult(exitStatus: 0)
        case ("rm", let rest) where rest.count == 3 && rest[0] == "-f" && rest[1] == "--":
            files[rest[2]] = nil
            modes[rest[2]] = nil
            return CommandResult(exitStatus: 0)
        default:
            return nil
        }
    }
}

extension FakeFileCommands {
    /// The path the fake's `mktemp` gives the first temporary file of a write to `path`.
    package static func temporary(for path: String) -> String {
        String(HostFile.temporaryTemplate(for: path).dropLast(10)) + String(format: "%010d", 1)
    }

    /// The argv of ``HostFile/write(_:to:mode:owner:group:os:)`` for `path`: as planned (with `$TMP`), or as the
    /// fake host runs them (`resolved`, with the name its `mktemp` gives).
    package static func writeArgv(
        _ path: String, mode: String = "0644", os: OCCore.Host.OS, resolved: Bool
    ) -> [[String]] {
        HostFile.write("", to: path, mode: mode, os: os).map { command in
            guard resolved else { return command.argv }
            return (try? command.resolved([HostFile.temporary: temporary(for: path)]))?.argv ?? command.argv
        }
    }
}

extension FakeFileCommands {
    /// Planned commands as the fake host runs them: each `$TMP` filled in with the name the fake's `mktemp` gives.
    package static func asRun(_ commands: [Command]) -> [Command] {
        var values: [String: String] = [:]
        return commands.map { command in
            let resolved = (try? command.resolved(values)) ?? command
            if let name = command.defines, let template = command.argv.last {
                values[name] = String(template.dropLast(10)) + String(format: "%010d", 1)
            }
            return resolved
        }
    }
}
