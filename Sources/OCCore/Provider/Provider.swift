import Foundation
import Logging
import Synchronization

/// A family of resources managed through one external tool.
///
/// The engine diffs and orders; a provider knows its tool: it maps specs to attribute trees, observes a
/// host in as few commands as possible, and performs one change idempotently. It reaches the world only
/// through the runner it is handed, already bound to the right host and transport.
package protocol Provider: Sendable {
    /// Stable name used in diagnostics, state and plan files, for example `sysctl`.
    var name: String { get }
    /// The manifest sections this provider manages.
    var sections: [String] { get }
    /// Whether this provider manages `declaration`; several providers may share a section (containers
    /// run by Podman or by Apple's `container`, chosen by `runtime`).
    func manages(_ declaration: ResourceDeclaration) -> Bool
    /// How the engine treats the attribute tree of `section`.
    func schema(for section: String) -> ResourceSchema
    /// The tools needed on `host`, with how to install them.
    func prerequisites(on host: Host) -> [Prerequisite]
    /// Maps a declaration to the canonical attribute tree the engine diffs.
    ///
    /// - Throws: an ``OCError`` when the desired state cannot be computed (an unreadable template).
    func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value
    /// Reads the state of the requested resources on one host, batched.
    func observe(_ request: ObserveRequest) async throws -> ObserveResponse
    /// What `change` does, as steps the engine interprets (``StepInterpreter``) and `--show-commands` shows.
    ///
    /// Pure: computed from the change (its trees, ``Change/planData`` and private state) alone.
    ///
    /// - Throws: an ``OCError`` when the change cannot be turned into steps.
    func program(for change: Change, context: ChangeContext) throws -> StepProgram
    /// The provider's verdict on `change` at plan time: notes, refusals (plan errors) and a typed reason (a
    /// delete that leaves the object in place). The default says nothing.
    func review(_ change: Change, context: ChangeContext) -> Review
    /// Adjusts what the program of `change` left before it is verified and journaled: the private state derived
    /// from the observation after the change (the rule texts a tool prints). The default returns `response`.
    ///
    /// - Throws: an ``OCError`` when the response cannot be read.
    func settle(_ response: ApplyResponse, for change: Change, context: ChangeContext) throws -> ApplyResponse
    /// Performs one change idempotently and returns what it observed afterwards.
    ///
    /// The default interprets ``program(for:context:)`` (``StepInterpreter``). Providers do not override it;
    /// test doubles that keep their world in memory do.
    func apply(_ request: ApplyRequest) async throws -> ApplyResponse
    /// What the journal must hold *before* `change` runs, so that a run killed half-way leaves a record the
    /// next run finishes from: the private state the provider will keep (a file the stack is about to create,
    /// a setting's value before it is taken over).
    ///
    /// `nil` (the default) records nothing first: the object carries its own ownership mark (a Podman label,
    /// an iptables comment), so a killed create is still recognised as the stack's.
    ///
    /// - Throws: an ``OCError`` when the change cannot be turned into steps.
    func intent(for change: Change, context: ChangeContext) throws -> Value?
    /// What must hold before `change` destroys or creates anything: the engine runs these checks before the
    /// destroy step of a replace (after the replacement's new dependencies are in place) and before a create.
    ///
    /// A check that does not hold fails the change with its message, and nothing is destroyed (a container whose
    /// new image does not exist keeps running). The default is none.
    ///
    /// - Throws: an ``OCError`` when the change cannot be turned into checks.
    func preconditions(for change: Change, context: ChangeContext) throws -> [Precondition]
    /// The commands that restart the resource of `change` in place, keeping its identity, for `restartOn`
    /// (see Provider+Restart.swift).
    ///
    /// `nil` (the default): the provider cannot restart resources of this section. An empty list: nothing
    /// needs restarting (the resource is not running, or the change itself starts it).
    ///
    /// - Throws: an ``OCError`` when the change cannot be turned into commands.
    func restartCommands(for change: Change, context: ChangeContext) throws -> [Command]?
    /// Restarts the resource of `request.change` and observes it again; by default runs
    /// ``restartCommands(for:context:)``.
    func restart(_ request: ApplyRequest) async throws -> ApplyResponse
}

extension Provider {
    package func intent(for change: Change, context: ChangeContext) throws -> Value? { nil }

