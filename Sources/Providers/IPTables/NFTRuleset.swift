import Foundation
import OCCore

/// The output of `nft -j list table inet ocplan_STACK`, reduced to what the provider compares.
///
/// nft prints a flat list of single-key objects (`{"metainfo": …}`, `{"table": …}`, `{"chain": …}`,
/// `{"rule": …}`; reference §7.3). Base chains carry `type`, `hook` and a numeric `prio`; native rules keep
/// their `comment`.
public struct NFTRuleset: Sendable, Hashable {
    /// One chain.
    public struct Chain: Sendable, Hashable {
        /// The chain's name.
        public var name: String
        /// `filter`, `nat` or `route` for a base chain.
        public var type: String?
        /// The netfilter hook (`forward`) for a base chain.
        public var hook: String?
        /// The numeric priority for a base chain.
        public var priority: Int?
    }

    /// One rule.
    public struct Rule: Sendable, Hashable {
        /// The chain it is in.
        public var chain: String
        /// The rule's handle.
        public var handle: Int
        /// Its comment.
        public var comment: String?
        /// Its expressions as JSON (sorted keys, counter values left out), used to show a rule ocplan did not
        /// write and to notice one edited in place.
        public var expression: String
        /// The packets its `counter` statement counted, if it has one.
        public var packets: Int?

        /// The ocplan mark in its comment, if any.
        public var mark: NetfilterMark? { comment.flatMap(NetfilterMark.init(comment:)) }
    }

    /// Chains in listed order.
    public var chains: [Chain] = []
    /// Rules in listed order.
    public var rules: [Rule] = []

    /// An empty ruleset (the table does not exist).
    public init() {}

    /// Parses `nft -j list …` output.
    ///
    /// - Throws: an ``OCError`` when the text is not nft's JSON.
    public init(json text: String) throws {
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
    public func chain(_ name: String) -> Chain? { chains.first { $0.name == name } }

    /// The rules of `chain`, in order.
    public func rules(of chain: String) -> [Rule] { rules.filter { $0.chain == chain } }
}
