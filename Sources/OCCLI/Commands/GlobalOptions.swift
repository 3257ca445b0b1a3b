import ArgumentParser
import OCCore

/// Options every command takes.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Flag(name: .customLong("no-color"), help: "Never colour the output (colour is used only on a terminal).")
    var noColor = false

    @Flag(help: "Log every command ocplan runs, with its exit status, to standard error.")
    var debug = false

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "Where stacks keep their state journal, history and lock.",
            discussion: "Default: $OCPLAN_STATE_DIR, else $XDG_STATE_HOME/ocplan, else ~/.local/state/ocplan.",
            valueName: "dir"))
    var stateDirectory: String?

    public init() {}
}

/// Where the manifest is.
public struct ManifestOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "Manifest files or directories (a directory's *.yaml files form one manifest).",
            discussion: "Default: the current directory.", valueName: "path"))
    var paths: [String] = []

    @Option(
        name: [.customShort("f"), .customLong("file")],
        help: ArgumentHelp("A manifest file or directory (repeatable).", valueName: "path"))
    var files: [String] = []

    @Option(
        name: [.customLong("var"), .customLong("var", withSingleDash: true)],
        help: ArgumentHelp(
            "Replace a declared variable for this run (repeatable), e.g. --var proxy_port=3129.",
            valueName: "name=value"))
    var variables: [String] = []

    public init() {}

    func overrides() throws -> [String: String] {
        var out: [String: String] = [:]
        for item in variables {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--var '\(item)' must look like NAME=VALUE")
            }
            out[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return out
    }

    var all: [String] {
        let combined = files + paths
        return combined.isEmpty ? ["."] : combined
    }
}

/// Options that shape what is planned.
public struct PlanShapeOptions: ParsableArguments {
    @Option(
        name: [.customLong("target"), .customLong("target", withSingleDash: true)],
        help: ArgumentHelp(
            "Limit to this resource and what it depends on (repeatable), e.g. --target files.squid-conf.",
            valueName: "address"))
    var targets: [String] = []

    @Flag(help: "Plan the deletion of everything the stack created (with --target: those and their dependents).")
    var destroy = false

    @Option(
        help: ArgumentHelp(
            "Take over an existing object the stack did not create (repeatable); without it such objects are "
                + "reported, never touched.", valueName: "address"))
    var adopt: [String] = []

    public init() {}

    func planOptions() throws -> PlanOptions {
        func parse(_ text: String, _ flag: String) throws -> Address {
            guard let address = Address(parsing: text) else {
                throw ValidationError(
                    "\(flag) '\(text)' is not a resource address (SECTION.NAME, e.g. files.squid-conf)")
            }
            return address
        }
        return PlanOptions(
            targets: try targets.map { try parse($0, "--target") }, destroy: destroy,
            adopt: Set(try adopt.map { try parse($0, "--adopt") }))
    }
}