    package func preconditions(for change: Change, context: ChangeContext) throws -> [Precondition] { [] }

    package func manages(_ declaration: ResourceDeclaration) -> Bool { true }

    package func review(_ change: Change, context: ChangeContext) -> Review { .none }

    package func settle(_ response: ApplyResponse, for change: Change, context: ChangeContext) throws -> ApplyResponse {
        response
    }

    /// Interprets ``program(for:context:)`` (``StepInterpreter/apply(_:provider:)``).
    package func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
        try await StepInterpreter.apply(request, provider: self)
    }

    /// The commands the program of `change` runs against the planned world, in order (what `--show-commands`
    /// prints after `$`).
    ///
    /// - Throws: what ``program(for:context:)`` throws.
    package func commands(for change: Change, context: ChangeContext) throws -> [Command] {
        try program(for: change, context: context).commands(os: context.host.os)
    }
}

/// A check that must hold before a change destroys or creates anything (see
/// ``Provider/preconditions(for:context:)``): the image a replaced container will run exists.
package struct Precondition: Sendable, Hashable {
    /// A read-only command that exits 0 when the condition holds and 1 when it does not.
    ///
    /// Any other status is a failure of the command itself.
    package var command: Command
    /// What makes the condition hold when it does not, run once (a pull of a registry image); `nil`: nothing can.
    package var remedy: Command?
    /// The error when the condition does not hold (and the remedy, if any, failed): it names the object and says
    /// what was left in place ("image localhost/x:1 does not exist on host local; the running container is left in
    /// place").
    package var unmet: String

    /// Creates a precondition.
    package init(_ command: Command, remedy: Command? = nil, unmet: String) {
        self.command = command
        self.remedy = remedy
        self.unmet = unmet
    }

    /// Checks the condition on `runner`, running the remedy when it does not hold.
    ///
    /// - Throws: an ``OCError`` with ``unmet`` when it does not hold; a ``CommandFailure`` when the check itself
    ///   fails.
    package func check(on runner: any CommandRunner, host: String) async throws {
        let result = try await runner.run(command)
        if result.succeeded { return }
        guard result.exitStatus == 1 else { throw CommandFailure.exited(command, result, host: host) }
        if let remedy {
            let fixed = try await runner.run(remedy)
            if fixed.succeeded { return }
            throw OCError(.notFound, unmet, cause: CommandFailure.exited(remedy, fixed, host: host))
        }
        throw OCError(.notFound, unmet)
    }
}

/// A tool a provider needs on a host.
package struct Prerequisite: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The program name (`podman`).
    package var tool: String
    /// The host it is needed on.
    package var host: String
    /// How to install it (one line).
    package var install: String

    /// Creates a prerequisite.
    package init(tool: String, host: String, install: String) {
        self.tool = tool
        self.host = host
        self.install = install
    }

    package var description: String { "\(tool) on \(host): \(install)" }
}

/// What a provider needs to compute desired state.
package struct DesiredStateContext: Sendable {
    /// The stack name.
    package var stack: String
    /// The host the resource lives on.
    package var host: Host
    /// Resolved variables (for templates).
    package var variables: [String: String]
    /// The environment `${env:NAME}` in templates reads.
    package var environment: [String: String]
    /// Where a provider marks the paths of the tree that hold secrets (so every output redacts them).
    package var sensitive: SensitivityMarks
    /// Every declared resource's spec by address, for a field that names another resource and needs one of
    /// its values (a container whose `image` names an `images` resource runs that resource's reference).
    package var specs: [Address: any ResourceSpec]

    /// Creates a context.
    package init(
        stack: String,
        host: Host,
        variables: [String: String],
        environment: [String: String] = [:],
        sensitive: SensitivityMarks = SensitivityMarks(),
        specs: [Address: any ResourceSpec] = [:]
    ) {
        self.stack = stack
        self.host = host
        self.variables = variables
        self.environment = environment
        self.sensitive = sensitive
        self.specs = specs
    }
}

