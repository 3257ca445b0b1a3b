import OCCore

extension IPTablesChainSpec {
    /// Targets that only exist in the `nat` table.
    static let natTargets: Set<String> = ["MASQUERADE", "SNAT", "DNAT", "REDIRECT", "NETMAP"]

    /// Options that name a command or table, which ocplan adds itself.
    static let commandOptions: Set<String> = [
        "-A", "--append", "-I", "--insert", "-D", "--delete", "-R", "--replace", "-N", "--new-chain", "-X",
        "--delete-chain", "-F", "--flush", "-P", "--policy", "-t", "--table", "-C", "--check",
    ]

    /// Options whose value is an address.
    static let addressOptions: Set<String> = [
        "-s", "--source", "-d", "--destination", "--to-source", "--to-destination", "--to",
    ]

    /// Checks the chain name, the hook, every rule's syntax, targets and address family, and duplicates.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics = chainProblems(in: context)
        diagnostics += hookProblems(in: context)
        for (index, rule) in rules.enumerated() {
            diagnostics += ruleProblems(rule, keyPath: "rules[\(index)]", in: context)
        }
        for (key, path) in [("persistDirectory", persistDirectory), ("unitDirectory", unitDirectory)]
        where !path.hasPrefix("/") || path.contains(where: \.isNewline) || path.contains(" ") {
            diagnostics.append(
                context.error(
                    "\(key) must be an absolute folder path",
                    detail: "`\(path)` is not an absolute path without spaces. Write it like `/etc/ocplan/netfilter`.",
                    at: key))
        }
        if let os = context.hosts[host]?.os, os != .linux {
            diagnostics.append(
                context.error(
                    "iptables chains need a Linux host",
                    detail: "Host \(host) runs \(os.rawValue), which has no netfilter. Point `host` at the Linux exit "
                        + "node, or use the `pf` section on macOS.",
                    at: "host"))
        }
        return diagnostics
    }

    private func chainProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let allBuiltins = Set(Table.allCases.flatMap(\.builtinChains))
        if allBuiltins.contains(chain.uppercased()) {
            diagnostics.append(
                context.error(
                    "Owned chains must be user chains",
                    detail: "ocplan replaces the whole contents of `\(chain)`, which would wipe a built-in chain. Name "
                        + "a chain of your own (`OC_EGRESS`) and jump to it with "
                        + "`hook: {chain: \(chain.uppercased())}`.",
                    at: "chain"))
        } else if chain.isEmpty || chain.count > 28 || chain.contains(where: \.isWhitespace) || chain.hasPrefix("-") {
            diagnostics.append(
                context.error(
                    "Invalid chain name",
                    detail: "`\(chain)` must be 1 to 28 characters without white space, not starting with '-'. "
                        + "Shorten or rename it.",
                    at: "chain"))
        } else if !chain.hasPrefix("OC_") {
            diagnostics.append(
                context.warning(
                    "Chain is not named OC_*",
                    detail: "ocplan recognises the chains it owns by the `OC_` prefix when it lists netfilter state. "
                        + "Rename it to `OC_\(chain.uppercased())`.",
                    at: "chain"))
        }
        for (address, other) in context.others(IPTablesChainSpec.self, on: host)
        where other.table == table && other.chain == chain {
            diagnostics.append(
                context.error(
                    "Chain declared twice",
                    detail: "\(address) also owns \(table.rawValue) \(chain) on host \(host). Merge the two resources.",
                    at: "chain"))
        }
        return diagnostics
    }

    private func hookProblems(in context: ValidationContext) -> [Diagnostic] {
        guard let hook else { return [] }
        var diagnostics: [Diagnostic] = []
        let declaredChains = context.specs.values.compactMap { $0 as? IPTablesChainSpec }
            .filter { $0.host == host && $0.table == table }.map(\.chain)
        let from = backend == .nft ? hook.chain.uppercased() : hook.chain
        if declaredChains.contains(hook.chain) {
            diagnostics.append(
                context.error(
                    "Hooks jump from built-in chains",
                    detail: "`\(hook.chain)` is an owned chain, which ocplan refills on every change of its own "
                        + "resource, so a hook kept there would be wiped. Jump with a rule of `\(hook.chain)` "
                        + "instead (`-j \(chain)`), and leave out `hook`.",
                    at: "hook.chain"))
        } else if !table.builtinChains.contains(from) {
            diagnostics.append(
                context.error(
                    "Hook chain is not in the \(table.rawValue) table",
                    detail: "`\(hook.chain)` is not a built-in chain of \(table.rawValue) ("
                        + table.builtinChains.joined(separator: ", ") + "). Pick one of them.",
                    at: "hook.chain"))
        }
        if backend == .iptables, table == .filter, from == "FORWARD" {
            diagnostics.append(
                context.warning(
                    "A filter FORWARD hook misses exit-node traffic",
                    detail: "tailscaled hooks its ts-forward chain at position 1 of filter FORWARD, accepts tailnet "
                        + "traffic there and re-inserts the hook at the top whenever it restarts, so this chain never "
                        + "sees exit traffic. Use `table: mangle`, whose FORWARD chain runs before filter.",
                    at: "hook.chain"))
        }
        if let match = hook.match {
            diagnostics += ruleProblems(match, keyPath: "hook.match", in: context)
        }
        if backend == .iptables, let position = hook.position {
            let families = Set(family.members)
            for (address, other) in context.others(IPTablesChainSpec.self, on: host)
            where other.backend == .iptables && other.table == table && other.hook?.chain == hook.chain
                && other.hook?.position == position && !families.isDisjoint(with: other.family.members)
            {
                diagnostics.append(
                    context.error(
                        "Two hooks at the same position",
                        detail:
                            "\(address) also hooks \(table.rawValue) \(hook.chain) at position \(position). Each apply "
                            + "would push the other down and the next plan would find it moved. Give one of them "
                            + "another position, or leave `position` out to append.",
                        at: "hook.position"))
            }
        }
        if backend == .nft, hook.position != nil {
            diagnostics.append(
                context.warning(
                    "hook.position has no meaning with the nft backend",
                    detail: "nft orders base chains by priority, which follows the table (`\(table.rawValue)`), not by "
                        + "position. Remove `position`.",
                    at: "hook.position"))
        }
        return diagnostics
    }

    private func ruleProblems(_ rule: String, keyPath: String, in context: ValidationContext) -> [Diagnostic] {
        var diagnostics = VariableReferences.unresolved(in: rule).map { reference in
            context.error(
                "Unresolved variable in rule",
                detail: "`\(reference)` is still in the rule after manifest variables were substituted. Declare it "
                    + "under `vars:` or fix its name.",
                at: keyPath)
        }
        guard let arguments = IPTablesRuleTokenizer.arguments(of: rule) else {
            diagnostics.append(
                context.error(
                    "Unbalanced quote in rule",
                    detail: "The rule has a quote that is never closed, so it cannot be split into arguments. Close "
                        + "the quote or escape it with a backslash.",
                    at: keyPath))
            return diagnostics
        }
        if rule.contains(where: \.isNewline) {
            diagnostics.append(
                context.error(
                    "One rule per entry",
                    detail: "The rule spans several lines. Split it into list entries.", at: keyPath))
        }
        guard backend == .iptables else {
            if Self.hasUnquotedSemicolon(rule) {
                diagnostics.append(
                    context.error(
                        "A `;` ends an nft command",
                        detail: "ocplan writes each rule as one `add rule` command, so `;` would start another "
                            + "command. Split the rule into list entries.",
                        at: keyPath))
            }
            if arguments.contains("comment") {
                diagnostics.append(
                    context.error(
                        "nft rules cannot carry their own comment",
                        detail: "ocplan marks every rule with an `ocplan:` comment, and nft allows one comment per "
                            + "rule. Remove the comment (a YAML `#` comment in the manifest keeps the note).",
                        at: keyPath))
            }
            if arguments.first?.hasPrefix("-") == true {
                diagnostics.append(
                    context.error(
                        "iptables syntax with the nft backend",
                        detail: "`backend: nft` loads rules in nft syntax (`iifname \"tailscale0\" counter accept`). "
                            + "Rewrite the rule or use `backend: iptables`.",
                        at: keyPath))
            }
            return diagnostics
        }
        if let first = arguments.first, !first.hasPrefix("-"), first != "!" {
            diagnostics.append(
                context.error(
                    "Rule is not in iptables syntax",
                    detail: "iptables rules are options such as `-p tcp --dport 443 -j ACCEPT`; `\(first)` is not one. "
                        + "Rewrite the rule or use `backend: nft`.",
                    at: keyPath))
        }
        if let command = arguments.first(where: Self.commandOptions.contains) {
            diagnostics.append(
                context.error(
                    "Rules must not name a command or table",
                    detail:
                        "ocplan adds `-t \(table.rawValue) -A \(chain)` itself; `\(command)` would conflict. "
                        + "Remove it.",
                    at: keyPath))
        }
        for target in Self.jumpTargets(of: rule, backend: .iptables) {
            if Self.natTargets.contains(target), table != .nat {
                diagnostics.append(
                    context.error(
                        "\(target) only works in the nat table",
                        detail:
                            "The \(target) target does not exist in the \(table.rawValue) table. Put this rule in a "
                            + "chain with `table: nat`.",
                        at: keyPath))
            }
        }
        diagnostics += familyProblems(arguments, keyPath: keyPath, in: context)
        return diagnostics
    }

    /// Whether `rule` has a `;` outside double quotes.
    static func hasUnquotedSemicolon(_ rule: String) -> Bool {
        var quoted = false
        var escaped = false
        for character in rule {
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ";", !quoted {
                return true
            }
        }
        return false
    }

    private func familyProblems(_ arguments: [String], keyPath: String, in context: ValidationContext) -> [Diagnostic] {
        for (index, argument) in arguments.enumerated() where Self.addressOptions.contains(argument) {
            guard index + 1 < arguments.count else { continue }
            let value = arguments[index + 1]
            let host = String(value.prefix { $0 != "/" })
            let isIPv4 = host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
            let isIPv6 = host.contains(":") && host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            if isIPv4, family != .ipv4 {
                return [
                    context.error(
                        "IPv4 address in a rule loaded into ip6tables",
                        detail: "`\(value)` cannot load with `family: \(family.rawValue)`. Put IPv4 rules in a chain "
                            + "with `family: ipv4` and IPv6 rules in one with `family: ipv6`.",
                        at: keyPath)
                ]
            }
            if isIPv6, family == .ipv4 {
                return [
                    context.error(
                        "IPv6 address in a rule loaded into iptables",
                        detail: "`\(value)` is IPv6 but the chain has `family: ipv4`. Set `family: ipv6` or use an "
                            + "IPv4 address.",
                        at: keyPath)
                ]
            }
        }
        return []
    }
}
