import ArgumentParser
import Foundation
import Logging
import OCCore
import OCExec
import OCFacts

/// What one CLI run shares: output streams, style, logger, runners, and the manifest → engine wiring.
package struct Session: Sendable {
    let options: GlobalOptions
    let style: Style
    let errorStyle: Style
    let logger: Logger
    let base: SubprocessRunner
    let registry: ProviderRegistry
    let catalog: SpecCatalog

    /// Creates the session of one run.
    ///
    /// - Parameter options: the run's global options.
    init(_ options: GlobalOptions) {
        self.options = options
        style = Style.detect(noColor: options.noColor, fileDescriptor: 1)
        errorStyle = Style.detect(noColor: options.noColor, fileDescriptor: 2)
        var logger = Logger(label: "ocplan") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = options.debug ? .debug : .warning
        self.logger = logger
        base = SubprocessRunner(logger: logger)
        registry = StandardProviders.registry
        catalog = StandardProviders.catalog
    }

    /// The runner for a host (transport and escalation bound).
    var runnerFactory: @Sendable (OCCore.Host) -> any CommandRunner {
        let base = self.base
        return { host in makeRunner(for: host, base: base) }
    }

    var stateDirectory: String { options.stateDirectory ?? StateJournal.defaultDirectory() }

    /// Writes to standard output; a closed pipe ends the process quietly (``StandardStreams``).
    func out(_ text: String) { StandardStreams.out(text) }

    /// Writes to standard error; a closed pipe ends the process quietly (``StandardStreams``).
    func err(_ text: String) { StandardStreams.err(text) }

    /// Loads and validates the manifest; prints diagnostics; throws ``ReportedFailure`` (exit 1) on errors.
    func load(_ options: ManifestOptions, detect: Bool) async throws -> Manifest {
        // Without detection (validate, graph, history) no values are needed, secrets included.
        let loader = ManifestLoader(catalog: catalog, requireEnvironment: detect)
        let detector: (any FactDetector)? = detect ? CommandFactDetector(runner: runnerFactory) : nil
        let (manifest, diagnostics) = await loader.load(
            options.all, detector: detector, overrides: try options.overrides())
        report(diagnostics)
        guard let manifest else { throw ReportedFailure() }
        return manifest
    }

    func report(_ diagnostics: Diagnostics) {
        let text = DiagnosticPrinter(style: errorStyle).render(diagnostics)
        if !text.isEmpty { err(text) }
    }

    func engine(stack: String) throws -> EngineContext {
        let journal = try StateJournal(stack: stack, stateDirectory: stateDirectory)
        return EngineContext(registry: registry, runner: runnerFactory, journal: journal, logger: logger)
    }

    /// The program a change runs, for `--show-commands`: the lines of the very ``StepProgram`` the engine
    /// interprets.
    func commandsFor(stack: String) -> @Sendable (Change) -> [ProgramLine] {
        let registry = self.registry
        return { change in Self.preview(change, stack: stack, registry: registry) }
    }

    /// The lines `--show-commands` prints for `change`; a program the provider cannot build says why.
    package static func preview(_ change: Change, stack: String, registry: ProviderRegistry) -> [ProgramLine] {
        guard let provider = registry.provider(named: change.provider) else { return [] }
        let context = ChangeContext(stack: stack, host: change.host, privateState: change.privateState)
        do {
            var lines = try provider.program(for: change, context: context).preview(os: change.host.os)
            // A restart (`restartOn`) runs after the change's own program.
            if change.restarts, let restart = try provider.restartCommands(for: change, context: context) {
                lines += StepProgram.commands(restart, reobserve: false).preview(os: change.host.os)
            }
            return lines
        } catch {
            return [.note("cannot be shown: \(error)")]
        }
    }

    /// Prints an operational error once, with control characters escaped (the template's printer).
    func printError(_ error: any Error) {
        err(
            errorStyle.red(errorStyle.bold("error")) + ": "
                + DisplayText.escapingControlCharacters("\(error)", keepNewlines: true) + "\n")
    }
}
