/// The transactions the provider loads: `iptables-restore --noflush` input and `nft -f` input.
///
/// Each is one atomic transaction: if any line fails, nothing of it is applied (reference §7.2, §7.3).
enum NetfilterScript {
    // MARK: - iptables-restore

    /// Fills the owned chain and, when asked, replaces the hook.
    ///
    /// `:CHAIN - [0:0]` creates the user chain or flushes it, the `-A` lines refill it; the observed hook
    /// rules are deleted with the exact spec iptables-save printed (a `-D` of a rule that is not there would
    /// fail the whole transaction, so only observed ones are listed) and the desired hook is inserted.
    ///
    /// - Parameters:
    ///   - chain: the desired chain.
    ///   - stack: the stack name (for the marks).
    ///   - hookLines: the hook rules found, as `BUILTIN SPEC`.
    ///   - rewriteHook: whether the hook must be (re)written.
    /// - Returns: the restore input.
    static func restore(_ chain: NetfilterChain, stack: String, hookLines: [String], rewriteHook: Bool) -> String {
        var lines = ["*\(chain.table.rawValue)", ":\(chain.chain) - [0:0]"]
        for rule in chain.rules {
            lines.append(
                "-A \(chain.chain) -m comment --comment \(chain.mark(stack: stack, rule: rule).comment) \(rule)")
        }
        if rewriteHook {
            lines += hookLines.map { "-D " + $0 }
            if let hook = chain.hook, let mark = chain.hookMark(stack: stack) {
                let spec =
                    (hook.match.map { $0 + " " } ?? "") + "-m comment --comment \(mark.comment) -j \(chain.chain)"
                if let position = hook.position {
                    lines.append("-I \(hook.chain) \(position) \(spec)")
                } else {
                    lines.append("-A \(hook.chain) \(spec)")
                }
            }
        }
        lines.append("COMMIT")
        return lines.map { $0 + "\n" }.joined()
    }

    /// Deletes the hook rules found, then flushes and deletes the owned chain (declaring it first makes the
    /// delete work whether or not the chain still exists).
    static func restoreRemoval(table: IPTablesChainSpec.Table, chain: String, hookLines: [String]) -> String {
        let lines =
            ["*\(table.rawValue)"] + hookLines.map { "-D " + $0 } + [":\(chain) - [0:0]", "-X \(chain)", "COMMIT"]
        return lines.map { $0 + "\n" }.joined()
    }

    // MARK: - nft

    /// The nft chain type and priority of a hook in `table` at `builtin` (`FORWARD` in `mangle` is
    /// `filter … priority mangle`, `POSTROUTING` in `nat` is `nat … priority srcnat`).
    static func nftBaseChain(table: IPTablesChainSpec.Table, builtin: String) -> (
        type: String, priority: String, number: Int
    ) {
        switch table {
        case .filter: return ("filter", "filter", 0)
        case .mangle: return ("filter", "mangle", -150)
        case .raw: return ("filter", "raw", -300)
        case .nat:
            return ["PREROUTING", "OUTPUT"].contains(builtin.uppercased())
                ? ("nat", "dstnat", -100) : ("nat", "srcnat", 100)
        }
    }

    /// The hook rule in the hook base chain: the family match, the user's match, the jump and the mark.
    static func nftHookRule(_ chain: NetfilterChain, stack: String) -> String? {
        guard let hook = chain.hook, let mark = chain.hookMark(stack: stack) else { return nil }
        var parts: [String] = []
        switch chain.family {
        case .ipv4: parts.append("meta nfproto ipv4")
        case .ipv6: parts.append("meta nfproto ipv6")
        case .both: break
        }
        if let match = hook.match { parts.append(match) }
        parts.append("jump \(chain.chain) comment \"\(mark.comment)\"")
        return parts.joined(separator: " ")
    }

    /// Creates the stack's table if missing, refills the owned chain and, when asked, recreates the hook base
    /// chain (a base chain's hook cannot change in place, so it is emptied, deleted and added again, all in
    /// the same transaction).
    static func nft(_ chain: NetfilterChain, stack: String, rewriteHook: Bool, hookChainExists: Bool) -> String {
        let table = "inet \(NetfilterChain.nftTable(stack: stack))"
        var lines = [
            "table \(table) {}", "add chain \(table) \(chain.chain)", "flush chain \(table) \(chain.chain)",
        ]
        for rule in chain.rules {
            lines.append(
                "add rule \(table) \(chain.chain) \(rule) comment \"\(chain.mark(stack: stack, rule: rule).comment)\"")
        }
        if rewriteHook {
            let hookChain = chain.nftHookChain
            if hookChainExists {
                lines += ["flush chain \(table) \(hookChain)", "delete chain \(table) \(hookChain)"]
            }
            if let hook = chain.hook, let rule = nftHookRule(chain, stack: stack) {
                let base = nftBaseChain(table: chain.table, builtin: hook.chain)
                lines.append(
                    "add chain \(table) \(hookChain) { type \(base.type) hook \(hook.chain.lowercased()) priority "
                        + "\(base.priority); policy accept; }")
                lines.append("add rule \(table) \(hookChain) \(rule)")
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// Deletes the hook base chain and the owned chain; the whole table when nothing else is left in it.
    static func nftRemoval(chain: String, hookChain: String, stack: String, existing: Set<String>) -> String {
        let table = "inet \(NetfilterChain.nftTable(stack: stack))"
        let others = existing.subtracting([chain, hookChain])
        if others.isEmpty, !existing.isEmpty { return "delete table \(table)\n" }
        var lines: [String] = []
        for name in [hookChain, chain] where existing.contains(name) {
            lines += ["flush chain \(table) \(name)", "delete chain \(table) \(name)"]
        }
        return lines.map { $0 + "\n" }.joined()
    }
}
