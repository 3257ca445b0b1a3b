import Foundation
import Logging
import OCCore
import OCFacts

/// Plans and applies manifests through the real engine — the manifest loader (with the `default-route`
/// detector), the planner, the applier and a state journal in a temporary folder — against whatever runner
/// the test gives it: a stateful fake CLI, a scripted runner, or real commands.
///
/// ```swift
/// let harness = try EngineHarness(
///     header: "hosts:\n  mac: { transport: local, os: macos }\n", catalog: SpecCatalog([PFAnchorSpec.self]),
///     providers: [PFProvider()], runner: fake)
/// let plan = try await harness.plan("pf:\n  nat: { host: mac, rules: [...] }\n")
/// ```
package final class EngineHarness: Sendable {
    /// A plan could not be made: the loader's or the planner's diagnostics.
    package struct NoPlan: Error, CustomStringConvertible {
        /// What was reported.
        package var diagnostics: Diagnostics
        package var description: String { diagnostics.items.map(\.description).joined(separator: "\n") }
    }

    /// The stack name.
    package let stack: String
    /// What every manifest starts with after `version` and `stack` (hosts, vars).
    package let header: String
    /// Where the manifest is written (`stack.yaml`).
    package let manifestDirectory: TempDirectory
    /// Where the state journal lives.
    package let stateDirectory: TempDirectory
    /// The stack's journal.
    package let journal: StateJournal
    /// The spec types the loader knows.
    package let catalog: SpecCatalog
    /// The providers.
    package let registry: ProviderRegistry
    private let runnerFor: @Sendable (OCCore.Host) -> any CommandRunner

    /// Creates a harness whose every host runs commands through `runner(host)`; `stateDirectory` shares
    /// another harness's journal (a second run of the same stack).
    package init(
        stack: String = "lab", header: String = "", catalog: SpecCatalog, providers: [any Provider],
        runner: @escaping @Sendable (OCCore.Host) -> any CommandRunner, stateDirectory: TempDirectory? = nil
    ) throws {
        self.stack = stack
        self.header = header
        self.catalog = catalog
        registry = ProviderRegistry(providers)
        runnerFor = runner
        manifestDirectory = try TempDirectory(prefix: "ocplan-harness-manifest")
        self.stateDirectory = try stateDirectory ?? TempDirectory(prefix: "ocplan-harness-state")
        journal = try StateJournal(stack: stack, stateDirectory: self.stateDirectory.path)
    }

    /// Creates a harness whose every host runs commands through `runner`.
    package convenience init(
        stack: String = "lab", header: String = "", catalog: SpecCatalog, providers: [any Provider],
        runner: any CommandRunner
    ) throws {
        let perHost: @Sendable (OCCore.Host) -> any CommandRunner = { _ in runner }
        try self.init(stack: stack, header: header, catalog: catalog, providers: providers, runner: perHost)
    }

    /// The engine's context.
    package var context: EngineContext {
        EngineContext(registry: registry, runner: runnerFor, journal: journal, logger: Logger(label: "test"))
    }

    /// Writes `body` after the header and loads it.
    ///
    /// - Parameters:
    ///   - body: the manifest's sections.
    ///   - header: replaces the harness's header for this manifest.
    ///   - environment: what `${env:NAME}` reads.
    /// - Returns: the manifest (or `nil`) and the loader's diagnostics.
    /// - Throws: when the manifest cannot be written.
    package func load(
        _ body: String, header: String? = nil, environment: [String: String] = [:]
    ) async throws -> (Manifest?, Diagnostics) {
        try manifestDirectory.write(
            "version: 1\nstack: \(stack)\n" + (header ?? self.header) + body, to: "stack.yaml")
        return await ManifestLoader(catalog: catalog, environment: environment)
            .load([manifestDirectory.path], detector: CommandFactDetector(runner: runnerFor))
    }

    /// Loads and plans `body`; the plan is `nil` when the manifest or the plan has errors.
    package func attempt(
        _ body: String, header: String? = nil, options: PlanOptions = PlanOptions(),
        environment: [String: String] = [:]
    ) async throws -> (Plan?, Diagnostics) {
        let (manifest, diagnostics) = try await load(body, header: header, environment: environment)
        guard let manifest else { return (nil, diagnostics) }
        return await Planner(context: context, environment: environment).plan(manifest, options: options)
    }

    /// Loads and plans `body`.
    ///
    /// - Throws: ``NoPlan`` with the diagnostics when no plan could be made.
    package func plan(
        _ body: String, header: String? = nil, options: PlanOptions = PlanOptions(),
        environment: [String: String] = [:]
    ) async throws -> Plan {
        let (plan, diagnostics) = try await attempt(body, header: header, options: options, environment: environment)
        guard let plan else { throw NoPlan(diagnostics: diagnostics) }
        return plan
    }

    /// Applies `plan`.
    package func apply(_ plan: Plan) async -> ApplyReport { await Applier(context: context).apply(plan) }

    /// Some actions of an apply failed, were skipped or did not converge.
    package struct NotConverged: Error, CustomStringConvertible {
        /// The apply's report.
        package var report: ApplyReport
        package var description: String {
            "failed: \(report.failed.map(\.error)); skipped: \(report.skipped.count); not converged: "
                + "\(report.notConverged.map(\.attributes))"
        }
    }

    /// Plans and applies `body`.
    ///
    /// - Returns: the plan that was applied.
    /// - Throws: ``NoPlan`` without a plan, ``NotConverged`` unless every action succeeded and converged.
    @discardableResult
    package func converge(_ body: String, header: String? = nil) async throws -> Plan {
        let plan = try await plan(body, header: header)
        let report = await apply(plan)
        guard report.succeeded else { throw NotConverged(report: report) }
        return plan
    }
}

/// A test's stack around an ``EngineHarness`` (with its fake and helpers of its own): it gets the harness's
/// plan, apply and converge as its own.
package protocol EngineHarnessWrapper {
    /// The harness.
    var harness: EngineHarness { get }
}

extension EngineHarnessWrapper {
    /// The stack's journal.
    package var journal: StateJournal { harness.journal }
    /// Plans `body`; the plan is `nil` (with the diagnostics) when it has errors.
    package func attempt(_ body: String) async throws -> (Plan?, Diagnostics) { try await harness.attempt(body) }
    /// Plans `body`, requiring a plan.
    package func plan(_ body: String) async throws -> Plan { try await harness.plan(body) }
    /// Applies `plan`.
    package func apply(_ plan: Plan) async -> ApplyReport { await harness.apply(plan) }
    /// Plans and applies `body`, requiring success.
    @discardableResult
    package func converge(_ body: String) async throws -> Plan { try await harness.converge(body) }
}
