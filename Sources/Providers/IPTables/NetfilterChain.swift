import Foundation
import OCCore

/// The keys of an `iptables` resource's attribute tree.
///
/// Desired and observed trees share `table`, `chain`, `family`, `backend`, `rules`, `hook` (`{chain, position,
/// match}`), `persist`, and when persisting `persistDirectory` and `unitDirectory`. Observed trees add keys the diff ignores:
/// `hookLines` (the hook rules as listed, per family, so a change can delete exactly them), `canonical` (each
/// recognised rule's hash → the rule as the tool prints it, kept after apply to notice a rule edited in place)
/// and `tableChains` (nft: every chain in the stack's table, so the last chain's delete removes the table).
enum NetfilterTree {
    static let table = "table"
    static let chain = "chain"
    static let family = "family"
    static let backend = "backend"
    static let rules = "rules"
    static let hook = "hook"
    static let position = "position"
    static let match = "match"
    static let persist = "persist"
    static let persistDirectory = "persistDirectory"
    static let unitDirectory = "unitDirectory"
    static let hookLines = "hookLines"
    static let canonical = "canonical"
    static let tableChains = "tableChains"
}

/// One owned chain as the provider works with it, read from a desired or last-applied tree.
struct NetfilterChain: Sendable, Hashable {
    typealias Table = IPTablesChainSpec.Table
    typealias Family = IPTablesChainSpec.Family
    typealias Backend = IPTablesChainSpec.Backend
    typealias Hook = IPTablesChainSpec.Hook

    /// The resource name (the part after `iptables.`).
    var name: String
    var table: Table
    var chain: String
    var family: Family
    var backend: Backend
    /// The rules as written in the manifest (iptables rules in canonical spacing and quoting).
    var rules: [String]
    var hook: Hook?
    var persist: Bool
    var persistDirectory: String
    var unitDirectory: String

    /// The IP versions the chain is loaded for, in the order they are applied.
    var families: [Family] { family.members }

    /// Reads a tree; `nil` when it lacks the chain or table.
    init?(name: String, tree: Value) {
        typealias Key = NetfilterTree
        guard let chain = tree[Key.chain].stringValue, let table = tree[Key.table].stringValue.flatMap(Table.init)
        else { return nil }
        self.name = name
        self.table = table
        self.chain = chain
        family = tree[Key.family].stringValue.flatMap(Family.init) ?? .ipv4
        backend = tree[Key.backend].stringValue.flatMap(Backend.init) ?? .iptables
        rules = tree[Key.rules].listValue?.compactMap(\.stringValue) ?? []
        if let hookChain = tree[Key.hook][Key.chain].stringValue {
            hook = Hook(
                chain: hookChain, position: tree[Key.hook][Key.position].intValue,
                match: tree[Key.hook][Key.match].stringValue)
        }
        persist = tree[Key.persist].boolValue ?? false
        persistDirectory = tree[Key.persistDirectory].stringValue ?? IPTablesChainSpec.defaultPersistDirectory
        unitDirectory = tree[Key.unitDirectory].stringValue ?? IPTablesChainSpec.defaultUnitDirectory
    }

    /// The desired chain of a spec.
    init(name: String, spec: IPTablesChainSpec) {
        self.name = name
        table = spec.table
        chain = spec.chain
        family = spec.family
        backend = spec.backend
        // iptables rules are argv (respaced and requoted the way iptables-save quotes); nft rules are nft's
        // own language, kept as written.
        let isIPTables = spec.backend == .iptables
        func text(_ rule: String) -> String {
            isIPTables ? NetfilterMark.canonicalText(rule) : rule.trimmingCharacters(in: .whitespaces)
        }
        rules = spec.rules.map(text)
        hook = spec.hook.map { Hook(chain: $0.chain, position: $0.position, match: $0.match.map(text)) }
        persist = spec.persist
        persistDirectory = spec.persistDirectory
        unitDirectory = spec.unitDirectory
    }

    /// The tree the engine diffs.
    var tree: Value {
        typealias Key = NetfilterTree
        var tree: [String: Value] = [
            Key.table: .string(table.rawValue), Key.chain: .string(chain), Key.family: .string(family.rawValue),
            Key.backend: .string(backend.rawValue), Key.rules: .strings(rules), Key.persist: .bool(persist),
        ]
        if persist {
            tree[Key.persistDirectory] = .string(persistDirectory)
            tree[Key.unitDirectory] = .string(unitDirectory)
        }
        if let hook { tree[Key.hook] = Self.tree(of: hook) }
        return .map(tree)
    }

    /// A hook as a tree (`position` and `match` only when set).
    static func tree(of hook: Hook) -> Value {
        typealias Key = NetfilterTree
        var tree: [String: Value] = [Key.chain: .string(hook.chain)]
        if let position = hook.position { tree[Key.position] = .int(position) }
        if let match = hook.match { tree[Key.match] = .string(match) }
        return .map(tree)
    }

    /// The mark of rule `text` of this chain.
    func mark(stack: String, rule text: String) -> NetfilterMark {
        NetfilterMark.rule(stack: stack, name: name, text: text)
    }

    /// The mark of the hook rule.
    func hookMark(stack: String) -> NetfilterMark? {
        hook.map {
            NetfilterMark.hook(stack: stack, name: name, chain: $0.chain, position: $0.position, match: $0.match)
        }
    }

    /// The desired rules by their hash.
    func rulesByHash(stack: String) -> [String: String] {
        var out: [String: String] = [:]
        for rule in rules { out[mark(stack: stack, rule: rule).hash] = rule }
        return out
    }

    /// The nft table of a stack: `ocplan_STACK` in the `inet` family.
    static func nftTable(stack: String) -> String { "ocplan_\(stack)" }

    /// The nft base chain that holds the hook rule (`OC_EGRESS_hook`).
    var nftHookChain: String { chain + "_hook" }
}
