import ArgumentParser
import OCCore

/// Options that shape what is planned.
package struct PlanShapeOptions: ParsableArguments {
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

    package init() {}

    /// Refuses a malformed `--target` or `--adopt` before anything runs (a usage error, exit 64).
    package func validate() throws { _ = try planOptions() }

    /// Whether no plan-shaping flag was given.
    var isEmpty: Bool { targets.isEmpty && !destroy && adopt.isEmpty }

    /// The plan options these flags ask for.
    ///
    /// - Throws: `ValidationError` for a `--target` or `--adopt` that is not a resource address.
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
