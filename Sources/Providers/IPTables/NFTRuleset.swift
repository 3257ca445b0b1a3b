import Foundation
import OCCore

/// The output of `nft -j list table inet ocplan_STACK`, reduced to what the provider compares.
///
/// nft prints a flat list of single-key objects (`{"metainfo": …}`, `{"table": …}`, `{"chain": …}`,
/// `{"rule": …}`; reference §7.3). Base chains carry `type`, `hook` and a numeric `prio`; native rules keep
/// their `comment`.
package struct NFTRuleset: Sendable, Hashable {
    /// One chain.
    package struct Chain: Sendable, Hashable {
        /// The chain's name.
        package var name: String
        /// `filter`, `nat` or `route` for a base chain.
        package var type: String?
        /// The netfilter hook (`forward`) for a base chain.
        package var hook: String?
        /// The numeric priority for a base chain.
        package var priority: Int?
    }

    /// One rule.
    package struct Rule: Sendable, Hashable {
        /// The chain it is in.
        package var chain: String
        /// The rule's handle.
        package var handle: Int
        /// Its comment.
        package var comment: String?
        /// Its expressions as JSON (sorted keys, counter values left out), used to show a rule ocplan did not
        /// write and to notice one edited in place.
        package var expression: String
        /// The packets its `counter` statement counted, if it has one.
        package var packets: Int?

        /// The ocplan mark in its comment, if any.
        package var mark: NetfilterMark? { comment.flatMap(NetfilterMark.init(comment:)) }
    }

    /// Chains in listed order.
    package var chains: [Chain] = []
    /// Rules in listed order.
    package var rules: [Rule] = []

    /// An empty ruleset (the table does not exist).
    package init() {}

    /// Parses `nft -j list …` output.
    ///
    /// - Throws: an ``OCError`` when the text is not nft's JSON.
    package init(json text: String) throws {
        let decoded: Value
        do {
            decoded = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw OCError(.commandFailed, "nft printed output that is not its JSON: \(error)")
        }
        guard let items = decoded["nftables"].listValue else {
            throw OCError(.commandFailed, "nft printed JSON without its \"nftables\" list")
        }
        for item in items {
            if let chain = item["chain"].mapValue, let name = chain["name"]?.stringValue {
                chains.append(
                    Chain(
                        name: name, type: chain["type"]?.stringValue, hook: chain["hook"]?.stringValue,
                        priority: chain["prio"]?.intValue))
            } else if let rule = item["rule"].mapValue, let chain = rule["chain"]?.stringValue {
                let expression = rule["expr"] ?? .list([])
                let packets = expression.listValue?.lazy.compactMap { $0["counter"]["packets"].intValue }.first
                // Counter values change with traffic; they are not part of what the rule is.
                let statements = (expression.listValue ?? []).map { item in
                    item["counter"].isNull ? item : Value.map(["counter": .null])
                }
                rules.append(
                    Rule(
                        chain: chain, handle: rule["handle"]?.intValue ?? 0, comment: rule["comment"]?.stringValue,
                        expression: String(decoding: Value.list(statements).canonicalJSON, as: UTF8.self),
                        packets: packets))
            }
        }
    }

    /// The chain named `name`.
    package func chain(_ name: String) -> Chain? { chains.first { $0.name == name } }

    /// The rules of `chain`, in order.
    package func rules(of chain: String) -> [Rule] { rules.filter { $0.chain == chain } }
}
