import ArgumentParser
import OCCore

/// Where the manifest is, and the variables replaced for this run.
package struct ManifestOptions: ParsableArguments {
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

    package init() {}

    /// Refuses a malformed `--var` before anything runs (a usage error, exit 64).
    package func validate() throws { _ = try overrides() }

    /// The `--var` values by name.
    ///
    /// - Throws: `ValidationError` for a value that is not `NAME=VALUE`.
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

    /// The manifest paths: `-f` ones first, then the arguments; `.` when none is given.
    var all: [String] {
        let combined = files + paths
        return combined.isEmpty ? ["."] : combined
    }
}
