import Foundation
import OCCore

/// The argv of every command the sysctl provider runs (the same on Linux and macOS).
package enum SysctlCommands {
    /// Reads several keys at once: `sysctl KEY…` (prints `key = value` on Linux, `key: value` on macOS).
    package static func read(_ keys: [String]) -> Command { Command(["sysctl"] + keys) }

    /// Sets a key at runtime: `sysctl -w key=value` (needs root; the host's `become` adds `sudo`).
    package static func write(key: String, value: String) -> Command {
        Command(["sysctl", "-w", "\(key)=\(value)"], mutating: true)
    }

    /// Reads a persistence file: `cat -- FILE` (a missing file exits 1 with "No such file or directory").
    package static func readFile(_ path: String) -> Command { HostFile.read(path) }

    /// Every builder above that takes a manifest value, for `ArgvInjectionTests` (see ``ArgvBuilder``).
    package static let argvBuilders: [ArgvBuilder] = {
        let key = "sysctl:\n  s: { key: \"VALUE\", value: \"1\" }\n"
        let file = "sysctl:\n  s: { key: net.ipv4.ip_forward, value: \"1\", persist: true, persistFile: \"VALUE\" }\n"
        return [
            ArgvBuilder("sysctl: key", manifest: key) { [read([$0])] },
            ArgvBuilder("sysctl -w: key", manifest: key) { [write(key: $0, value: "1")] },
            ArgvBuilder("sysctl -w: value") { [write(key: "net.ipv4.ip_forward", value: $0)] },
            ArgvBuilder("read persistence file", manifest: file) { [readFile($0)] },
            ArgvBuilder("edit persistence file", manifest: file) {
                let edit = FileEditStep($0, edit: SysctlBlockEdit(marker: "# m", assignment: "k = 1"))
                return StepProgram([.edit(edit)]).commands(os: .linux)
            },
        ]
    }()
}
