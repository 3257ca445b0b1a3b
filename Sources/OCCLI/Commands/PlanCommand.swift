import ArgumentParser
import OCCore

/// `ocplan plan` (the default): the plan.
package struct PlanCommand: OCCommand {
    package static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the changes needed (the default command).",
        discussion: """
            Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error, 2 changes present \
            (with --detailed-exitcode only).
            """
    )

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var shape: PlanShapeOptions
    @OptionGroup package var global: GlobalOptions

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

    package init() {}

    package func run(_ session: Session) async throws -> Outcome {
        let manifest = try await session.load(self.manifest, detect: true)
        let options = try shape.planOptions()
        let planner = Planner(context: try session.engine(stack: manifest.stack))
        let (plan, diagnostics) = await planner.plan(manifest, options: options)
        session.report(diagnostics)
        guard let plan else { throw ReportedFailure() }
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
        return detailedExitcode && plan.hasChanges ? .changesPresent : .success
    }
}
