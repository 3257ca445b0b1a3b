import OCCore

extension PFAnchorSpec {
    /// Where a rule belongs in pf.conf's required order (options, normalisation, queueing, translation, filtering).
    enum Section: Int, Comparable {
        case definition = 0
        case option
        case normalization
        case queueing
        case translation
        case filtering

        static func < (lhs: Section, rhs: Section) -> Bool { lhs.rawValue < rhs.rawValue }

        var name: String {
            switch self {
            case .definition: return "definition"
            case .option: return "option"
            case .normalization: return "normalisation"
            case .queueing: return "queueing"
            case .translation: return "translation"
            case .filtering: return "filter"
            }
        }
    }

    /// The section of each leading keyword pf accepts.
    static let keywords: [String: Section] = [
        "table": .definition, "set": .option, "scrub": .normalization, "scrub-anchor": .normalization,
        "altq": .queueing, "queue": .queueing, "nat": .translation, "rdr": .translation, "binat": .translation,
        "nat-anchor": .translation, "rdr-anchor": .translation, "binat-anchor": .translation,
        "pass": .filtering, "block": .filtering, "anchor": .filtering, "antispoof": .filtering,
        "dummynet-anchor": .filtering, "dummynet": .filtering, "load": .definition,
    ]

    /// Rule keywords whose rules an anchor referenced only by `nat-anchor` and `anchor` never evaluates, with the
    /// main-ruleset line that would.
    static let unreachedKeywords: [String: String] = [
        "rdr": "rdr-anchor", "binat": "binat-anchor", "scrub": "scrub-anchor", "rdr-anchor": "rdr-anchor",
        "binat-anchor": "binat-anchor", "scrub-anchor": "scrub-anchor",
    ]

    /// Checks that the stack's anchor has one entry per host, rule order, unresolved variables, undefined
    /// macros, NAT targets, rules the anchor's references do not reach, and the host's OS.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (address, _) in context.others(PFAnchorSpec.self, on: host) {
            diagnostics.append(
                context.error(
                    "pf entries share the stack's anchor",
                    detail: "\(address) also loads rules on host \(host), and every pf entry of a stack is loaded into "
                        + "the one anchor ocplan/STACK, so each would replace the other's rules. Merge the rules of "
                        + "both into one entry.",
                    at: "host"))
        }
        var latest: (section: Section, index: Int)?
        var macros: Set<String> = []
        for (index, rule) in rules.enumerated() {
            let keyPath = "rules[\(index)]"
            if rule.contains("\n") {
                diagnostics.append(
                    context.error(
                        "One rule per entry", detail: "Rule \(index) spans several lines. Split it into list entries.",
                        at: keyPath))
            }
            for reference in VariableReferences.unresolved(in: rule) {
                diagnostics.append(
                    context.error(
                        "Unresolved variable in pf rule",
                        detail:
                            "`\(reference)` is still in the rule after manifest variables were substituted. Declare "
                            + "it under `vars:` or fix its name.",
                        at: keyPath))
            }
            let words = rule.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = words.first else { continue }
            if words.count >= 2, words[1] == "=" {
                macros.insert(first)
                continue
            }
            let keyword = first == "no" && words.count > 1 ? words[1] : first
            guard let section = Self.keywords[keyword] else {
                let hint = NearMiss.detailHint(for: keyword, among: Self.keywords.keys.sorted())
                diagnostics.append(
                    context.error(
                        "Unknown pf rule",
                        detail: "`\(keyword)` does not start a pf rule.\(hint) Start rules with nat, rdr, pass, "
                            + "block or another pf.conf keyword.",
                        at: keyPath))
                continue
            }
            if let latest, section < latest.section {
                diagnostics.append(
                    context.error(
                        "pf rules are out of order",
                        detail:
                            "This \(section.name) rule follows the \(latest.section.name) rule at "
                            + "rules[\(latest.index)], "
                            + "and pfctl requires options, normalisation, queueing, translation, then filtering. Move "
                            + "it before rules[\(latest.index)].",
                        at: keyPath))
            } else {
                latest = (section, index)
            }
            diagnostics += macroProblems(words, defined: macros, keyPath: keyPath, in: context)
            if let needed = Self.unreachedKeywords[keyword] {
                diagnostics.append(
                    context.warning(
                        "\(keyword) rules are not evaluated in the stack's anchor",
                        detail: "/etc/pf.conf references the stack's anchor with `nat-anchor` and `anchor` only, so pf "
                            + "never evaluates \(keyword) rules in it (that would take a `\(needed)` line). Use nat "
                            + "and pass/block rules here, or put this rule in /etc/pf.conf yourself.",
                        at: keyPath))
            }
            if section == .translation, let arrow = words.firstIndex(of: "->"), arrow + 1 < words.count,
                Self.isInterfaceName(words[arrow + 1])
            {
                let interface = words[arrow + 1]
                diagnostics.append(
                    context.warning(
                        "NAT to an interface without parentheses",
                        detail: "`-> \(interface)` takes the interface's address when the rules load and fails while "
                            + "\(interface) has none. Write `-> (\(interface))` so the address follows the interface.",
                        at: keyPath))
            }
        }
        if let os = context.hosts[host]?.os, os != .macos {
            diagnostics.append(
                context.warning(
                    "pf rules on a host that is not macOS",
                    detail: "Host \(host) runs \(os.rawValue), where ocplan does not drive pfctl. Point `host` at the "
                        + "Mac (set `os: macos` on it when it is reached over ssh).",
                    at: "host"))
        }
        return diagnostics
    }

    private func macroProblems(
        _ words: [String], defined: Set<String>, keyPath: String, in context: ValidationContext
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for word in words {
            var rest = Substring(word)
            while let dollar = rest.firstIndex(of: "$") {
                let name = rest[rest.index(after: dollar)...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                rest = rest[rest.index(after: dollar)...]
                guard !name.isEmpty, !defined.contains(String(name)) else { continue }
                diagnostics.append(
                    context.error(
                        "Undefined pf macro",
                        detail: "`$\(name)` is not defined in this anchor's rules (macros from /etc/pf.conf do not "
                            + "reach an anchor loaded on its own). Define it first (`\(name) = \"en0\"`) or use a "
                            + "manifest variable `${\(name)}`.",
                        at: keyPath))
            }
        }
        return diagnostics
    }

    /// Whether `word` looks like a bare interface name (`en0`, `bridge100`).
    static func isInterfaceName(_ word: String) -> Bool {
        let letters = word.prefix { $0.isASCII && $0.isLetter }
        let digits = word.dropFirst(letters.count)
        return !letters.isEmpty && !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }
}
