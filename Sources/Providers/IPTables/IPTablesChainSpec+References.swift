import OCCore

extension IPTablesChainSpec {
    /// The options that name a rule's target chain with the iptables backend.
    static let jumpOptions: Set<String> = ["-j", "--jump", "-g", "--goto"]
    /// The verdicts that name a target chain with the nft backend.
    static let nftJumpVerdicts: Set<String> = ["jump", "goto"]

    /// The targets a rule jumps or goes to, in order: `-j NAME`, `--jump NAME`, `-g NAME`, `--goto NAME` (also
    /// written `--jump=NAME`) in iptables syntax, `jump NAME` and `goto NAME` in nft syntax.
    ///
    /// Built-in targets (`ACCEPT`, `LOG`, `MASQUERADE`) are listed too; a caller keeps the names it knows.
    ///
    /// - Parameters:
    ///   - rule: the rule as written in the manifest.
    ///   - backend: the syntax it is written in.
    /// - Returns: the target names, empty when the rule cannot be split into arguments.
    package static func jumpTargets(of rule: String, backend: Backend) -> [String] {
        guard let arguments = IPTablesRuleTokenizer.arguments(of: rule) else { return [] }
        let verbs = backend == .iptables ? jumpOptions : nftJumpVerdicts
        var targets: [String] = []
        for (index, argument) in arguments.enumerated() {
            if verbs.contains(argument), index + 1 < arguments.count {
                targets.append(arguments[index + 1])
            } else if backend == .iptables, let equals = argument.firstIndex(of: "="),
                ["--jump", "--goto"].contains(argument[..<equals])
            {
                targets.append(String(argument[argument.index(after: equals)...]))
            }
        }
        // In an nft verdict map (`vmap { 22 : jump OC_SSH, 80 : goto OC_WEB }`) the name ends at `,` or `}`.
        return targets.map { target in
            backend == .nft ? String(target.prefix { $0 != "," && $0 != "}" && $0 != ";" }) : target
        }.filter { !$0.isEmpty }
    }

    /// Whether `other` is a chain this chain's rules can jump to: the same host and backend and, with the
    /// iptables backend, the same table and a shared IP version (nft chains all live in the stack's table
    /// `inet ocplan_STACK`).
    func canJump(to other: IPTablesChainSpec) -> Bool {
        guard other.host == host, other.backend == backend else { return false }
        guard backend == .iptables else { return true }
        return other.table == table && !Set(family.members).isDisjoint(with: other.family.members)
    }

    /// A reference to each other resource whose chain a rule jumps or goes to, so it is created before this
    /// chain (whose transaction would fail on the missing target) and deleted after it (a chain still jumped
    /// to cannot be deleted).
    ///
    /// The references are not required: a jump to a built-in target or to a chain nothing in the manifest
    /// owns is not an error. Each target resource is referenced once, at the first rule that names it.
    ///
    /// - Parameter specs: every declared resource's spec by address.
    /// - Returns: the references, at `rules[INDEX]`.
    package func references(among specs: [Address: any ResourceSpec]) -> [SpecReference] {
        var owners: [String: Address] = [:]
        for (address, spec) in specs {
            guard let other = spec as? IPTablesChainSpec, canJump(to: other) else { continue }
            if let known = owners[other.chain], known < address { continue }
            owners[other.chain] = address
        }
        var seen = Set<Address>()
        var references: [SpecReference] = []
        for (index, rule) in rules.enumerated() {
            for target in Self.jumpTargets(of: rule, backend: backend) {
                guard let owner = owners[target], seen.insert(owner).inserted else { continue }
                references.append(SpecReference(owner, at: "rules[\(index)]", required: false))
            }
        }
        return references
    }
}