/// Collects the paths of the desired tree that hold secrets, marked by the provider while it computes
/// the tree (a file's `sensitive: true` content, values read from an env file, a template that read
/// `${env:…}`).
package final class SensitivityMarks: Sendable {
    private let marks = Mutex<SensitivePaths>(SensitivePaths())

    /// Creates an empty set of marks.
    package init() {}

    /// Marks the value at `path` (and everything under it) as a secret.
    package func mark(_ path: ValuePath) {
        marks.withLock { $0.insert(path) }
    }

    /// Everything marked so far.
    package var all: SensitivePaths { marks.withLock { $0 } }
}

/// What a provider needs to turn a change into commands.
package struct ChangeContext: Sendable {
    /// The stack name (for ownership marks).
    package var stack: String
    /// The host the change runs on.
    package var host: Host
    /// What the provider recorded at the last apply of this resource.
    package var privateState: Value?

    /// Creates a context.
    package init(stack: String, host: Host, privateState: Value?) {
        self.stack = stack
        self.host = host
        self.privateState = privateState
    }
}

/// One resource to observe.
package struct ObserveTarget: Sendable {
    /// Its address.
    package var address: Address
    /// The desired tree (`nil` for a resource only known from the state journal, planned for deletion).
    package var desired: Value?
    /// The last applied tree (from the state journal), when there is one.
    package var lastApplied: Value?
    /// What the provider recorded at the last apply.
    package var privateState: Value?

    /// Creates a target.
    package init(address: Address, desired: Value?, lastApplied: Value? = nil, privateState: Value? = nil) {
        self.address = address
        self.desired = desired
        self.lastApplied = lastApplied
        self.privateState = privateState
    }
}

/// A request to observe resources of one provider on one host.
package struct ObserveRequest: Sendable {
    /// The stack name.
    package var stack: String
    /// The host.
    package var host: Host
    /// The runner bound to the host.
    package var runner: any CommandRunner
    /// The resources to observe.
    package var targets: [ObserveTarget]
    /// A logger.
    package var logger: Logger
    /// Set by the engine when it reads back what an action just changed: observe exactly the targets, without
    /// listing the host or discovering what nobody asked about, so that an apply's cost grows with what it
    /// changes, not with what the host holds.
    package var readBack: Bool

    /// Creates a request.
    package init(
        stack: String, host: Host, runner: any CommandRunner, targets: [ObserveTarget], logger: Logger,
        readBack: Bool = false
    ) {
        self.stack = stack
        self.host = host
        self.runner = runner
        self.targets = targets
        self.logger = logger
        self.readBack = readBack
    }
}

/// What a provider found for one resource.
package struct Observation: Sendable, Hashable, Codable {
    /// Who owns what was found.
    package enum Ownership: String, Sendable, Hashable, Codable {
        /// Carries this stack's ownership mark.
        case ours
        /// Exists but is not this stack's (another stack's mark or no mark where marks are used).
        case foreign
        /// The tool cannot carry a mark; the engine decides from the state journal.
        case unmarked
    }

    /// The observed tree in the same shape as the desired one; `nil` when absent.
    package var value: Value?
    /// Who owns it (meaningless when absent).
    package var ownership: Ownership
    /// Notes for the plan (for example "owned by stack other").
    package var note: String?
    /// What the provider read that a program needs but the diff must not see (the files it edits, as read):
    /// carried to ``Change/planData`` and the saved plan, never diffed or shown; part of the fingerprint.
    package var planData: Value?
    /// The values the resource publishes (see ``ResourceSpec/outputs``).
    ///
    /// A container's `id` and `ipv4.NETWORK`: never diffed, read by the resources that reference them.
    package var outputs: Value?

    /// Creates an observation.
    package init(
        value: Value?, ownership: Ownership = .unmarked, note: String? = nil, planData: Value? = nil,
        outputs: Value? = nil
    ) {
        self.value = value
        self.ownership = ownership
        self.note = note
        self.planData = planData
        self.outputs = outputs
    }

    /// Nothing there.
    package static let absent = Observation(value: nil)
    /// Whether something exists.
    package var exists: Bool { value != nil }
}

