import Foundation
import OCCore

extension IPTablesProvider {
    // MARK: - Change

    /// The commands for `change`, computed against what was found when the plan was made.
    ///
    /// Per family (or for the nft table) whose chain differs: one `iptables-restore --noflush` (or `nft -f -`)
    /// transaction; then the persistence files. A delete is one transaction that removes the hook rules found
    /// and the chain (the nft table too when nothing else is left in it), then the persistence files.
    ///
    /// - Throws: an ``OCError`` when the change's trees are not an `iptables` resource's.
    public func commands(for change: Change, context: ChangeContext) throws -> [Command] {
        let name = change.address.name
        let stack = context.stack
        let found = change.before?[Self.found].mapValue ?? [:]
        func place(_ key: String) -> FoundChain? { found[key].flatMap(FoundChain.init(tree:)) }
        let previousPaths = context.privateState?[Private.persistPaths].listValue?.compactMap(\.stringValue) ?? []

        switch change.action {
        case .noop:
            return []
        case .delete:
            guard let tree = change.before, let chain = NetfilterChain(name: name, tree: tree) else { return [] }
            var commands: [Command] = []
            switch chain.backend {
            case .iptables:
                for family in chain.families {
                    guard let item = place(family.rawValue) else { continue }
                    let script = NetfilterScript.restoreRemoval(
                        table: chain.table, chain: chain.chain, hookLines: item.hookLines)
                    commands.append(IPTablesCommands.restore(family, script: script))
                }
            case .nft:
                if let item = place("nft") {
                    let script = NetfilterScript.nftRemoval(
                        chain: chain.chain, hookChain: chain.nftHookChain, stack: stack,
                        existing: Set(item.tableChains))
                    if !script.isEmpty { commands.append(IPTablesCommands.nftLoad(script: script)) }
                }
            }
            let persistence = NetfilterPersistence(chain, stack: stack)
            let paths = Self.unique(previousPaths + (chain.persist ? persistence.paths : []))
            return commands + NetfilterPersistence.removeCommands(paths)
        case .create, .update, .replace:
            guard let tree = change.after, let chain = NetfilterChain(name: name, tree: tree) else {
                throw OCError(.internalError, "\(change.address) has no desired chain")
            }
            var commands: [Command] = []
            switch chain.backend {
            case .iptables:
                for family in chain.families {
                    let item = place(family.rawValue)
                    guard item?.matches(chain) != true else { continue }
                    let desiredHook = chain.hook.map(NetfilterChain.tree(of:))
                    let script = NetfilterScript.restore(
                        chain, stack: stack, hookLines: item?.hookLines ?? [],
                        rewriteHook: item?.hook != desiredHook || item?.chainExists != true)
                    commands.append(IPTablesCommands.restore(family, script: script))
                }
            case .nft:
                let item = place("nft")
                if item?.matches(chain) != true {
                    let desiredHook = chain.hook.map(NetfilterChain.tree(of:))
                    let script = NetfilterScript.nft(
                        chain, stack: stack, rewriteHook: item?.hook != desiredHook,
                        hookChainExists: item?.hookChainExists ?? false)
                    commands.append(IPTablesCommands.nftLoad(script: script))
                }
            }
            let persistence = NetfilterPersistence(chain, stack: stack)
            let persisted = change.before?[NetfilterTree.persist].boolValue ?? false
            if chain.persist {
                if !persisted { commands += persistence.writeCommands }
                let stale = previousPaths.filter { !persistence.paths.contains($0) }
                commands += NetfilterPersistence.removeCommands(stale)
            } else if persisted {
                commands += NetfilterPersistence.removeCommands(Self.unique(previousPaths + persistence.paths))
            }
            return commands
        }
    }

    /// Observes the resource afresh, runs the commands computed against that, and observes it again.
    ///
    /// Working from a fresh listing rather than the plan's keeps every `-D` in the transaction valid: a hook
    /// rule that disappeared since the plan would otherwise fail the whole transaction.
    public func apply(_ request: ApplyRequest) async throws -> ApplyResponse {
        var change = request.change
        let context = ChangeContext(stack: request.stack, host: request.host, privateState: change.privateState)
        if let reference = change.after ?? change.before {
            let target = ObserveTarget(
                address: change.address, desired: reference, lastApplied: change.before,
                privateState: change.privateState)
            let fresh = try await observe(
                ObserveRequest(
                    stack: request.stack, host: request.host, runner: request.runner, targets: [target],
                    logger: request.logger))
            change.before = fresh.observations[change.address]?.value
        }
        if change.action == .delete, change.before == nil {
            return ApplyResponse(observed: nil, privateState: nil)
        }
        try await request.runner.checkAll(try commands(for: change, context: context), host: request.host.name)
        if change.action == .delete { return ApplyResponse(observed: nil, privateState: nil) }

        // Observe without the recorded texts, then record what the tool prints now.
        let after = try await request.reobserve(self, privateState: .map([:]))
        var state: [String: Value] = [:]
        var canonical: [String: Value] = [:]
        for (place, subtree) in after.observed?[Self.found].mapValue ?? [:] {
            canonical[place] = .map(
                (FoundChain(tree: subtree)?.canonical ?? [:]).mapValues(Value.string))
        }
        state[Private.canonical] = .map(canonical)
        if let tree = change.after, let chain = NetfilterChain(name: change.address.name, tree: tree), chain.persist {
            state[Private.persistPaths] = .strings(NetfilterPersistence(chain, stack: request.stack).paths)
        }
        return ApplyResponse(observed: after.observed, privateState: .map(state))
    }

    /// The elements in first-seen order without repeats.
    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
