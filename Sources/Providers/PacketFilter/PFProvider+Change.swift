import Foundation
import OCCore

extension PFProvider {
    // MARK: - Change

    /// The commands ``apply(_:)`` runs for `change`, computed from what was observed at plan time.
    ///
    /// Create and update, each step only when needed:
    ///
    /// 1. with `persist: true`, the anchor file and the LaunchDaemon (`mkdir -p`, `mktemp`, `tee $TMP`,
    ///    `chmod 0644 $TMP`, `mv -f -h $TMP FILE`) — before pf.conf, because pfctl reads the file a
    ///    `load anchor` line names when it checks or loads pf.conf;
    /// 2. the pf.conf edit: `cat /etc/pf.conf`, `cp -p /etc/pf.conf /etc/pf.conf.ocplan-backup`, the candidate
    ///    written to a fresh `mktemp` file in /etc, `pfctl -nf $TMP`, `mv -f -h` into place;
    /// 3. `pfctl -f /etc/pf.conf` when the running main ruleset does not reference the anchor;
    /// 4. `pfctl -a ANCHOR -f -` with the rules on standard input when they differ;
    /// 5. with `persist: false`, `rm -f` of a leftover anchor file and LaunchDaemon (after the `load anchor` line
    ///    is gone from pf.conf);
    /// 6. `pfctl -E` when `enable` is true and pf is disabled, and on create (the stack takes its own enable
    ///    reference, which delete gives back).
    ///
    /// Delete: `pfctl -a ANCHOR -F all`, the pf.conf edit that removes the anchor's lines, `pfctl -f
    /// /etc/pf.conf` when the main ruleset references the anchor, `rm -f` of the anchor file and the
    /// LaunchDaemon, and `pfctl -X TOKEN` for the reference the stack holds.
    ///
    /// On create nothing of the anchor was there to observe, so the pf.conf edit is listed against an unknown
    /// file; apply reads the file again in any case and writes its edited text.
    ///
    /// - Throws: an ``OCError`` when a create or update has no desired tree.
    public func commands(for change: Change, context: ChangeContext) throws -> [Command] {
        let steps = try Self.steps(for: change, stack: context.stack, privateState: context.privateState)
        var commands = steps.first
        if let edit = steps.conf {
            let current = edit.snapshot ?? nil
            commands.append(HostFile.read(PFConf.path))
            if edit.snapshot == nil || current != nil { commands.append(PFCommands.backupConf()) }
            commands += PFCommands.writeConf(edit.kind.applied(to: current, lines: steps.anchor.confLines)).all
        }
        commands += steps.then
        if steps.enable { commands.append(PFCommands.enable()) }
        if let token = steps.release { commands.append(PFCommands.release(token: token)) }
        return commands
    }