/// The result of observing one provider on one host.
package struct ObserveResponse: Sendable {
    /// Observations by address (every requested target should have one).
    package var observations: [Address: Observation]
    /// Objects carrying this stack's mark that were not requested (created by an earlier run whose state
    /// was lost): planned for deletion unless declared.
    package var discovered: [Address: Observation]
    /// Tools missing on the host: the targets are treated as absent.
    package var missingTools: [Prerequisite]
    /// Problems found while observing (a referenced object that does not exist on the host).
    package var diagnostics: [Diagnostic]
    /// Resources that could not be observed, with the command that failed for them.
    ///
    /// The command exited non-zero for a reason other than "not found", timed out, or printed output its parser
    /// does not recognise. Each one is
    /// a plan error naming the host, the tool and the first bytes of the output; it is never read as absent.
    ///
    /// A failure that covers every target of the request is thrown from ``Provider/observe(_:)`` instead.
    package var failures: [Address: CommandFailure]

    /// Creates a response.
    package init(
        observations: [Address: Observation] = [:],
        discovered: [Address: Observation] = [:],
        missingTools: [Prerequisite] = [],
        diagnostics: [Diagnostic] = [],
        failures: [Address: CommandFailure] = [:]
    ) {
        self.observations = observations
        self.discovered = discovered
        self.missingTools = missingTools
        self.diagnostics = diagnostics
        self.failures = failures
    }
}

/// A request to perform one change.
package struct ApplyRequest: Sendable {
    /// The stack name.
    package var stack: String
    /// The host.
    package var host: Host
    /// The runner bound to the host.
    package var runner: any CommandRunner
    /// The change to make.
    package var change: Change
    /// A logger.
    package var logger: Logger
    /// The locks of the files edited in this apply (one per apply, shared by every change).
    package var fileLocks: FileEditLocks
    /// Journals `privateState` as the change's intent before the provider acts on what it found at apply time
    /// (the folders a file write is about to create), so that a run killed half-way leaves that record; the
    /// engine sets it, the default does nothing.
    package var journalIntent: @Sendable (_ privateState: Value) async throws -> Void = { _ in }

    /// Creates a request.
    package init(
        stack: String, host: Host, runner: any CommandRunner, change: Change, logger: Logger,
        fileLocks: FileEditLocks = FileEditLocks()
    ) {
        self.stack = stack
        self.host = host
        self.runner = runner
        self.change = change
        self.logger = logger
        self.fileLocks = fileLocks
    }

    /// Observes the changed resource again through `provider` and returns it as the response.
    package func reobserve(_ provider: some Provider, privateState: Value? = nil) async throws -> ApplyResponse {
        let target = ObserveTarget(
            address: change.address, desired: change.after, lastApplied: change.after ?? change.before,
            privateState: privateState ?? change.privateState)
        let response = try await provider.observe(
            ObserveRequest(stack: stack, host: host, runner: runner, targets: [target], logger: logger, readBack: true))
        if let failure = response.failures[change.address] { throw failure }
        let observation = response.observations[change.address]
        return ApplyResponse(
            observed: observation?.value, privateState: privateState ?? change.privateState,
            planData: observation?.planData, outputs: observation?.outputs)
    }
}

/// What an applied change left behind.
package struct ApplyResponse: Sendable {
    /// The resource as observed after the change (`nil` when deleted).
    package var observed: Value?
    /// Data the provider wants back on the next change (kept in the state journal).
    package var privateState: Value?
    /// The observation's ``Observation/planData`` (for ``Provider/settle(_:for:context:)``; not journaled).
    package var planData: Value?
    /// The values the resource publishes now (kept in the journal for the resources that reference them).
    package var outputs: Value?

    /// Creates a response.
    package init(observed: Value?, privateState: Value? = nil, planData: Value? = nil, outputs: Value? = nil) {
        self.observed = observed
        self.privateState = privateState
        self.planData = planData
        self.outputs = outputs
    }
}

/// Looks up providers by section.
package struct ProviderRegistry: Sendable {
    /// All providers.
    package var providers: [any Provider]

    /// Creates a registry.
    package init(_ providers: [any Provider]) { self.providers = providers }

    /// The first provider managing `section`.
    package func provider(for section: String) -> (any Provider)? {
        providers.first { $0.sections.contains(section) }
    }

    /// The provider managing `declaration`.
    package func provider(for declaration: ResourceDeclaration) -> (any Provider)? {
        providers.first { $0.sections.contains(declaration.address.section) && $0.manages(declaration) }
    }

    /// The provider named `name`.
    package func provider(named name: String) -> (any Provider)? { providers.first { $0.name == name } }
}
