import Foundation

/// Finds facts about a host at plan time (`{ detect: default-route }`).
public protocol FactDetector: Sendable {
    /// Returns the fact's value on `host`.
    ///
    /// - Throws: when the fact cannot be found (no default route, command failed).
    func detect(_ fact: String, on host: Host) async throws -> String
}

/// Detects facts by running commands through the runner of each host.
public struct CommandFactDetector: FactDetector {
    /// Returns the runner for a host.
    public var runner: @Sendable (Host) -> any CommandRunner

    /// Creates a detector.
    public init(runner: @escaping @Sendable (Host) -> any CommandRunner) { self.runner = runner }

    public func detect(_ fact: String, on host: Host) async throws -> String {
        guard fact == "default-route" else { throw OCError(.unsupported, "unknown fact '\(fact)'") }
        let command = DefaultRoute.command(for: host.os)
        let result = try await runner(host).check(command, host: host.name)
        let interface: String?
        switch host.os {
        case .linux: interface = DefaultRoute.parseLinux(result.stdout)
        case .macos: interface = DefaultRoute.parseMacOS(result.stdoutText)
        }
        guard let interface else {
            throw OCError(.notFound, "host \(host.name) has no default route (\(command) found none)")
        }
        return interface
    }
}

/// The default-route interface: commands and parsers (cli-contracts §11).
public enum DefaultRoute {
    /// The command that shows the default route on `os`.
    public static func command(for os: Host.OS) -> Command {
        switch os {
        case .linux: return Command(["ip", "-j", "route", "show", "default"], timeout: .seconds(15))
        case .macos: return Command(["route", "-n", "get", "default"], timeout: .seconds(15))
        }
    }

    /// The interface of the lowest-metric default route in `ip -j route show default` output.
    public static func parseLinux(_ json: Data) -> String? {
        struct Route: Decodable {
            var dev: String?
            var metric: Int?
        }
        guard let routes = try? JSONDecoder().decode([Route].self, from: json) else { return nil }
        return routes.filter { $0.dev != nil }.min { ($0.metric ?? 0) < ($1.metric ?? 0) }?.dev
    }

    /// The `interface:` line of `route -n get default` (absent when there is no default route).
    public static func parseMacOS(_ text: String) -> String? {
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("interface:") {
                let value = trimmed.dropFirst("interface:".count).trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }
}
