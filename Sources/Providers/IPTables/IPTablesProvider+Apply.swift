import Foundation
import OCCore

extension IPTablesProvider {
    // MARK: - Change

    /// The program of `change`, computed against what was found.
    ///
    /// Per family (or for the nft table) whose chain differs, one `iptables-restore --noflush` (or `nft -f -`)
    /// transaction; then the persistence files. A delete
    /// is one transaction that removes the hook rules found and the chain (the nft table too when nothing else
    /// is left in it), then the persistence files.
    ///
    /// The engine observes the chain afresh first and runs the program built from that (``StepProgram/refreshesFirst``):
    /// every `-D` of the transaction then names a hook rule that is there, where one that disappeared since the
    /// plan would fail the whole transaction. The chain is then observed again (without the recorded rule texts,
    /// which ``settle(_:for:context:)`` records anew from what the tool prints now).
    ///
    /// - Throws: an ``OCError`` when the change's trees are not an `iptables` resource's.
    package func program(for change: Change, context: ChangeContext) throws -> StepProgram {
        let steps = try steps(for: change, context: context)
        guard change.action != .delete else { return StepProgram(steps, refreshesFirst: true) }
        return StepProgram(steps + [.reobserve], privateState: .map([:]), refreshesFirst: true)
    }

    /// The steps of ``program(for:context:)``.
    private func steps(for change: Change, context: ChangeContext) throws -> [Step] {
        let name = change.address.name
        let stack = context.stack
        let found = change.planData?[Self.found].mapValue ?? [:]
        func place(_ key: String) -> FoundChain? { found[key].flatMap(FoundChain.init(tree:)) }
        let previousPaths = context.privateState?[Private.persistPaths].listValue?.compactMap(\.stringValue) ?? []

        switch change.action {
        case .noop:
            return []
        case .delete:
            guard let tree = change.before, let chain = NetfilterChain(name: name, tree: tree) else { return [] }
            var commands: [Step] = []
            switch chain.backend {
            case .iptables:
                for family in chain.families {
                    guard let item = place(family.rawValue) else { continue }
                    let script = NetfilterScript.restoreRemoval(
                        table: chain.table, chain: chain.chain, hookLines: item.hookLines)
                    commands.append(.run(IPTablesCommands.restore(family, script: script)))
                }
            case .nft:
                if let item = place("nft") {
                    let script = NetfilterScript.nftRemoval(
                        chain: chain.chain, hookChain: chain.nftHookChain, stack: stack,
                        existing: Set(item.tableChains))
                    if !script.isEmpty { commands.append(.run(IPTablesCommands.nftLoad(script: script))) }
                }
            }
            let persistence = NetfilterPersistence(chain, stack: stack)
            let paths = Self.unique(previousPaths + (chain.persist ? persistence.paths : []))
            return commands + NetfilterPersistence.removeSteps(paths)
        case .create, .update, .replace:
            guard let tree = change.after, let chain = NetfilterChain(name: name, tree: tree) else {
                throw OCError(.internalError, "\(change.address) has no desired chain")
            }
            var commands: [Step] = []
            switch chain.backend {
            case .iptables:
                for family in chain.families {
                    let item = place(family.rawValue)
                    guard item?.matches(chain) != true else { continue }
                    let desiredHook = chain.hook.map(NetfilterChain.tree(of:))
                    let script = NetfilterScript.restore(
                        chain, stack: stack, hookLines: item?.hookLines ?? [],
                        rewriteHook: item?.hook != desiredHook || item?.chainExists != true)
                    commands.append(.run(IPTablesCommands.restore(family, script: script)))
                }
            case .nft:
                let item = place("nft")
                if item?.matches(chain) != true {
                    let desiredHook = chain.hook.map(NetfilterChain.tree(of:))
                    let script = NetfilterScript.nft(
                        chain, stack: stack, rewriteHook: item?.hook != desiredHook,
                        hookChainExists: item?.hookChainExists ?? false)
                    commands.append(.run(IPTablesCommands.nftLoad(script: script)))
                }
            }
            let persistence = NetfilterPersistence(chain, stack: stack)
            let persisted = change.before?[NetfilterTree.persist].boolValue ?? false
            if chain.persist {
                if !persisted { commands += persistence.writeSteps }
                let stale = previousPaths.filter { !persistence.paths.contains($0) }
                commands += NetfilterPersistence.removeSteps(stale)
            } else if persisted {
                commands += NetfilterPersistence.removeSteps(Self.unique(previousPaths + persistence.paths))
            }
            return commands
        }
    }

    /// Records the rule texts the tool prints now (to recognise them as the stack's next time) and the
    /// persistence files written, as the private state.
    package func settle(_ response: ApplyResponse, for change: Change, context: ChangeContext) throws -> ApplyResponse {
        guard change.action != .delete else { return ApplyResponse(observed: nil) }
        var state: [String: Value] = [:]
        var canonical: [String: Value] = [:]
        for (place, subtree) in response.planData?[Self.found].mapValue ?? [:] {
            canonical[place] = .map((FoundChain(tree: subtree)?.canonical ?? [:]).mapValues(Value.string))
        }
        state[Private.canonical] = .map(canonical)
        if let tree = change.after, let chain = NetfilterChain(name: change.address.name, tree: tree), chain.persist {
            state[Private.persistPaths] = .strings(NetfilterPersistence(chain, stack: context.stack).paths)
        }
        var settled = response
        settled.privateState = .map(state)
        return settled
    }

    /// The elements in first-seen order without repeats.
    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
