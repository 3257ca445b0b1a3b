import Foundation
import OCCore

/// Detects facts by running commands through the runner of each host.
package struct CommandFactDetector: FactDetector {
    /// Returns the runner for a host.
    package var runner: @Sendable (OCCore.Host) -> any CommandRunner

    /// Creates a detector.
    package init(runner: @escaping @Sendable (OCCore.Host) -> any CommandRunner) { self.runner = runner }

    package func detect(_ fact: String, on host: OCCore.Host) async throws -> String {
        guard fact == "default-route" else { throw OCError(.unsupported, "unknown fact '\(fact)'") }
        let command = DefaultRoute.command(for: host.os)
        let result = try await runner(host).check(command, host: host.name)
        let interface: String?
        switch host.os {
        case .linux:
            // Output that is not the route list is an error, never "no default route".
            guard let routes = DefaultRoute.routesLinux(result.stdout) else {
                throw CommandFailure.unrecognised(
                    command, result, host: host.name, expected: "a JSON list of routes (ip -j route)")
            }
            interface = DefaultRoute.interface(of: routes)
        case .macos: interface = DefaultRoute.parseMacOS(result.stdoutText)
        }
        guard let interface else {
            throw OCError(.notFound, "host \(host.name) has no default route (\(command) found none)")
        }
        return interface
    }
}

/// The default-route interface: commands and parsers (cli-contracts §11).
package enum DefaultRoute {
    /// The command that shows the default route on `os`.
    package static func command(for os: OCCore.Host.OS) -> Command {
        switch os {
        case .linux: return Command(["ip", "-j", "route", "show", "default"], timeout: .seconds(15))
        case .macos: return Command(["route", "-n", "get", "default"], timeout: .seconds(15))
        }
    }

    /// One route of `ip -j route show default`.
    package struct Route: Decodable, Sendable {
        /// The interface.
        package var dev: String?
        /// The metric (0 when absent).
        package var metric: Int?
    }

    /// The routes in `ip -j route show default` output, or `nil` when it is not a JSON list of routes.
    package static func routesLinux(_ json: Data) -> [Route]? { try? JSONDecoder().decode([Route].self, from: json) }

    /// The interface of the lowest-metric route.
    package static func interface(of routes: [Route]) -> String? {
        routes.filter { $0.dev != nil }.min { ($0.metric ?? 0) < ($1.metric ?? 0) }?.dev
    }

    /// The interface of the lowest-metric default route in `ip -j route show default` output.
    package static func parseLinux(_ json: Data) -> String? { routesLinux(json).flatMap(interface(of:)) }

    /// The `interface:` line of `route -n get default` (absent when there is no default route).
    package static func parseMacOS(_ text: String) -> String? {
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
