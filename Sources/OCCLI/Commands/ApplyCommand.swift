import ArgumentParser
import Foundation
import OCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `ocapply`: apply a saved plan exactly, or plan a manifest and apply it after confirmation.
package struct ApplyCommand: OCCommand {
    package static let configuration = CommandConfiguration(
        commandName: "ocapply",
        abstract: "Apply a saved plan, or plan a manifest and apply it.",
        discussion: """
            ocapply PLANFILE applies exactly the plan `ocplan -out PLANFILE` saved, and refuses it when \
            what it observes now differs from what the plan saw (make a new plan then). \
            ocapply [PATH ...] plans the manifest, shows the plan and asks for `yes` before changing \
            anything (--auto-approve skips the question).

            Actions run in dependency order, independent ones in parallel (--parallelism); a replace \
            destroys first and creates after, and a failed action stops only what depends on it. Every \
            resource is observed again afterwards and any that did not converge is an error. One apply \
            at a time per stack; a re-run after a failure continues where it stopped.

            Exit codes: 0 applied (or nothing to do), 1 error or not converged.

            Examples:
              ocplan -out lab.plan examples/linux-lab && ocapply lab.plan
              ocapply --auto-approve examples/linux-lab
              ocapply --destroy examples/linux-lab
            """,
        version: OCVersion.current
    )

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup var shape: PlanShapeOptions
    @OptionGroup package var global: GlobalOptions

    @Flag(
        name: [.customLong("auto-approve"), .customLong("auto-approve", withSingleDash: true)],
        help: "Apply without asking for confirmation.")
    var autoApprove = false

    @Option(help: ArgumentHelp("How many actions may run at once.", valueName: "n"))
    var parallelism = 10

    package init() {}

    /// The saved plan to apply: the only path given, when it is a plan file.
    private var savedPlan: String? {
        let paths = manifest.all
        guard paths.count == 1, let only = paths.first, Plan.isPlanFile(only) else { return nil }
        return only
    }

    package func validate() throws {
        guard parallelism >= 1 else { throw ValidationError("--parallelism must be at least 1") }
        if savedPlan != nil, !shape.isEmpty || !manifest.variables.isEmpty {
            throw ValidationError(
                "--target, --destroy, --adopt and --var shape a new plan; a saved plan is applied as it is")
        }
    }

    package func run(_ session: Session) async throws -> Outcome {
        if let savedPlan {
            try await applySaved(savedPlan, session: session)
        } else {
            try await planAndApply(manifest, session: session)
        }
        return .success
    }

    private func applySaved(_ path: String, session: Session) async throws {
        let plan = try Plan.read(from: path)
        guard plan.toolVersion == OCVersion.current else {
            throw OCError(
                .unsupported,
                "plan file '\(path)' was made by ocplan \(plan.toolVersion.isEmpty ? "(unknown)" : plan.toolVersion); "
                    + "this is \(OCVersion.current). Nothing was applied. Make the plan again with this version.")
        }
        let context = try session.engine(stack: plan.stack)
        let lock = try StackLock.acquire(directory: context.journal.directory, purpose: "ocapply \(path)")
        defer { withExtendedLifetime(lock) {} }
        let planner = Planner(context: context)
        let stale = try await planner.staleChanges(in: plan.changes, stack: plan.stack)
        guard stale.isEmpty else {
            throw OCError(
                .stalePlan,
                "the plan is stale: what it observed has changed since it was made ("
                    + stale.map(\.description).joined(separator: ", ")
                    + "). Nothing was applied. Make a new plan with ocplan and apply that.")
        }
        session.out(HumanPlanRenderer(style: session.style).render(plan))
        try await execute(plan, context: context, session: session)
    }

    private func planAndApply(_ options: ManifestOptions, session: Session) async throws {
        let manifest = try await session.load(options, detect: true)
        let context = try session.engine(stack: manifest.stack)
        let lock = try StackLock.acquire(directory: context.journal.directory, purpose: "ocapply")
        defer { withExtendedLifetime(lock) {} }
        let (plan, diagnostics) = await Planner(context: context).plan(manifest, options: try shape.planOptions())
        session.report(diagnostics)
        guard let plan else { throw ReportedFailure() }
        session.out(HumanPlanRenderer(style: session.style).render(plan))
        guard plan.hasChanges else { return }
        if !autoApprove {
            guard isatty(0) == 1 else {
                throw OCError(
                    .unsupported,
                    "no terminal to confirm on; pass --auto-approve, or save a plan with `ocplan -out FILE` and "
                        + "apply it with `ocapply FILE`")
            }
            session.out("\nDo you want to apply these changes to stack \"\(plan.stack)\"? Only 'yes' is accepted.\n")
            session.out("  Enter a value: ")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                session.out("Apply cancelled; nothing was changed.\n")
                throw ReportedFailure()
            }
        }
        try await execute(plan, context: context, session: session)
    }

    private func execute(_ plan: Plan, context: EngineContext, session: Session) async throws {
        guard plan.hasChanges else { return }
        session.out("\n")
        let view = ApplyProgressView(style: session.style, secrets: plan.secrets) { line in
            StandardStreams.out(line + "\n")
        }
        let started = Date()
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                if !Task.isCancelled { view.tick() }
            }
        }
        let report = await Applier(context: context, parallelism: parallelism, observer: view).apply(plan)
        ticker.cancel()
        var counts: [String: Int] = [:]
        // A no-op among the applied changes is a restart (Change.triggeredBy) and nothing else; a delete that left
        // its object in place is a forget, not a delete.
        for change in report.applied {
            let kind = change.action == .noop ? "restart" : change.forgets ? "forget" : change.action.rawValue
            counts[kind, default: 0] += 1
        }
        let restarted = report.applied.filter(\.restarts).count
        let user = Self.currentUser()
        try? await context.journal.appendHistory(
            HistoryRecord(
                startedAt: started, duration: Date().timeIntervalSince(started),
                user: "\(user)@\(ProcessInfo.processInfo.hostName)", applied: counts,
                failed: report.failed.map(\.change.address),
                skipped: report.skipped.map(\.change.address), succeeded: report.succeeded))
        let style = session.style
        var summary =
            "\n" + style.bold("Apply complete!") + " Resources: \(counts["create"] ?? 0) created, "
            + "\(counts["update"] ?? 0) updated, \(counts["replace"] ?? 0) replaced, \(counts["delete"] ?? 0) destroyed"
            + (counts["forget"].map { ", \($0) forgotten (left in place)" } ?? "")
            + (restarted > 0 ? ", \(restarted) restarted." : ".")
        if !report.succeeded {
            summary =
                "\n" + style.red(style.bold("Apply finished with errors.")) + " "
                + "\(report.applied.count) applied, \(report.failed.count) failed, \(report.skipped.count) skipped."
        }
        session.out(summary + "\n")
        for failure in report.failed {
            let message = HumanPlanRenderer.visible(failure.error, plan.secrets)
            session.err(style.red("error") + ": \(failure.change.address): \(message)\n")
        }
        for skipped in report.skipped {
            session.err("skipped: \(skipped.change.address) (depends on \(skipped.because), which failed)\n")
        }
        if !report.succeeded {
            session.err("Run ocapply again after fixing the cause: it continues from where this run stopped.\n")
            throw ReportedFailure()
        }
    }

    /// The name of the user this process runs as, from the password database (`$USER` may be unset or say
    /// someone else, as under `sudo` or in a service); `$USER`, then the numeric id, when there is no entry.
    static func currentUser() -> String {
        let uid = geteuid()
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name, let text = String(validatingCString: name),
            !text.isEmpty
        {
            return text
        }
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        return "uid \(uid)"
    }
}
