import Foundation

/// A value one resource publishes after it is applied (a container's address on a network, a VM's IPv4, a
/// Headscale pre-auth key), declared by its spec type and read by others as `${SECTION.NAME.OUTPUT}`.
package struct OutputField: Sendable, Hashable {
    /// The output's name (`ipv4`).
    package var name: String
    /// What it holds, for the docs.
    package var doc: String
    /// Whether it is a map whose keys follow the name (`ipv4.NETWORK`).
    package var keyed: Bool
    /// Whether the value is a secret: it is marked in the journal and in every tree it flows into.
    package var sensitive: Bool

    /// Creates an output field.
    package init(_ name: String, doc: String, keyed: Bool = false, sensitive: Bool = false) {
        self.name = name
        self.doc = doc
        self.keyed = keyed
        self.sensitive = sensitive
    }
}

/// A `${SECTION.NAME.OUTPUT}` reference to another resource's output, as the manifest wrote it.
///
/// The loader puts a ``token`` where the reference was written; the planner replaces it with the value when the
/// producer is unchanged in this run (from its observation, else its journal entry), and leaves it, shown as
/// `(known after apply)`, when the producer changes; the applier resolves what is left just before the consumer
/// runs, from the journal the producer has just written.
package struct OutputReference: Sendable, Hashable, Codable {
    /// The producing resource instance.
    package var producer: Address
    /// The path inside its outputs (`["ipv4", "lab-internal"]`).
    package var path: [String]
    /// The placeholder written in the consumer's values until the value is known: letters and digits only, unique
    /// to this reference and this run.
    package var token: String
    /// Whether the output is a secret.
    package var sensitive: Bool

    /// Creates a reference.
    package init(producer: Address, path: [String], token: String, sensitive: Bool = false) {
        self.producer = producer
        self.path = path
        self.token = token
        self.sensitive = sensitive
    }

    /// The reference as written: `containers.proxy.ipv4.internal`.
    package var expression: String { ([producer.description] + path).joined(separator: ".") }

    /// What the plan shows for a value not known yet.
    package static let unknownText = "(known after apply)"

    /// The value at ``path`` in `outputs`, as text (`nil` when there is none there).
    package func value(in outputs: Value?) -> String? {
        var node = outputs
        for part in path { node = node?.mapValue?[part] }
        switch node {
        case .string(let text)?: return text.isEmpty ? nil : text
        case .int(let number)?: return String(number)
        case .bool(let flag)?: return flag ? "true" : "false"
        default: return nil
        }
    }

    /// Unique to this process: a token cannot occur in a value written by hand.
    package static let nonce = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()

    /// The token for the reference written as `expression` (the same text gives the same token in one run).
    package static func token(for expression: String) -> String {
        "ocplanout" + ContentDigest.sha256(Data((nonce + expression).utf8)).prefix(24)
    }
}

extension Value {
    /// The tree with every token of `values` replaced by its value in every string (keys stay as they are).
    package func replacingTokens(_ values: [String: String]) -> Value {
        guard !values.isEmpty else { return self }
        switch self {
        case .string(let text):
            guard text.contains("ocplanout") else { return self }
            var out = text
            for (token, value) in values where out.contains(token) {
                out = out.replacingOccurrences(of: token, with: value)
            }
            return .string(out)
        case .list(let items): return .list(items.map { $0.replacingTokens(values) })
        case .map(let entries): return .map(entries.mapValues { $0.replacingTokens(values) })
        default: return self
        }
    }

    /// The tokens of `references` that occur somewhere in the tree.
    package func tokens(among references: [String: OutputReference]) -> Set<String> {
        guard !references.isEmpty else { return [] }
        switch self {
        case .string(let text):
            guard text.contains("ocplanout") else { return [] }
            return Set(references.keys.filter { text.contains($0) })
        case .list(let items): return items.reduce(into: []) { $0.formUnion($1.tokens(among: references)) }
        case .map(let entries): return entries.values.reduce(into: []) { $0.formUnion($1.tokens(among: references)) }
        default: return []
        }
    }

    /// The paths of the strings that contain one of `tokens`.
    package func paths(containing tokens: Set<String>, at base: ValuePath = .root) -> [ValuePath] {
        switch self {
        case .string(let text): return tokens.contains(where: text.contains) ? [base] : []
        case .list(let items):
            return items.enumerated().flatMap { $1.paths(containing: tokens, at: base.appending(index: $0)) }
        case .map(let entries):
            return entries.flatMap { $1.paths(containing: tokens, at: base.appending($0)) }
        default: return []
        }
    }
}
