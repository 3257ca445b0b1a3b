import OCCore

/// What was found of one owned chain in one place: one IP family of iptables, or the stack's nft table.
struct FoundChain: Sendable, Hashable {
    /// Whether the chain itself exists.
    var chainExists: Bool
    /// The chain's rules: the manifest text for a recognised rule, the tool's text for anything else.
    var rules: [String]
    /// The hook as found (`nil` when there is none).
    var hook: Value?
    /// iptables: the hook rules as `BUILTIN SPEC`, exactly as listed (for `-D`).
    var hookLines: [String] = []
    /// nft: whether the hook base chain exists.
    var hookChainExists = false
    /// nft: every chain in the stack's table.
    var tableChains: [String] = []
    /// Each recognised rule's hash → its text as the tool prints it.
    var canonical: [String: String] = [:]
    /// Who owns what was found.
    var ownership: Observation.Ownership = .ours
    /// Why it is not ours.
    var note: String?

    /// Whether it matches `chain`'s rules and hook.
    func matches(_ chain: NetfilterChain) -> Bool {
        chainExists && rules == chain.rules && hook == chain.hook.map(NetfilterChain.tree(of:))
    }

    /// As an ignored subtree of the observed tree.
    var tree: Value {
        typealias Key = NetfilterTree
        var tree: [String: Value] = [
            "exists": .bool(chainExists), Key.rules: .strings(rules), Key.hookLines: .strings(hookLines),
            Key.canonical: .map(canonical.mapValues(Value.string)), Key.tableChains: .strings(tableChains),
            "hookChainExists": .bool(hookChainExists),
        ]
        if let hook { tree[Key.hook] = hook }
        return .map(tree)
    }

    /// Reads the subtree back.
    init?(tree: Value) {
        typealias Key = NetfilterTree
        guard let exists = tree["exists"].boolValue else { return nil }
        chainExists = exists
        rules = tree[Key.rules].listValue?.compactMap(\.stringValue) ?? []
        hook = tree[Key.hook].isNull ? nil : tree[Key.hook]
        hookLines = tree[Key.hookLines].listValue?.compactMap(\.stringValue) ?? []
        hookChainExists = tree["hookChainExists"].boolValue ?? false
        tableChains = tree[Key.tableChains].listValue?.compactMap(\.stringValue) ?? []
        canonical = tree[Key.canonical].mapValue?.compactMapValues(\.stringValue) ?? [:]
    }

    init(chainExists: Bool, rules: [String], hook: Value?) {
        self.chainExists = chainExists
        self.rules = rules
        self.hook = hook
    }
}

