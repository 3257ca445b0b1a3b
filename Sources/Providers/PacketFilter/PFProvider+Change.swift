import Foundation
import OCCore

extension PFProvider {
    // MARK: - Change

    /// The program of `change`, computed from what was observed at plan time.
    ///
    /// Create and update, each step only when needed:
    ///
    /// 1. with `persist: true`, the anchor file and the LaunchDaemon (atomic writes, mode 0644) — before pf.conf,
    ///    because pfctl reads the file a `load anchor` line names when it checks or loads pf.conf;
    /// 2. the pf.conf edit (``PFConfEdit``): read afresh, backed up to `/etc/pf.conf.ocplan-backup`, the
    ///    candidate written to a fresh `mktemp` file in /etc, checked with `pfctl -nf $TMP`, moved into place; a
    ///    candidate pfctl rejects is removed and the apply fails with pfctl's message, pf.conf untouched;
    /// 3. `pfctl -f /etc/pf.conf` when the running main ruleset does not reference the anchor;
    /// 4. `pfctl -a ANCHOR -f -` with the rules on standard input when they differ;
    /// 5. with `persist: false`, `rm -f` of a leftover anchor file and LaunchDaemon (after the `load anchor` line
    ///    is gone from pf.conf);
    /// 6. `pfctl -E` when `enable` is true and pf is disabled, and on create (the stack takes its own enable
    ///    reference, which delete gives back): the token it prints is kept in the private state.
    ///
    /// Delete: `pfctl -a ANCHOR -F all`, the pf.conf edit that removes the anchor's lines, `pfctl -f
    /// /etc/pf.conf` when the main ruleset references the anchor, `rm -f` of the anchor file and the
    /// LaunchDaemon, and `pfctl -X TOKEN` for the reference the stack holds (a token already gone — pf disabled by
    /// hand, a reboot — is no error).
    ///
    /// On create nothing of the anchor was there to observe, so the pf.conf edit is shown against an unknown
    /// file; the edit reads the file again in any case.
    ///
    /// - Throws: an ``OCError`` when a create or update has no desired tree.
    package func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        let steps = try Self.steps(for: change, stack: context.stack, privateState: context.privateState)
        var program = steps.first
        if let edit = steps.conf {
            program.append(
                .edit(
                    FileEditStep(
                        PFConf.path, edit: PFConfEdit(kind: edit.kind, lines: steps.anchor.confLines),
                        backup: PFConf.backupPath, check: PFCommands.check(Command.reference(HostFile.temporary)),
                        noise: PFObservation.noise, planned: edit.snapshot)))
        }
        program += steps.then.map { .run($0) }
        if steps.enable {
            program.append(
                .capture(
                    CaptureStep(PFCommands.enable(), name: Private.token, parser: PFToken(), required: false)))
        }
        if let token = steps.release {
            program.append(
                .run(
                    PFCommands.release(token: token),
                    accepts: Acceptance(
                        "a reference already released (pf disabled by hand, a reboot) is fine",
                        markers: PFObservation.releasedMarkers)))
        }
        guard change.action != .delete else { return StepProgram(program) }
        let token = context.privateState?[Private.token].stringValue
        return StepProgram(program + [.reobserve], privateState: token.map { [Private.token: .string($0)] })
    }

    // MARK: - Steps

    /// What one change does, in order.
    struct Steps {
        var anchor: PFAnchor
        /// Steps before the pf.conf edit (the persistence files, or the flush of a delete).
        var first: [Step] = []
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
        enum Kind: Sendable {
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
        let files = change.planData?.mapValue
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
                steps.first.append(.run(PFCommands.flush(anchor: anchor.name)))
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
                    steps.first.append(.write(PFCommands.writeFile(text, to: path)))
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

/// The pf.conf edit of one anchor (its `anchor`, `nat-anchor` and `load anchor` lines added or removed), run by
/// the engine on the file as read at apply time.
struct PFConfEdit: FileEdit {
    var kind: PFProvider.ConfEdit.Kind
    var lines: PFConf.Lines

    func edited(_ text: String?) -> FileEditResult {
        let candidate = kind.applied(to: text, lines: lines)
        return candidate == text ?? "" ? .unchanged : .write(candidate)
    }

    var description: String {
        switch kind {
        case .add(let load): return load ? "add the anchor's lines with its load line" : "add the anchor's lines"
        case .remove: return "remove the anchor's lines"
        }
    }
}

/// The enable reference in what `pfctl -E` prints on standard error (`Token : N`).
struct PFToken: OutputParser {
    func value(in result: CommandResult) -> String? { PFObservation.token(stderr: result.stderrText) }
    var description: String { "the enable reference pfctl -E prints (Token : N)" }
}
