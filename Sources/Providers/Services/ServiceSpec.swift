import OCCore

/// A supervised background program: one entry of the `services` section (the Headscale VM proxy).
///
/// On macOS it becomes a launchd job (`/Library/LaunchDaemons/dev.oc.NAME.plist`, or a LaunchAgent with
/// `scope: user`); on Linux a systemd unit `oc-NAME.service`. Changing the definition rewrites the file and
/// reloads the job (bootout/bootstrap, or daemon-reload and restart), so every field except the scope and
/// host changes in place.
package struct ServiceSpec: ResourceSpec, Equatable, Codable {
    /// Whether the job is system-wide or per user.
    package enum Scope: String, Sendable, Hashable, Codable, CaseIterable {
        /// A LaunchDaemon / system unit (needs root to install).
        case system
        /// A LaunchAgent of the login user / `systemctl --user` unit.
        case user
    }

    /// Whether the program should be running.
    package enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Loaded and running.
        case running
        /// Installed but not running.
        case stopped
    }

    package static let section = "services"

    /// The host the service runs on.
    package var host: String
    /// The program and its arguments (absolute program path recommended: launchd's PATH lacks Homebrew).
    package var program: [String]
    /// Whether the program is restarted whenever it exits (launchd `KeepAlive`, systemd `Restart=always`).
    package var keepAlive: Bool
    /// Whether the program starts when the job is loaded and at boot (launchd `RunAtLoad`, systemd `enable`).
    package var runAtLoad: Bool
    /// Environment variables.
    package var environment: [String: String]
    /// The working directory (absolute).
    package var workingDirectory: String?
    /// The user the program runs as (system scope only).
    package var user: String?
    /// Where standard output goes (absolute path).
    package var stdoutPath: String?
    /// Where standard error goes (absolute path).
    package var stderrPath: String?
    /// Minimum seconds between restarts (launchd `ThrottleInterval`, systemd `RestartSec`).
    package var throttleInterval: Int?
    /// System-wide or per user.
    package var scope: Scope
    /// Running or stopped.
    package var state: State

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(
        host: String = "local", program: [String], keepAlive: Bool = false, runAtLoad: Bool = true,
        environment: [String: String] = [:], workingDirectory: String? = nil, user: String? = nil,
        stdoutPath: String? = nil, stderrPath: String? = nil, throttleInterval: Int? = nil, scope: Scope = .system,
        state: State = .running
    ) {
        self.host = host
        self.program = program
        self.keepAlive = keepAlive
        self.runAtLoad = runAtLoad
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
        self.throttleInterval = throttleInterval
        self.scope = scope
        self.state = state
    }

    package var hostNames: [String] { [host] }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, program, keepAlive, runAtLoad, environment, workingDirectory, user, stdoutPath, stderrPath
        case throttleInterval, scope, state
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(.host, default: "local"),
            program: try c.decode([String].self, forKey: .program),
            keepAlive: try c.decode(.keepAlive, default: false),
            runAtLoad: try c.decode(.runAtLoad, default: true),
            environment: try c.decode(.environment, default: [:]),
            workingDirectory: try c.decodeIfPresent(String.self, forKey: .workingDirectory),
            user: try c.decodeIfPresent(String.self, forKey: .user),
            stdoutPath: try c.decodeIfPresent(String.self, forKey: .stdoutPath),
            stderrPath: try c.decodeIfPresent(String.self, forKey: .stderrPath),
            throttleInterval: try c.decodeIfPresent(Int.self, forKey: .throttleInterval),
            scope: try c.decode(.scope, default: .system),
            state: try c.decode(.state, default: .running)
        )
    }

    // MARK: - Schema

    /// The keys of a `services` entry.
    package static let schema = ObjectSchema(
        "A program kept running by launchd (macOS) or systemd (Linux).",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The host the service runs on.", default: "local", update: .replace),
            FieldSchema(
                "program", .strings, required: true,
                doc: "The program and its arguments as an argv list; give the program as an absolute path, since "
                    + "launchd's PATH does not include Homebrew.",
                update: .inPlace),
            FieldSchema(
                "keepAlive", .boolean,
                doc: "Whether the program is restarted whenever it exits (launchd KeepAlive, systemd Restart=always).",
                default: "false", update: .inPlace),
            FieldSchema(
                "runAtLoad", .boolean, doc: "Whether the program starts when loaded and at boot.", default: "true",
                update: .inPlace),
            FieldSchema("environment", .stringMap, doc: "Environment variables.", default: "{}", update: .inPlace),
            FieldSchema(
                "workingDirectory", .string(.path), doc: "The absolute working directory.", default: "/",
                update: .inPlace),
            FieldSchema(
                "user", .string(.name), doc: "The user the program runs as (system scope only).", default: "root",
                update: .inPlace),
            FieldSchema(
                "stdoutPath", .string(.path), doc: "The absolute file standard output is appended to.",
                default: "discarded (launchd) or the journal (systemd)", update: .inPlace),
            FieldSchema(
                "stderrPath", .string(.path), doc: "The absolute file standard error is appended to.",
                default: "discarded (launchd) or the journal (systemd)", update: .inPlace),
            FieldSchema(
                "throttleInterval", .integer(min: 0),
                doc: "Minimum seconds between restarts (launchd ThrottleInterval, systemd RestartSec).",
                default: "10 (launchd) or 0.1 (systemd)", update: .inPlace),
            FieldSchema(
                "scope", .enumeration(Scope.allCases.map(\.rawValue)),
                doc: "`system` (LaunchDaemon, system unit) or `user` (LaunchAgent, user unit).", default: "system",
                update: .replace),
            FieldSchema(
                "state", .enumeration(State.allCases.map(\.rawValue)), doc: "Whether the program should be running.",
                default: "running", update: .inPlace),
        ]
    )

    // MARK: - Validation

    /// Checks the program, paths, environment, scope and label clashes.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if let first = program.first {
            if !first.hasPrefix("/") {
                diagnostics.append(
                    context.warning(
                        "Program is not an absolute path",
                        detail:
                            "launchd and systemd start `\(first)` with a minimal PATH (launchd's lacks Homebrew), so "
                            + "it may not be found. Write its absolute path, e.g. /opt/homebrew/bin/\(first).",
                        at: "program[0]"))
            }
        } else {
            diagnostics.append(
                context.error(
                    "Program is empty", detail: "Give the program and its arguments as a list.", at: "program"))
        }
        for (field, path) in [
            ("workingDirectory", workingDirectory), ("stdoutPath", stdoutPath), ("stderrPath", stderrPath),
        ] {
            guard let path, !path.hasPrefix("/") else { continue }
            diagnostics.append(
                context.error(
                    "\(field) is not an absolute path",
                    detail: "`\(path)` would be resolved against the service manager's directory, not the manifest's. "
                        + "Write an absolute path.",
                    at: field))
        }
        for key in environment.keys.sorted()
        where key.isEmpty || key.contains("=") || key.contains(where: \.isWhitespace) {
            diagnostics.append(
                context.error(
                    "Invalid environment variable name",
                    detail: "The name `\(key)` cannot be empty or contain '=' or white space. Rename it.",
                    at: "environment.\(key)"))
        }
        if user != nil, scope == .user {
            diagnostics.append(
                context.error(
                    "user needs system scope",
                    detail: "A user-scope service always runs as the login user. Remove `user` or set `scope: system`.",
                    at: "user"))
        }
        if !Self.isValidName(context.address.name) {
            diagnostics.append(
                context.error(
                    "Invalid service name",
                    detail:
                        "`\(context.address.name)` becomes the launchd label dev.oc.NAME and the unit oc-NAME.service, "
                        + "which allow letters, digits, '-', '_' and '.'. Rename the resource.",
                    at: ""))
        }
        return diagnostics
    }

    /// Whether `name` can be part of a launchd label and a systemd unit name.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
