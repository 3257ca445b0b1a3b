import ArgumentParser

/// Options every command takes.
package struct GlobalOptions: ParsableArguments, Sendable {
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

    package init() {}
}
