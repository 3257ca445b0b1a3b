import Foundation
import OCCore

/// The argv of every netfilter command the provider runs (pure builders, asserted by tests).
package enum IPTablesCommands {
    /// Lists every table of a family: `iptables-save` / `ip6tables-save` (no side effects; `-t TABLE` would
    /// create an empty table on nf_tables).
    package static func save(_ family: IPTablesChainSpec.Family) -> Command {
        Command([family == .ipv6 ? "ip6tables-save" : "iptables-save"], timeout: .seconds(60))
    }

    /// Lists the stack's nft table as JSON: `nft -j list table inet ocplan_STACK` (exit 1, "No such file or
    /// directory", when it does not exist).
    package static func nftList(stack: String) -> Command {
        Command(["nft", "-j", "list", "table", "inet", "ocplan_\(stack)"], timeout: .seconds(60))
    }

    /// Loads one transaction into a family's tables without flushing anything else:
    /// `iptables-restore -w 5 --noflush` with the transaction on standard input.
    package static func restore(_ family: IPTablesChainSpec.Family, script: String) -> Command {
        Command(
            [family == .ipv6 ? "ip6tables-restore" : "iptables-restore", "-w", "5", "--noflush"],
            stdin: Data(script.utf8), timeout: .seconds(60), mutating: true, showsInput: true)
    }

    /// Loads one nft transaction: `nft -f -` with it on standard input.
    package static func nftLoad(script: String) -> Command {
        Command(["nft", "-f", "-"], stdin: Data(script.utf8), timeout: .seconds(60), mutating: true, showsInput: true)
    }
}

extension IPTablesCommands {
    /// Every builder of the iptables provider that takes a manifest value, for `ArgvInjectionTests` (see
    /// ``ArgvBuilder``): the chain itself reaches the tools only on standard input; its persistence paths are argv.
    package static let argvBuilders: [ArgvBuilder] = {
        let chain = "iptables:\n  c: { chain: OC_T, persist: true, KEY: \"VALUE\" }\n"
        @Sendable func persistence(_ key: String, _ value: String) -> [Command] {
            let tree: Value = [
                NetfilterTree.table: "filter", NetfilterTree.chain: "OC_T", NetfilterTree.persist: true,
                key: .string(value),
            ]
            guard let chain = NetfilterChain(name: "c", tree: tree) else { return [] }
            let files = NetfilterPersistence(chain, stack: "t")
            return StepProgram(files.writeSteps + NetfilterPersistence.removeSteps(files.paths)).commands(os: .linux)
                + files.paths.map(NetfilterPersistence.readLink)
        }
        return [
            ArgvBuilder("nft list table: stack") { [nftList(stack: $0)] },
            ArgvBuilder(
                "persistence: rules folder",
                manifest: chain.replacingOccurrences(of: "KEY", with: NetfilterTree.persistDirectory)
            ) { persistence(NetfilterTree.persistDirectory, $0) },
            ArgvBuilder(
                "persistence: unit folder",
                manifest: chain.replacingOccurrences(of: "KEY", with: NetfilterTree.unitDirectory)
            ) { persistence(NetfilterTree.unitDirectory, $0) },
            ArgvBuilder("readlink") { [NetfilterPersistence.readLink($0)] },
            ArgvBuilder("remove persistence files") {
                StepProgram(NetfilterPersistence.removeSteps([$0])).commands(os: .linux)
            },
        ]
    }()
}
