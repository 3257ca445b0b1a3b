import ArgumentParser
import Foundation
import OCCore

/// `ocplan`: observe the machines, diff them against the manifest, print the plan.
public struct OCPlanCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ocplan",
        abstract: "Plan changes that bring the machines in line with a manifest.",
        discussion: """
            ocplan reads a manifest (a YAML file or a directory of them), observes every host it names, \
            and prints what ocapply would change: + create, ~ update in place, -/+ replace, - destroy. \
            Each change names its cause: manifest (the manifest changed since the last apply) or drift \
            (the world was changed by hand). ocplan changes nothing.

            Examples:
              ocplan examples/linux-lab                  show the plan
              ocplan -out lab.plan examples/linux-lab    save it for `ocapply lab.plan`
              ocplan --detailed-exitcode .               in CI: exit 2 on any drift
              ocplan validate manifests/openclaw-private
              ocplan graph . | dot -Tsvg > graph.svg
            """,
        version: OCVersion.current,
        subcommands: [
            PlanCommand.self, ValidateCommand.self, SchemaCommand.self, GraphCommand.self, HistoryCommand.self,
        ],
        defaultSubcommand: PlanCommand.self
    )

    public init() {}
}

/// The version printed by `--version`.
public enum OCVersion {
    /// The current version.
    public static let current = "0.1.0"
}

/// `ocplan plan` (the default): the plan.
public struct PlanCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the changes needed (the default command).",
        discussion: """
            Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error, 2 changes present \
            (with --detailed-exitcode only).
            """
    )

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var shape: PlanShapeOptions
    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the plan as JSON (format: docs/plan-json.md) instead of text.")
    var json = false

    @Option(
        name: [.customLong("out"), .customLong("out", withSingleDash: true), .customShort("o")],
        help: ArgumentHelp("Save the plan to a file that `ocapply FILE` applies exactly.", valueName: "file"))
    var out: String?

    @Flag(
        name: [.customLong("detailed-exitcode"), .customLong("detailed-exitcode", withSingleDash: true)],
        help: "Exit 0 when there are no changes, 2 when there are, 1 on error (for CI drift checks).")
    var detailedExitcode = false

    @Flag(name: .customLong("show-commands"), help: "Show the commands each change will run.")
    var showCommands = false

    public init() {}

    public func run() async throws {
        let session = Session(global)
        do {
            let manifest = try await session.load(self.manifest, detect: true)
            let options = try shape.planOptions()
            let planner = Planner(context: try session.engine(stack: manifest.stack))
            let (plan, diagnostics) = await planner.plan(manifest, options: options)
            session.report(diagnostics)
            guard let plan else { throw ExitCode.failure }
            if json {
                session.out(try JSONPlanRenderer.render(plan))
            } else {
                let renderer = HumanPlanRenderer(
                    style: session.style, showCommands: showCommands, commands: session.commandsFor(stack: plan.stack))
                session.out(renderer.render(plan))
            }
            if let out {
                var sealed = plan
                sealed.toolVersion = OCVersion.current
                try sealed.write(to: out)
                if !json {
                    session.out("\nSaved the plan to \(out). Apply exactly this plan with: ocapply \(out)\n")
                }
            }
            if !plan.missingTools.isEmpty, !json {
                session.err("note: some resources could not be observed because tools are missing (listed above).\n")
            }
            if detailedExitcode && plan.hasChanges { throw ExitCode(2) }
        } catch {
            throw session.fail(error)
        }
    }
}

/// `ocplan validate`: check the manifest without touching any host.
public struct ValidateCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a manifest without touching any host.",
        discussion: """
            Reports every error at once with file:line:column and the key path: unknown keys (with a \
            suggestion), wrong types, invalid CIDRs, ports and sysctl keys, dangling references, \
            dependency cycles, duplicate names across files. Values found on hosts \
            ({ detect: default-route }) and secrets from the environment (${env:NAME}) are not needed. \
            Exit 0 when valid, 1 otherwise.
            """)

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var global: GlobalOptions

    public init() {}

    public func run() async throws {
        let session = Session(global)
        do {
            let manifest = try await session.load(self.manifest, detect: false)
            let unplannable = Set(manifest.resources.map(\.address.section)).filter {
                session.registry.provider(for: $0) == nil
            }
            var line =
                session.style.green("Valid:")
                + " stack \"\(manifest.stack)\", \(manifest.resources.count) resources in \(manifest.files.count) "
                + "file\(manifest.files.count == 1 ? "" : "s")."
            if !unplannable.isEmpty {
                line +=
                    "\nNote: these sections validate but have no provider yet, so ocplan cannot plan them: "
                    + unplannable.sorted().joined(separator: ", ") + "."
            }
            session.out(line + "\n")
        } catch {
            throw session.fail(error)
        }
    }
}

/// `ocplan schema`: the JSON Schema of manifests, for editors.
public struct SchemaCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of manifests (for yaml-language-server and other editors).",
        discussion: """
            Save it and point your editor at it, e.g. first line of a manifest:
              # yaml-language-server: $schema=./ocplan.schema.json
            With --markdown, prints the manifest reference (the generated part of docs/manifest.md).
            """)

    @Flag(help: "Print the Markdown reference of every section and key instead.")
    var markdown = false

    public init() {}

    public func run() async throws {
        StandardStreams.out(try Self.render(markdown: markdown))
    }

    /// The JSON Schema, or with `markdown` the Markdown reference, of the standard catalog.
    public static func render(markdown: Bool) throws -> String {
        let catalog = StandardProviders.catalog
        if markdown { return SchemaExport.markdown(catalog) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(SchemaExport.jsonSchema(catalog)), as: UTF8.self) + "\n"
    }
}

/// `ocplan graph`: the dependency graph in DOT.
public struct GraphCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the dependency graph in Graphviz DOT (arrows point at what a resource waits for).",
        discussion: "Example: ocplan graph manifests/openclaw-private | dot -Tsvg > graph.svg")

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var global: GlobalOptions

    public init() {}

    public func run() async throws {
        let session = Session(global)
        do {
            let manifest = try await session.load(self.manifest, detect: false)
            session.out(manifest.graph.dot(name: manifest.stack))
        } catch {
            throw session.fail(error)
        }
    }
}

/// `ocplan history`: the applies of a stack.
public struct HistoryCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the applies of a stack, oldest first.")

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("The stack (default: the manifest's).", valueName: "name"))
    var stack: String?

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    public init() {}

    public func run() async throws {
        let session = Session(global)
        do {
            let name: String
            if let stack {
                name = stack
            } else {
                name = try await session.load(self.manifest, detect: false).stack
            }
            let journal = try StateJournal(stack: name, stateDirectory: session.stateDirectory)
            let records = await journal.history()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                for record in records {
                    session.out(String(decoding: try encoder.encode(record), as: UTF8.self) + "\n")
                }
                return
            }
            guard !records.isEmpty else {
                session.out("No applies recorded for stack \"\(name)\" (state: \(journal.directory)).\n")
                return
            }
            let formatter = ISO8601DateFormatter()
            for record in records {
                let counts = record.applied.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                    .joined(separator: ", ")
                let status = record.succeeded ? session.style.green("ok") : session.style.red("failed")
                var line =
                    "\(formatter.string(from: record.startedAt))  \(status)  \(String(format: "%.1fs", record.duration))"
                    + "  \(record.user)  \(counts.isEmpty ? "no changes" : counts)"
                if !record.failed.isEmpty {
                    line += "  failed: " + record.failed.map(\.description).joined(separator: ", ")
                }
                session.out(line + "\n")
            }
        } catch {
            throw session.fail(error)
        }
    }
}
