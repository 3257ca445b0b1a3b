import Foundation
import OCCore

/// Loads a stack's pf rules into its own anchor on macOS, with `pfctl` (reference §8).
///
/// Every `pf` entry of a stack owns the one top-level anchor `ocplan/STACK` (see ``PFAnchor``), so validation
/// allows one entry per host and stack, and whatever the anchor holds is the stack's (ownership `ours`).
///
/// The attribute tree, desired and observed in the same shape:
///
/// | key | meaning |
/// | --- | --- |
/// | `anchor` | `ocplan/STACK` |
/// | `rules` | the rules as written (variables substituted, trimmed); observed as written when pfctl's normalised form of them equals the anchor's listing, as last applied when those match it (a manifest change), else as listed |
/// | `enabled` | pf is enabled (`pfctl -s info`); only when the entry has `enable: true` |
/// | `referenced` | the running main ruleset lists `nat-anchor "ocplan/STACK"` and `anchor "ocplan/STACK"` |
/// | `pfConf` | `/etc/pf.conf` has both anchor lines, and the `load anchor` line when persisting |
/// | `persist` | the anchor file (holding the desired rules, or the ones the anchor holds now), the `load anchor` line and the LaunchDaemon are in place as wanted; when not persisting, any of them left over |
///
/// The files as read (pf.conf, the anchor file and the LaunchDaemon, by path) travel as the observation's plan
/// data (``Observation/planData``), which ``program(for:context:)`` uses to show the exact edits; the diff never
/// sees them. Every attribute changes in
/// place. An anchor that is empty and referenced nowhere (no listing, no pf.conf line, no file) is absent.
///
/// Observation is per host: `pfctl -s info`, `pfctl -sn`, `pfctl -sr`, `cat /etc/pf.conf`, then per entry
/// `pfctl -a ANCHOR -sn`, `pfctl -a ANCHOR -sr`, `pfctl -a ANCHOR -nvf -` (the desired rules parsed, never
/// loaded) and `cat` of the anchor file and the LaunchDaemon. A rule pfctl rejects is a plan error with
/// pfctl's message. On a host that is not macOS nothing runs and the plan fails with an error.
package struct PFProvider: Provider {
    /// The provider's name in plans and the state journal: `pf`.
    package let name = "pf"
    /// The one section it manages: `pf`.
    package let sections = [PFAnchorSpec.section]

    /// Creates the provider.
    package init() {}

    /// The keys of the attribute tree.
    enum Tree {
        static let anchor = "anchor"
        static let rules = "rules"
        static let enabled = "enabled"
        static let referenced = "referenced"
        static let pfConf = "pfConf"
        static let persist = "persist"
    }

    /// The keys of the private state kept in the journal.
    enum Private {
        /// The enable reference `pfctl -E` returned, released with `pfctl -X` on delete.
        static let token = "token"
    }

    /// An object (created and deleted) whose attributes all change in place.
    package func schema(for section: String) -> ResourceSchema { ResourceSchema() }

    /// `pfctl`, part of macOS.
    package func prerequisites(on host: OCCore.Host) -> [Prerequisite] {
        [Prerequisite(tool: PFCommands.program, host: host.name, install: "part of macOS")]
    }

    /// The tree `{anchor, rules, enabled?, referenced, pfConf, persist}` of the declaration.
    ///
    /// - Throws: an ``OCError`` when the declaration is not a ``PFAnchorSpec``.
    package func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        Self.desiredTree(try declaration.spec(as: PFAnchorSpec.self), stack: context.stack)
    }

    /// The desired tree of `spec` in `stack`.
    static func desiredTree(_ spec: PFAnchorSpec, stack: String) -> Value {
        var tree: Value = [
            Tree.anchor: .string(PFAnchor(stack: stack).name),
            Tree.rules: .list(rules(spec.rules).map(Value.string)),
            Tree.referenced: true,
            Tree.pfConf: true,
            Tree.persist: .bool(spec.persist),
        ]
        if spec.enable { tree[Tree.enabled] = true }
        return tree
    }

    /// The rules as loaded: each trimmed, empty ones dropped.
    static func rules(_ written: [String]) -> [String] {
        written.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    // MARK: - Observe

    /// What is true of the whole host, read once per observation.
    struct HostState {
        var enabled: Bool
        var mainTranslation: String
        var mainFilter: String
        var conf: String?
    }

    /// Reads the host's pf state once, then each entry's anchor (see the type's documentation for the commands).
    ///
    /// A resource removed from the manifest while another entry of the stack is declared on the host (a
    /// renamed entry) is observed as absent: the anchor now belongs to the declared one.
    ///
    /// - Throws: ``CommandFailure`` when a pfctl listing or a `cat` fails for a reason other than a missing
    ///   file (permission problems of `pfctl -s info` are reported as a plan error instead).
    package func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
        guard !request.targets.isEmpty else { return ObserveResponse() }
        let host = request.host
        guard host.os == .macos else {
            return ObserveResponse(diagnostics: request.targets.map { Self.notMacOS($0.address, host: host) })
        }
        let runner = request.runner
        let info = try await runner.run(PFCommands.info())
        guard info.succeeded else {
            if let diagnostic = Self.needsRoot(info, host: host) { return ObserveResponse(diagnostics: [diagnostic]) }
            throw CommandFailure(
                host: host.name, command: PFCommands.info(), reason: .exited(info.exitStatus), result: info)
        }
        guard let enabled = PFObservation.enabled(info: info.stdoutText) else {
            throw CommandFailure.unrecognised(
                PFCommands.info(), info, host: host.name, expected: "a `Status: Enabled|Disabled` line")
        }
        let state = HostState(
            enabled: enabled,
            mainTranslation: try await Self.listing(PFCommands.listTranslation(), runner: runner, host: host),
            mainFilter: try await Self.listing(PFCommands.listFilter(), runner: runner, host: host),
            conf: try await HostFile.contents(of: PFConf.path, runner: runner, host: host.name))

        let anchor = PFAnchor(stack: request.stack)
        let declared = request.targets.first { $0.desired != nil }?.address
        var response = ObserveResponse()
        for target in request.targets {
            if target.desired == nil, let declared {
                response.observations[target.address] = Observation(
                    value: nil, ownership: .ours, note: "anchor \(anchor.name) is managed by \(declared) now")
                continue
            }
            let (observation, diagnostics) = try await observe(
                target, anchor: anchor, state: state, runner: runner, host: host)
            response.observations[target.address] = observation
            response.diagnostics += diagnostics
        }
        return response
    }

    /// Observes one entry's anchor and persistence files.
    private func observe(
        _ target: ObserveTarget, anchor: PFAnchor, state: HostState, runner: any CommandRunner, host: OCCore.Host
    ) async throws -> (Observation, [Diagnostic]) {
        let reference = target.desired ?? target.lastApplied
        let desiredRules = target.desired?[Tree.rules].listValue?.compactMap(\.stringValue)
        let persistWanted = target.desired?[Tree.persist].boolValue ?? false
        let enableWanted = reference?[Tree.enabled].boolValue == true

        let listed =
            PFObservation.listedRules(
                try await Self.listing(PFCommands.listTranslation(anchor: anchor.name), runner: runner, host: host))
            + PFObservation.listedRules(
                try await Self.listing(PFCommands.listFilter(anchor: anchor.name), runner: runner, host: host))
        var diagnostics: [Diagnostic] = []
        var rules = listed
        if let desiredRules {
            switch try await Self.normalised(desiredRules, anchor: anchor, runner: runner) {
            case .success(let normalised) where Self.sameListing(normalised, listed):
                rules = desiredRules
            case .success:
                // A manifest change: while the anchor still holds the last applied rules, show them as written.
                let applied = target.lastApplied?[Tree.rules].listValue?.compactMap(\.stringValue)
                if let applied, !listed.isEmpty, applied != desiredRules,
                    case .success(let previous) = try await Self.normalised(applied, anchor: anchor, runner: runner),
                    Self.sameListing(previous, listed)
                {
                    rules = applied
                }
            case .failure(let result):
                diagnostics.append(Self.rejected(result, address: target.address, rules: desiredRules))
            }
        }

        let anchorFile = try await HostFile.contents(of: anchor.file, runner: runner, host: host.name)
        let daemon = try await HostFile.contents(of: anchor.daemonPath, runner: runner, host: host.name)
        let conf = PFConf(state.conf)
        let lines = anchor.confLines
        let referenced = PFObservation.references(
            anchor: anchor.name, nat: state.mainTranslation, rules: state.mainFilter)
        let exists =
            !listed.isEmpty || referenced || conf.containsAny(of: lines) || anchorFile != nil || daemon != nil
        guard exists else { return (.absent, diagnostics) }

        // The anchor file is in place when it holds the desired rules, or the rules the anchor holds now (then a
        // rules change shows under `rules` alone, and the apply rewrites the file with the rules it loads).
        let fileInPlace =
            anchorFile == PFAnchor.rulesText(desiredRules ?? []) || anchorFile == PFAnchor.rulesText(rules)
        let persisted =
            persistWanted
            ? fileInPlace && conf.contains(lines.load) && daemon == anchor.daemonPlist(enable: enableWanted)
            : anchorFile != nil || daemon != nil || conf.contains(lines.load)
        var files: [String: Value] = [:]
        for (path, text) in [(PFConf.path, state.conf), (anchor.file, anchorFile), (anchor.daemonPath, daemon)] {
            if let text { files[path] = .string(text) }
        }
        var tree: Value = [
            Tree.anchor: .string(anchor.name),
            Tree.rules: .list(rules.map(Value.string)),
            Tree.referenced: .bool(referenced),
            Tree.pfConf: .bool(conf.references(lines, load: persistWanted)),
            Tree.persist: .bool(persisted),
        ]
        if enableWanted { tree[Tree.enabled] = .bool(state.enabled) }
        return (Observation(value: tree, ownership: .ours, planData: .map(files)), diagnostics)
    }

    /// Runs a listing (`pfctl [-a ANCHOR] -sn|-sr`), which must succeed and print only rule lines.
    ///
    /// - Throws: ``CommandFailure`` when it fails or prints a line that is not a pf rule.
    static func listing(_ command: Command, runner: any CommandRunner, host: OCCore.Host) async throws -> String {
        let result = try await runner.check(command, host: host.name)
        guard PFObservation.listedRules(result.stdoutText).allSatisfy(PFObservation.isRule) else {
            throw CommandFailure.unrecognised(command, result, host: host.name, expected: "pf rules, one per line")
        }
        return result.stdoutText
    }

    /// The outcome of parsing rules with `pfctl -nvf`.
    enum Parse {
        /// The rules as the listings would show them.
        case success([String])
        /// pfctl rejected them.
        case failure(CommandResult)
    }

    /// `rules` in pfctl's normalised form (`pfctl -a ANCHOR -nvf -`; nothing runs for no rules).
    static func normalised(_ rules: [String], anchor: PFAnchor, runner: any CommandRunner) async throws -> Parse {
        guard !rules.isEmpty else { return .success([]) }
        let result = try await runner.run(PFCommands.parse(rules, anchor: anchor.name))
        return result.succeeded ? .success(PFObservation.parsedRules(result.stdoutText)) : .failure(result)
    }

    /// Whether normalised rules and a listing hold the same rules, in the order pfctl lists them.
    static func sameListing(_ normalised: [String], _ listed: [String]) -> Bool {
        PFObservation.listingOrder(normalised) == PFObservation.listingOrder(listed)
    }

    // MARK: - Diagnostics

    /// The plan error for rules pfctl cannot parse, located at the rule pfctl names.
    static func rejected(_ result: CommandResult, address: Address, rules: [String]) -> Diagnostic {
        let problems = PFObservation.parseProblems(result.stderrText)
        let index = problems.compactMap(\.rule).first.flatMap { rules.indices.contains($0) ? $0 : nil }
        var detail = "`pfctl -a \(PFAnchor.prefix)… -nvf -` (parse only) says:\n"
        detail +=
            problems.isEmpty ? "exit status \(result.exitStatus)" : problems.map(\.message).joined(separator: "\n")
        if let index { detail += "\nrules[\(index)] is `\(rules[index])`." }
        detail += "\nThe rules cannot be loaded as they are; fix them and plan again. Nothing was changed."
        return Diagnostic(
            .error, "pfctl rejects the rules of \(address)", detail: detail,
            keyPath: "\(address).rules" + (index.map { "[\($0)]" } ?? ""), address: address)
    }

    /// The plan error for an entry on a host that is not macOS.
    static func notMacOS(_ address: Address, host: OCCore.Host) -> Diagnostic {
        Diagnostic(
            .error, "pf runs on macOS only",
            detail: "\(address) is on host \(host.name), which runs \(host.os.rawValue); ocplan drives pfctl on macOS "
                + "hosts only. Point `host` at the Mac (set `os: macos` on a host reached over ssh).",
            keyPath: "\(address).host", address: address)
    }

    /// The plan error when `pfctl -s info` cannot open `/dev/pf`, or `nil` for another failure.
    static func needsRoot(_ result: CommandResult, host: OCCore.Host) -> Diagnostic? {
        let messages = PFObservation.messages(result.stderrText)
        guard messages.contains(where: { $0.contains("Permission denied") || $0.contains("Operation not permitted") })
        else { return nil }
        return .error(
            "pfctl needs root on host '\(host.name)'",
            detail: "`pfctl -s info` says: \(messages.joined(separator: " ")). Every pfctl call opens /dev/pf, which "
                + "only root may use. Give the host `become: sudo` (allowed without a password) or run ocplan as root.")
    }
}
