import Foundation
import OCCore

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a command reaches a host: a pure rewrite of its argv.
///
/// A transport never builds a shell string for this machine. It puts a prefix in front of the argv
/// (`ip netns exec NS`, `multipass exec VM --`, `podman exec [-i] -- CONTAINER`, `ssh … -- ADDRESS`)
/// and, for `become: sudo`, a `sudo -n` in the right place. Sensitive argument indices move with the
/// elements they mark, so the wrapped command is still redacted correctly.
///
/// | transport | wrapped argv (`become: sudo` adds the bracketed part) |
/// | --- | --- |
/// | local | `[sudo -n] ARGV…` |
/// | netns | `[sudo -n] ip netns exec NS ARGV…` |
/// | multipass | `multipass exec VM -- [sudo -n] ARGV…` |
/// | podman-exec | `podman exec [-i] -- CONTAINER [sudo -n] ARGV…` |
/// | ssh | `ssh -o BatchMode=yes [-p PORT] [-l USER] -- ADDRESS ['sudo' '-n'] 'ARG'…` |
///
/// On this machine (local, netns) `sudo` is left out when the program already runs as root.
/// When a host field is missing (`vm`, `container`, `namespace`, `address`), the host's name is used.
///
/// `sudo`, `ssh`, `multipass exec` and `podman exec` do not pass this program's environment on, so
/// a command's ``Command/environment`` then travels inside the transport as `env NAME=VALUE …` in
/// front of the argv (marked sensitive, since environment variables often carry secrets).
package enum Transport {
    /// The prefix that escalates one command: `sudo -n` never prompts, it fails with
    /// "a password is required" instead, which ``TransportRunner`` reports as `.needsPassword`.
    package static let sudoPrefix = ["sudo", "-n"]

    /// Whether this program runs with an effective user ID of 0.
    package static var isRunningAsRoot: Bool { geteuid() == 0 }

    /// Rewrites `command` so that it runs on `host`.
    ///
    /// - Parameters:
    ///   - command: the command as a provider wrote it, for the host's own point of view.
    ///   - host: the host, with its transport and escalation.
    ///   - runningAsRoot: whether this program is root, which makes a local `sudo` unnecessary.
    /// - Returns: the command to run on this machine.
    package static func wrap(
        _ command: Command,
        for host: OCCore.Host,
        runningAsRoot: Bool = Transport.isRunningAsRoot
    ) -> Command {
        let sudo = usesSudo(host, runningAsRoot: runningAsRoot)
        let forwardsEnvironment = !sudo && (host.transport == .local || host.transport == .netns)
        var inner = command
        if !forwardsEnvironment, !command.environment.isEmpty {
            inner = movingEnvironmentIntoArgv(command)
        }

        switch host.transport {
        case .local:
            return sudo ? inner.wrapped(in: sudoPrefix) : inner
        case .netns:
            let inNamespace = inner.wrapped(in: ["ip", "netns", "exec", host.namespace ?? host.name])
            return sudo ? inNamespace.wrapped(in: sudoPrefix) : inNamespace
        case .multipass:
            if sudo { inner = inner.wrapped(in: sudoPrefix) }
            return inner.wrapped(in: ["multipass", "exec", host.vm ?? host.name, "--"])
        case .podmanExec:
            if sudo { inner = inner.wrapped(in: sudoPrefix) }
            let interactive = command.stdin == nil ? [] : ["-i"]
            return inner.wrapped(in: ["podman", "exec"] + interactive + ["--", host.container ?? host.name])
        case .ssh:
            if sudo { inner = inner.wrapped(in: sudoPrefix) }
            // ssh joins the words after the destination with spaces and hands the resulting string to
            // the remote user's shell, so each word must be quoted for a POSIX shell to arrive as
            // one argument. This is the only place ocplan quotes strings; nothing is run by a local
            // shell. Quoting keeps one element per element, so sensitive indices stay valid.
            inner.argv = inner.argv.map(remoteShellQuote)
            var prefix = ["ssh", "-o", "BatchMode=yes"]
            if let port = host.port { prefix += ["-p", String(port)] }
            if let user = host.user { prefix += ["-l", user] }
            // `--` before the destination: ssh reads neither it nor the words after it as options (it parses
            // options again after the destination unless `--` came first).
            prefix += ["--", host.address ?? host.name]
            return inner.wrapped(in: prefix)
        }
    }

    /// Whether commands on `host` get a `sudo -n` prefix.
    ///
    /// - Parameters:
    ///   - host: the host with its escalation setting.
    ///   - runningAsRoot: whether this program is root (only matters for hosts on this machine).
    /// - Returns: `true` when `become: sudo` applies.
    package static func usesSudo(_ host: OCCore.Host, runningAsRoot: Bool = Transport.isRunningAsRoot) -> Bool {
        guard host.become == .sudo else { return false }
        switch host.transport {
        case .local, .netns: return !runningAsRoot
        case .ssh, .multipass, .podmanExec: return true
        }
    }

    /// Quotes one word for a remote POSIX shell: `it's` becomes `'it'\''s'`.
    ///
    /// Every word is quoted, even plain ones, so the remote command line is predictable.
    ///
    /// - Parameter word: one argv element.
    /// - Returns: the word in single quotes, with each `'` written as `'\''`.
    package static func remoteShellQuote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Puts the command's environment in front of its argv as `env NAME=VALUE …` (sorted by name).
    private static func movingEnvironmentIntoArgv(_ command: Command) -> Command {
        let assignments = command.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var moved = command.wrapped(in: ["env"] + assignments)
        moved.environment = [:]
        moved.sensitiveArguments.formUnion(1...assignments.count)
        return moved
    }
}

extension Transport {
    /// Every transport with the host field that lands in its argv, for `ArgvInjectionTests` (see ``ArgvBuilder``).
    ///
    /// `local` puts no host value in argv (only `sudo -n` in front), so it has no entry.
    package static let argvBuilders: [ArgvBuilder] = {
        let inner = Command(["true"], stdin: Data())
        @Sendable func wrapped(_ host: OCCore.Host) -> [Command] {
            [
                Transport.wrap(inner, for: host, runningAsRoot: false),
                Transport.wrap(inner, for: host, runningAsRoot: true),
            ]
        }
        func host(_ transport: String, _ key: String) -> String {
            "hosts:\n  h: { transport: \(transport), \(key): \"VALUE\" }\n"
        }
        return [
            ArgvBuilder("netns: namespace", manifest: host("netns", "namespace")) {
                wrapped(OCCore.Host(name: "h", transport: .netns, namespace: $0, become: .sudo))
            },
            ArgvBuilder("multipass: vm", manifest: host("multipass", "vm")) {
                wrapped(OCCore.Host(name: "h", transport: .multipass, vm: $0, become: .sudo))
            },
            ArgvBuilder("podman-exec: container", manifest: host("podman-exec", "container")) {
                wrapped(OCCore.Host(name: "h", transport: .podmanExec, container: $0, become: .sudo))
            },
            ArgvBuilder("ssh: address", manifest: host("ssh", "address")) {
                wrapped(OCCore.Host(name: "h", transport: .ssh, address: $0, become: .sudo))
            },
            ArgvBuilder("ssh: user", manifest: "hosts:\n  h: { transport: ssh, address: h.lan, user: \"VALUE\" }\n") {
                wrapped(OCCore.Host(name: "h", transport: .ssh, address: "h.lan", user: $0))
            },
        ]
    }()
}