/// Turns `iptables-save` and `nft -j` listings into ``FoundChain`` values.
enum NetfilterObservation {
    /// The chain in one family's `iptables-save` output; `nil` when neither the chain nor a hook of it exists.
    ///
    /// - Parameters:
    ///   - chain: the desired (or last applied) chain.
    ///   - save: the family's listing.
    ///   - stack: the stack name.
    ///   - recorded: the canonical text of each rule recorded after the last apply (a rule whose text changed
    ///     under the same mark was edited in place and is shown as found).
    /// - Returns: what was found, or `nil`.
    static func iptables(
        _ chain: NetfilterChain, in save: IPTablesSave, stack: String, recorded: [String: String]
    ) -> FoundChain? {
        guard let table = save.tables[chain.table.rawValue] else { return nil }
        let hookRules = table.chains.flatMap { declared in
            table.rules(of: declared.name).enumerated().compactMap { index, rule in
                let mark = rule.mark
                return mark?.stack == stack && mark?.name == chain.name && mark?.isHook == true
                    ? (builtin: declared.name, position: index + 1, rule: rule) : nil
            }
        }
        let exists = table.has(chain: chain.chain)
        guard exists || !hookRules.isEmpty else { return nil }

        let byHash = chain.rulesByHash(stack: stack)
        var canonical: [String: String] = [:]
        var marks: [NetfilterMark] = []
        let rules = table.rules(of: chain.chain).map { rule -> String in
            guard let mark = rule.mark else { return rule.spec }
            marks.append(mark)
            guard mark.stack == stack, mark.name == chain.name else { return rule.spec }
            if let text = byHash[mark.hash], recorded[mark.hash].map({ $0 == rule.spec }) ?? true {
                canonical[mark.hash] = rule.spec
                return text
            }
            return rule.specWithoutMark
        }

        var hook: Value?
        if hookRules.count == 1, let found = hookRules.first {
            let wantsPosition = chain.hook?.position != nil
            if let desired = chain.hook, found.rule.mark?.hash == chain.hookMark(stack: stack)?.hash {
                hook = NetfilterChain.tree(
                    of: .init(
                        chain: desired.chain, position: wantsPosition ? found.position : nil, match: desired.match))
            } else {
                var arguments = found.rule.argumentsWithoutMark
                if arguments.suffix(2) == ["-j", chain.chain] { arguments.removeLast(2) }
                let match = arguments.isEmpty ? nil : arguments.map(NetfilterMark.quote).joined(separator: " ")
                hook = NetfilterChain.tree(
                    of: .init(chain: found.builtin, position: wantsPosition ? found.position : nil, match: match))
            }
        } else if let first = hookRules.first {
            hook = [NetfilterTree.chain: .string(first.builtin), "jumps": .int(hookRules.count)]
        }

        var found = FoundChain(chainExists: exists, rules: rules, hook: hook)
        found.hookLines = hookRules.map { "\($0.builtin) \($0.rule.spec)" }
        found.canonical = canonical
        marks += hookRules.compactMap(\.rule.mark)
        if marks.contains(where: { $0.stack == stack }) {
            found.ownership = .ours
        } else if rules.isEmpty && hookRules.isEmpty {
            // An empty chain carries no mark: the state journal decides.
            found.ownership = .unmarked
        } else if let other = marks.first {
            found.ownership = .foreign
            found.note = "chain \(chain.chain) in \(chain.table.rawValue) carries rules of stack '\(other.stack)'"
        } else {
            found.ownership = .foreign
            found.note = "chain \(chain.chain) in \(chain.table.rawValue) holds rules ocplan did not write"
        }
        return found
    }

    /// The chain in the stack's nft table; `nil` when neither the chain nor its hook chain exists.
    static func nft(_ chain: NetfilterChain, in ruleset: NFTRuleset, stack: String, recorded: [String: String])
        -> FoundChain?
    {
        let exists = ruleset.chain(chain.chain) != nil
        let hookChain = ruleset.chain(chain.nftHookChain)
        guard exists || hookChain != nil else { return nil }

        let byHash = chain.rulesByHash(stack: stack)
        var canonical: [String: String] = [:]
        let rules = ruleset.rules(of: chain.chain).map { rule -> String in
            if let mark = rule.mark, mark.stack == stack, mark.name == chain.name, !mark.isHook,
                let text = byHash[mark.hash], recorded[mark.hash].map({ $0 == rule.expression }) ?? true
            {
                canonical[mark.hash] = rule.expression
                return text
            }
            return rule.expression
        }

        var hook: Value?
        if let hookChain {
            let hookRules = ruleset.rules(of: hookChain.name)
            let base = chain.hook.map { NetfilterScript.nftBaseChain(table: chain.table, builtin: $0.chain) }
            let sameBase =
                chain.hook.map { $0.chain.lowercased() } == hookChain.hook && base?.type == hookChain.type
                && base?.number == hookChain.priority
            if let desired = chain.hook, sameBase, hookRules.count == 1,
                hookRules[0].mark?.hash == chain.hookMark(stack: stack)?.hash
            {
                hook = NetfilterChain.tree(of: desired)
            } else {
                let place = (hookChain.hook ?? "no hook").uppercased()
                let kind = "type \(hookChain.type ?? "-") priority \(hookChain.priority.map(String.init) ?? "-")"
                hook = [
                    NetfilterTree.chain: .string("\(place) (\(kind))"),
                    NetfilterTree.match: .string(hookRules.map(\.expression).joined(separator: "; ")),
                ]
            }
        }

        var found = FoundChain(chainExists: exists, rules: rules, hook: hook)
        found.hookChainExists = hookChain != nil
        found.tableChains = ruleset.chains.map(\.name)
        found.canonical = canonical
        // The table is named after the stack, so whatever is in it is the stack's.
        found.ownership = .ours
        return found
    }
}
