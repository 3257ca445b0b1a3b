import ArgumentParser

/// `ocplan`: observe the machines, diff them against the manifest, print the plan.
package struct OCPlanCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
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

    package init() {}
}
