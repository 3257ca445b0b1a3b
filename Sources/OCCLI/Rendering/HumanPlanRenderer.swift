import Foundation
import OCCore

/// Renders a plan the way terraform users read one: symbols, attribute diffs, causes, a summary line.
package struct HumanPlanRenderer: Sendable {
    /// Colours.
    package var style: Style
    /// Show the program each change will run.
    package var showCommands: Bool
    /// Computes the program of a change for `--show-commands` (``StepProgram/preview(os:)``).
    package var commands: (@Sendable (Change) -> [ProgramLine])?

    /// Creates a renderer.
    package init(style: Style, showCommands: Bool = false, commands: (@Sendable (Change) -> [ProgramLine])? = nil) {
        self.style = style
        self.showCommands = showCommands
        self.commands = commands
    }

    /// The whole plan as text.
    package func render(_ plan: Plan) -> String {
        let plan = plan.displayed
        var out: [String] = []
        let actions = plan.actions
        guard !actions.isEmpty else {
            out.append(
                style.green(style.bold("No changes.")) + " Stack \"\(Self.visible(plan.stack))\" matches the manifest.")
            return out.joined(separator: "\n") + "\n"
        }
        out.append("ocplan will perform the following actions on stack \"\(Self.visible(plan.stack))\":")
        out.append(
            style.dim(
                "Symbols: + create, ~ update in place, -/+ replace, - destroy"
                    + (plan.forgetCount > 0 ? ", . forget (left in place)" : "")
                    + (plan.restartCount > 0 ? ", ~ NAME: restart" : "")))
        out.append("")
        for change in order(actions) {
            out.append(contentsOf: render(change, secrets: plan.secrets))
            out.append("")
        }
        out.append(summaryLine(plan))
        return out.joined(separator: "\n") + "\n"
    }

    /// `Plan: 1 to create, 0 to update, 0 to replace, 0 to destroy.` with forgets, restarts and drift counted.
    package func summaryLine(_ plan: Plan) -> String {
        let s = plan.summary
        let drift = plan.actions.filter { $0.cause == .drift }.count
        var line =
            style.bold("Plan:")
            + " \(s[.create] ?? 0) to create, \(s[.update] ?? 0) to update, \(s[.replace] ?? 0) to replace, "
            + "\(s[.delete] ?? 0) to destroy."
        let forgets = plan.forgetCount
        if forgets > 0 { line = String(line.dropLast()) + ", \(forgets) to forget." }
        let restarts = plan.restartCount
        if restarts > 0 { line = String(line.dropLast()) + ", \(restarts) to restart." }
        if drift > 0 { line += " \(drift) of them \(drift == 1 ? "repairs" : "repair") drift." }
        return line
    }

    /// Creates, updates and replaces in dependency-friendly order, then restarts (which follow their triggers),
    /// then deletes.
    private func order(_ changes: [Change]) -> [Change] {
        changes.filter { $0.action != .delete && $0.action != .noop } + changes.filter { $0.action == .noop }
            + changes.filter { $0.action == .delete }
    }

    private func symbol(_ change: Change) -> String {
        if change.forgets { return style.dim("  .") }
        switch change.action {
        case .create: return style.green("  +")
        case .update: return style.yellow("  ~")
        case .replace: return style.red("-/+")
        case .delete: return style.red("  -")
        case .noop: return "   "
        }
    }

    private func headline(_ change: Change) -> String {
        var what: String
        switch change.action {
        case .create: what = "will be created"
        case .update: what = "will be updated in place"
        case .replace where change.movesHost:
            let move = change.move
            what =
                move?.host.name != change.host.name
                ? "must be replaced (host: \(Self.visible(move?.host.name ?? "")) -> \(Self.visible(change.host.name)))"
                : "must be replaced (provider: \(move?.provider ?? "") -> \(change.provider))"
        case .replace:
            let reasons = change.replaceReasons.map(\.description)
            what =
                "must be replaced"
                + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")) cannot change in place)")
        case .delete: what = change.reason?.forgetHeadline.map { "will be " + $0 } ?? "will be destroyed"
        case .noop: what = "is unchanged"
        }
        if change.restarts {
            what =
                (change.action == .noop ? "will be restarted" : what + ", then restarted") + " "
                + Self.triggered(change)
        }
        var cause = ""
        switch change.cause {
        case .manifest?: cause = " — cause: manifest"
        case .drift?: cause = " — cause: drift (changed outside ocplan)"
        case .notConverged?: cause = " — cause: did not converge in the last apply"
        case nil: break
        }
        return style.bold("  # \(Self.visible(change.address.description))")
            + " on \(Self.visible(change.host.name)) \(what)"
            + cause
    }

    func render(_ change: Change, secrets: Set<String>) -> [String] {
        let secrets = secrets.union(change.secretValues)
        var out = [headline(change)]
        for note in change.notes { out.append(style.cyan("  # (\(Self.visible(note, secrets)))")) }
        if change.action != .noop {
            out.append("\(symbol(change)) \(Self.visible(change.address.description)) {")
            let width = change.attributes.map { $0.path.description.count }.max() ?? 0
            for attribute in change.attributes {
                out.append(contentsOf: render(attribute, action: change.action, width: width, secrets: secrets))
            }
            out.append("    }")
        }
        if change.restarts {
            out.append(
                style.yellow("  ~") + " \(Self.visible(change.address.description)): restart \(Self.triggered(change))")
        }
        if showCommands, let commands {
            let list = commands(change)
            if !list.isEmpty {
                out.append(style.dim("    commands (on \(Self.visible(change.host.name))):"))
                for line in list { out += render(line, secrets: secrets, marking: change.secretValues) }
            }
        }
        return out
    }

    /// One line of a program: `$ command` (with its input when it shows it) or `# note`.
    private func render(_ line: ProgramLine, secrets: Set<String>, marking: Set<String>) -> [String] {
        switch line {
        case .note(let note):
            return [style.dim("      # " + Self.visible(note, secrets))]
        case .command(let command):
            let command = command.markingSensitive(marking)
            var out = [style.dim("      $ " + Self.visible(command.description, secrets))]
            if command.showsInput, let input = command.stdin {
                for line in String(decoding: input, as: UTF8.self).split(separator: "\n") {
                    out.append(style.dim("      | " + Self.visible(String(line), secrets)))
                }
            }
            return out
        }
    }

    private func render(_ attribute: AttributeChange, action: Action, width: Int, secrets: Set<String>) -> [String] {
        let name = Self.visible(attribute.path.description).padding(toLength: width, withPad: " ", startingAt: 0)
        let forces = attribute.forcesReplace && action == .replace ? style.red(" # forces replacement") : ""
        // A sensitive attribute is hidden whole, on both sides: its marks say it holds a secret.
        let hidden = attribute.sensitive
        func show(_ value: Value?) -> String {
            guard let value else { return "null" }
            return hidden ? DisplayText.placeholder : Self.visible(value.description, secrets)
        }
        if let membership = attribute.membership { return [render(membership, of: attribute, show: show)] }
        // Multi-line text: a unified diff.
        if case .string(let new)? = attribute.after, case .string(let old)? = attribute.before,
            new.contains("\n") || old.contains("\n")
        {
            if hidden { return [style.yellow("      ~") + " \(name) = \(DisplayText.placeholder)" + forces] }
            var lines = [style.yellow("      ~") + " \(name) = <<-EOT" + forces]
            for line in TextDiff.unified(old, new) {
                let shown = Self.visible(line, secrets)
                if shown.hasPrefix("+") {
                    lines.append("          " + style.green(shown))
                } else if shown.hasPrefix("-") {
                    lines.append("          " + style.red(shown))
                } else {
                    lines.append("          " + style.dim(shown))
                }
            }
            lines.append("        EOT")
            return lines
        }
        if case .string(let text)? = attribute.after, attribute.before == nil, text.contains("\n") {
            if hidden { return [style.green("      +") + " \(name) = \(DisplayText.placeholder)"] }
            var lines = [style.green("      +") + " \(name) = <<-EOT"]
            let body = text.hasSuffix("\n") ? String(text.dropLast()) : text
            let all = body.split(separator: "\n", omittingEmptySubsequences: false)
            for line in all.prefix(40) { lines.append("          " + Self.visible(String(line), secrets)) }
            if all.count > 40 { lines.append(style.dim("          … \(all.count - 40) more lines")) }
            lines.append("        EOT")
            return lines
        }
        switch (attribute.before, attribute.after) {
        case (nil, let after?):
            return [style.green("      +") + " \(name) = \(show(after))"]
        case (let before?, nil):
            return [style.red("      -") + " \(name) = \(show(before))" + (action == .delete ? "" : " -> null")]
        case (let before?, let after?):
            return [style.yellow("      ~") + " \(name) = \(show(before)) -> \(show(after))" + forces]
        case (nil, nil):
            return []
        }
    }

    /// A join or a leave: `+ networks: joins "x" (aliases = ["web"])`, `- networks: leaves "podman" (joined outside
    /// ocplan)`.
    private func render(_ membership: Membership, of attribute: AttributeChange, show: (Value?) -> String) -> String {
        let map = ValuePath(Array(attribute.path.components.dropLast())).description
        var member = ""
        if case .key(let key)? = attribute.path.components.last { member = key }
        let entry = "\(Self.visible(map)): \(membership.kind == .join ? "joins" : "leaves") \(Value.quote(member))"
        switch membership.kind {
        case .join:
            // What it joins with: the entry's fields that say something.
            let fields = (attribute.after?.mapValue ?? [:]).filter { !$0.value.isNull && $0.value != .list([]) }
            let with = fields.keys.sorted().map { "\($0) = \(show(fields[$0]))" }.joined(separator: ", ")
            return style.green("      +") + " " + Self.visible(entry) + (with.isEmpty ? "" : " (\(with))")
                + (membership.outsideOcplan ? " (left outside ocplan)" : "")
        case .leave:
            return style.red("      -") + " " + Self.visible(entry)
                + (membership.outsideOcplan ? " (joined outside ocplan)" : "")
        }
    }

    /// `(triggered by files.a, files.b)`.
    static func triggered(_ change: Change) -> String {
        "(triggered by \(visible(change.triggeredBy.map(\.description).joined(separator: ", "))))"
    }

    /// Text from the world or the manifest, fit to print: secrets of searchable length removed, control
    /// characters made visible (an ESC in a file must not clear the screen or fake "No changes.").
    static func visible(_ text: String, _ secrets: Set<String> = []) -> String {
        DisplayText.escapingControlCharacters(DisplayText.redact(text, secrets: secrets))
    }
}
