import Foundation
import OCCore

/// Owns netfilter chains on Linux hosts: the `iptables` section, with the iptables or the nft backend.
///
/// A resource is one user chain, its ordered rules and the hook rule that jumps to it from a built-in chain.
/// Observation is one `iptables-save` (and one `ip6tables-save` when a chain is IPv6) and one
/// `nft -j list table inet ocplan_STACK` (when a chain uses nft) per host, whatever the number of chains.
/// Each change is one atomic transaction per table and family (`iptables-restore --noflush`, `nft -f`), built
/// from what is on the host when it runs, so a half-applied chain never exists and a rule added by hand
/// inside an owned chain is removed. Rules elsewhere are never touched.
///
/// The attribute tree is described by ``NetfilterTree``; `table`, `chain`, `family` and `backend` force a
/// replace, everything else changes in place.
package struct IPTablesProvider: Provider {
    /// The provider's name in plans and the state journal: `iptables`.
    package let name = "iptables"
    /// The one section it manages: `iptables`.
    package let sections = [IPTablesChainSpec.section]

    /// Creates the provider.
    package init() {}

    /// The keys of the private state kept in the journal.
    enum Private {
        /// Per family, each recognised rule's hash → its text as listed after the last apply.
        static let canonical = "canonical"
        /// Every persistence path written at the last apply (removed when no longer wanted).
        static let persistPaths = "persistPaths"
    }

    /// The key of the plan data holding what was found per family (`ipv4`, `ipv6`) or in the nft table (`nft`):
    /// the hook lines a transaction deletes, never diffed.
    static let found = "found"

    /// Table, chain, family and backend force a replace.
    package func schema(for section: String) -> ResourceSchema {
        typealias Key = NetfilterTree
        return ResourceSchema(replaceOn: [Key.table, Key.chain, Key.family, Key.backend].map { PathPattern($0) })
    }

    /// iptables (with ip6tables and the save/restore tools) and nft.
    package func prerequisites(on host: OCCore.Host) -> [Prerequisite] {
        ["iptables-save", "ip6tables-save", "iptables-restore", "ip6tables-restore"].map {
            Prerequisite(tool: $0, host: host.name, install: "apt-get install iptables (Debian/Ubuntu)")
        } + [Prerequisite(tool: "nft", host: host.name, install: "apt-get install nftables (Debian/Ubuntu)")]
    }

    /// The chain's tree, with each rule in canonical spacing.
    ///
    /// - Throws: an ``OCError`` when the declaration is not an ``IPTablesChainSpec``.
    package func desiredState(of declaration: ResourceDeclaration, context: DesiredStateContext) throws -> Value {
        NetfilterChain(name: declaration.address.name, spec: try declaration.spec(as: IPTablesChainSpec.self)).tree
    }

    // MARK: - Observe

    /// The listings of one host.
    struct Listings {
        var save: [IPTablesChainSpec.Family: IPTablesSave] = [:]
        var nft: NFTRuleset?
    }

    /// Lists netfilter once per family and backend the targets need, then finds every target in the listings.
    ///
    /// Chains that carry this stack's marks but were not asked for (state lost after an apply) are returned
    /// as discovered, so the plan deletes them unless they are declared.
    ///
    /// - Throws: ``CommandFailure`` when a listing command fails (`.toolMissing` without iptables or nft).
    package func observe(_ request: ObserveRequest) async throws -> ObserveResponse {
        let chains = request.targets.compactMap { target -> (ObserveTarget, NetfilterChain)? in
            guard let tree = target.desired ?? target.lastApplied,
                let chain = NetfilterChain(name: target.address.name, tree: tree)
            else { return nil }
            return (target, chain)
        }
        guard !chains.isEmpty else { return ObserveResponse() }
        let listings = try await Self.list(
            families: Set(chains.filter { $0.1.backend == .iptables }.flatMap(\.1.families)),
            nft: chains.contains { $0.1.backend == .nft }, request: request)

        var response = ObserveResponse()
        for (target, chain) in chains {
            let recorded = target.privateState?[Private.canonical].mapValue ?? [:]
            let found = Self.find(chain, in: listings, stack: request.stack, recorded: recorded)
            let persistence = try await Self.observePersistence(
                chain, stack: request.stack, previous: target.privateState, request: request)
            response.observations[target.address] = Self.observation(chain, found: found, persisted: persistence)
        }
        let requested = Set(chains.map(\.1.name))
        response.discovered = Self.discover(in: listings, stack: request.stack, except: requested)
        return response
    }

    /// Runs the listing commands.
    static func list(families: Set<IPTablesChainSpec.Family>, nft: Bool, request: ObserveRequest) async throws
        -> Listings
    {
        var listings = Listings()
        for family in [IPTablesChainSpec.Family.ipv4, .ipv6] where families.contains(family) {
            let command = IPTablesCommands.save(family)
            let result = try await request.runner.check(command, host: request.host.name)
            let save = IPTablesSave(parsing: result.stdoutText)
            if let line = save.unrecognised {
                throw CommandFailure.unrecognised(
                    command, result, host: request.host.name,
                    expected: "iptables-save output; not: \(OutputHead.of(line, limit: 80) ?? "")")
            }
            listings.save[family] = save
        }
        if nft {
            let command = IPTablesCommands.nftList(stack: request.stack)
            let result = try await request.runner.run(command)
            if result.succeeded {
                guard let ruleset = try? NFTRuleset(json: result.stdoutText) else {
                    throw CommandFailure.unrecognised(
                        command, result, host: request.host.name, expected: "nft's JSON ({\"nftables\": [...]})")
                }
                listings.nft = ruleset
            } else if result.exitStatus == 1, result.stderrText.contains("No such file or directory") {
                listings.nft = NFTRuleset()
            } else {
                throw CommandFailure.exited(command, result, host: request.host.name)
            }
        }
        return listings
    }

    /// What was found of `chain`, by family (`ipv4`, `ipv6`) or `nft`.
    static func find(_ chain: NetfilterChain, in listings: Listings, stack: String, recorded: [String: Value])
        -> [String: FoundChain?]
    {
        func record(_ key: String) -> [String: String] {
            recorded[key]?.mapValue?.compactMapValues(\.stringValue) ?? [:]
        }
        switch chain.backend {
        case .iptables:
            var out: [String: FoundChain?] = [:]
            for family in chain.families {
                let save = listings.save[family] ?? IPTablesSave(parsing: "")
                out[family.rawValue] = NetfilterObservation.iptables(
                    chain, in: save, stack: stack, recorded: record(family.rawValue))
            }
            return out
        case .nft:
            return [
                "nft": NetfilterObservation.nft(
                    chain, in: listings.nft ?? NFTRuleset(), stack: stack, recorded: record("nft"))
            ]
        }
    }

    /// The observation of `chain` from what was found in each place.
    ///
    /// The tree's `rules` and `hook` come from the first place that differs from the chain (a family where
    /// it is missing counts as empty), so a rule deleted by hand from ip6tables alone still shows.
    static func observation(_ chain: NetfilterChain, found: [String: FoundChain?], persisted: Bool) -> Observation {
        let places = found.keys.sorted()
        let present = places.compactMap { found[$0] ?? nil }
        guard let firstFound = present.first else { return .absent }
        let empty = FoundChain(chainExists: false, rules: [], hook: nil)
        let shown = places.lazy.map { (found[$0] ?? nil) ?? empty }.first { !$0.matches(chain) } ?? firstFound

        var tree = chain.tree.mapValue ?? [:]
        tree[NetfilterTree.rules] = .strings(shown.rules)
        tree[NetfilterTree.hook] = shown.hook
        tree[NetfilterTree.persist] = .bool(persisted)
        var subtree: [String: Value] = [:]
        for place in places { if let item = found[place] ?? nil { subtree[place] = item.tree } }
        let planData = Value.map([Self.found: .map(subtree)])

        if let foreign = present.first(where: { $0.ownership == .foreign }) {
            return Observation(value: .map(tree), ownership: .foreign, note: foreign.note, planData: planData)
        }
        let ours = present.contains { $0.ownership == .ours }
        return Observation(value: .map(tree), ownership: ours ? .ours : .unmarked, planData: planData)
    }

    /// Reads the persistence files: `true` when persisting is wanted and every file is in place, or when it is
    /// not wanted and anything is left.
    static func observePersistence(
        _ chain: NetfilterChain, stack: String, previous: Value?, request: ObserveRequest
    ) async throws -> Bool {
        let expected = NetfilterPersistence(chain, stack: stack)
        let previousPaths = previous?[Private.persistPaths].listValue?.compactMap(\.stringValue) ?? []
        guard chain.persist || !previousPaths.isEmpty else { return false }
        let host = request.host.name
        if chain.persist {
            for file in expected.files {
                let content = try await HostFile.contents(of: file.path, runner: request.runner, host: host)
                if content != file.content { return false }
            }
            let link = try await readLink(expected.wantsLink, request: request)
            let stale = previousPaths.filter { !expected.paths.contains($0) }
            return link.succeeded
                && link.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == expected.unitPath
                && stale.isEmpty
        }
        for path in previousPaths {
            let link = try await readLink(path, request: request)
            if link.succeeded { return true }
            if try await HostFile.contents(of: path, runner: request.runner, host: host) != nil { return true }
        }
        return false
    }

    /// `readlink PATH`: exit status 1 (silently) when the path is missing or not a symlink; any other failure
    /// (a broken transport) is an error.
    static func readLink(_ path: String, request: ObserveRequest) async throws -> CommandResult {
        let command = NetfilterPersistence.readLink(path)
        let result = try await request.runner.run(command)
        guard result.succeeded || result.exitStatus == 1 else {
            throw CommandFailure.exited(command, result, host: request.host.name)
        }
        return result
    }

    /// Chains with this stack's marks that were not requested, as observations able to drive their delete.
    static func discover(in listings: Listings, stack: String, except requested: Set<String>) -> [Address: Observation]
    {
        var out: [Address: Observation] = [:]
        for (family, save) in listings.save.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for (tableName, table) in save.tables {
                for rule in table.rules {
                    guard let mark = rule.mark, mark.stack == stack, !requested.contains(mark.name),
                        let tableKind = IPTablesChainSpec.Table(rawValue: tableName)
                    else { continue }
                    let chainName =
                        mark.isHook ? (rule.arguments.last ?? rule.chain) : rule.chain
                    let address = Address(IPTablesChainSpec.section, mark.name)
                    if out[address] != nil { continue }
                    var chain = NetfilterChain(
                        name: mark.name, spec: IPTablesChainSpec(table: tableKind, chain: chainName, family: family))
                    chain.rules = []
                    let found = NetfilterObservation.iptables(chain, in: save, stack: stack, recorded: [:])
                    out[address] = observation(chain, found: [family.rawValue: found], persisted: false)
                }
            }
        }
        if let ruleset = listings.nft {
            for rule in ruleset.rules {
                guard let mark = rule.mark, mark.stack == stack, !requested.contains(mark.name), !mark.isHook else {
                    continue
                }
                let address = Address(IPTablesChainSpec.section, mark.name)
                if out[address] != nil { continue }
                let chain = NetfilterChain(
                    name: mark.name, spec: IPTablesChainSpec(chain: rule.chain, backend: .nft))
                let found = NetfilterObservation.nft(chain, in: ruleset, stack: stack, recorded: [:])
                out[address] = observation(chain, found: ["nft": found], persisted: false)
            }
        }
        return out
    }
}