    /// Carries out `change` in the order of ``commands(for:context:)``, reading `/etc/pf.conf` afresh before
    /// editing it.
    ///
    /// A candidate pf.conf that `pfctl -nf` rejects is removed and the apply fails with pfctl's message;
    /// `/etc/pf.conf` is then untouched. The token `pfctl -E` prints is kept in the private state; on delete it
    /// is released, and a token that is already gone (pf disabled by hand, a reboot) is no error.
    ///
    /// - Throws: ``CommandFailure`` for a failed command, an ``OCError`` for a rejected pf.conf.
    public func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
        let change = request.change
        let host = request.host.name
        let runner = request.runner
        let steps = try Self.steps(for: change, stack: request.stack, privateState: change.privateState)
        var bindings = CommandBindings()
        do {
            for command in steps.first { try await runner.check(command, host: host, bindings: &bindings) }
            if let edit = steps.conf {
                let current = try await HostFile.contents(of: PFConf.path, runner: runner, host: host)
                let candidate = edit.kind.applied(to: current, lines: steps.anchor.confLines)
                if candidate != current ?? "" {
                    try await Self.install(
                        candidate, backup: current != nil, runner: runner, host: host, bindings: &bindings)
                }
            }
            for command in steps.then { try await runner.check(command, host: host, bindings: &bindings) }
        } catch {
            await runner.undo(&bindings)
            throw error
        }
        var token = change.privateState?[Private.token].stringValue
        if steps.enable {
            let result = try await runner.check(PFCommands.enable(), host: host)
            token = PFObservation.token(stderr: result.stderrText) ?? token
        }
        if let release = steps.release {
            let command = PFCommands.release(token: release)
            let result = try await runner.run(command)
            if !result.succeeded && !PFObservation.tokenAlreadyReleased(result.stderrText) {
                throw CommandFailure(host: host, command: command, reason: .exited(result.exitStatus), result: result)
            }
        }
        if change.action == .delete { return ApplyResponse(observed: nil, privateState: nil) }
        let state: Value? = token.map { [Private.token: .string($0)] }
        return try await request.reobserve(self, privateState: state)
    }

    /// Backs up `/etc/pf.conf`, writes `text` beside it, checks it with pfctl and moves it into place.
    static func install(
        _ text: String, backup: Bool, runner: any CommandRunner, host: String, bindings: inout CommandBindings
    ) async throws {
        if backup { try await runner.check(PFCommands.backupConf(), host: host) }
        let write = PFCommands.writeConf(text)
        for command in write.staged { try await runner.check(command, host: host, bindings: &bindings) }
        let checked = try await runner.run(write.check, bindings: &bindings)
        let shown = (try? write.check.resolved(bindings.values)) ?? write.check
        guard checked.succeeded else {
            _ = try? await runner.run(write.discard, bindings: &bindings)
            let said = PFObservation.messages(checked.stderrText).joined(separator: "\n")
            throw OCError(
                .commandFailed,
                "pfctl rejects the edited \(PFConf.path) on \(host), so it was not installed and \(PFConf.path) is "
                    + "unchanged. `\(shown)` says:\n\(said.isEmpty ? "exit status \(checked.exitStatus)" : said)"
                    + "\nFix \(PFConf.path) (a copy from before this run is in \(PFConf.backupPath)) and apply again.")
        }
        try await runner.check(write.install, host: host, bindings: &bindings)
    }

    // MARK: - Steps

    /// What one change does, in order.
    struct Steps {
        var anchor: PFAnchor
        /// Commands before the pf.conf edit (the persistence files, or the flush of a delete).
        var first: [Command] = []
        /// The pf.conf edit, when one is needed.
        var conf: ConfEdit?
        /// Commands after it (reload, load, removals).
        var then: [Command] = []
        /// Whether to run `pfctl -E`.
        var enable = false
        /// The token to release with `pfctl -X`.
        var release: String?
    }

    /// An edit of `/etc/pf.conf`.
    struct ConfEdit {
        /// What to do with the anchor's lines.
        enum Kind {
            /// Both anchor lines, with or without the `load anchor` line.
            case add(load: Bool)
            /// None of them.
            case remove

            func applied(to text: String?, lines: PFConf.Lines) -> String {
                switch self {
                case .add(let load): return PFConf(text).adding(lines, load: load)
                case .remove: return PFConf(text).removing(lines)
                }
            }
        }

        var kind: Kind
        /// The file as observed at plan time: `.some(nil)` for a missing file, `nil` when unknown.
        var snapshot: String??
    }

    static func steps(for change: Change, stack: String, privateState: Value?) throws -> Steps {
        let before = change.before
        let anchor =
            (before?[Tree.anchor].stringValue ?? change.after?[Tree.anchor].stringValue).flatMap(PFAnchor.init(name:))
            ?? PFAnchor(stack: stack)
        let files = before?[Tree.fileContents].mapValue
        func snapshot(_ path: String) -> String?? { files.map { $0[path]?.stringValue } }
        func existing(_ path: String) -> Bool { (snapshot(path) ?? nil) != nil }
        func confEdit(_ kind: ConfEdit.Kind) -> ConfEdit? {
            let observed = snapshot(PFConf.path)
            guard let observed else { return ConfEdit(kind: kind, snapshot: nil) }
            let current = observed ?? ""
            return kind.applied(to: observed, lines: anchor.confLines) == current
                ? nil : ConfEdit(kind: kind, snapshot: observed)
        }
        var steps = Steps(anchor: anchor)

        switch change.action {
        case .noop:
            return steps
        case .delete:
            guard let before else { return steps }
            if before[Tree.rules].listValue?.isEmpty == false {
                steps.first.append(PFCommands.flush(anchor: anchor.name))
            }
            steps.conf = confEdit(.remove)
            if before[Tree.referenced].boolValue == true { steps.then.append(PFCommands.reloadMain()) }
            for path in [anchor.file, anchor.daemonPath] where existing(path) {
                steps.then.append(HostFile.remove(path))
            }
            steps.release = privateState?[Private.token].stringValue
            return steps
        case .create, .update, .replace:
            guard let after = change.after, let rules = after[Tree.rules].listValue?.compactMap(\.stringValue) else {
                throw OCError(.internalError, "\(change.address) has no desired rules")
            }
            let persist = after[Tree.persist].boolValue ?? false
            let enable = after[Tree.enabled].boolValue == true
            if persist {
                let wanted = [
                    (anchor.file, PFAnchor.rulesText(rules)), (anchor.daemonPath, anchor.daemonPlist(enable: enable)),
                ]
                for (path, text) in wanted where snapshot(path) != .some(text) {
                    steps.first += PFCommands.writeFile(text, to: path)
                }
            }
            steps.conf = confEdit(.add(load: persist))
            if before?[Tree.referenced].boolValue != true { steps.then.append(PFCommands.reloadMain()) }
            if before?[Tree.rules] != after[Tree.rules] {
                steps.then.append(PFCommands.load(rules, anchor: anchor.name))
            }
            if !persist {
                for path in [anchor.file, anchor.daemonPath] where existing(path) {
                    steps.then.append(HostFile.remove(path))
                }
            }
            steps.enable = enable && before?[Tree.enabled].boolValue != true
            return steps
        }
    }
}
