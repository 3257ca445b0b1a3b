import OCCore

/// The ownership comments ocplan puts on every netfilter rule it writes, and the rule text helpers around them.
///
/// A rule's comment is `ocplan:STACK:NAME:HASH`, the hook's `ocplan:STACK:NAME:hook:HASH`, where `HASH` is the
/// start of the SHA-256 of the rule as written in the manifest (its arguments, so spacing does not matter).
/// iptables and nft print rules in their own canonical form (`-p tcp --dport 443` comes back as
/// `-p tcp -m tcp --dport 443`), so observation recognises a rule by its comment: a listed rule whose hash
/// belongs to a desired rule is that rule; anything else is shown as the tool prints it. Names use only
/// `[A-Za-z0-9._-]`, so the comment never needs quoting.
package struct NetfilterMark: Sendable, Hashable {
    /// The prefix of every comment ocplan writes.
    package static let prefix = "ocplan:"

    /// The stack that wrote the rule.
    package var stack: String
    /// The resource name (the part after `iptables.`).
    package var name: String
    /// Whether this marks the hook rule rather than a rule of the chain.
    package var isHook: Bool
    /// The hash of the rule text.
    package var hash: String

    /// Creates a mark.
    package init(stack: String, name: String, isHook: Bool = false, hash: String) {
        self.stack = stack
        self.name = name
        self.isHook = isHook
        self.hash = hash
    }

    /// The mark of a chain rule.
    package static func rule(stack: String, name: String, text: String) -> NetfilterMark {
        NetfilterMark(stack: stack, name: name, hash: hash(of: text))
    }

    /// The mark of a hook rule: its hash covers the built-in chain, the position and the match.
    package static func hook(stack: String, name: String, chain: String, position: Int?, match: String?)
        -> NetfilterMark
    {
        let text = "\(chain)\u{0}\(position.map(String.init) ?? "")\u{0}\(match ?? "")"
        return NetfilterMark(stack: stack, name: name, isHook: true, hash: hash(of: text))
    }

    /// The comment text.
    package var comment: String {
        Self.prefix + "\(stack):\(name):" + (isHook ? "hook:" : "") + hash
    }

    /// Parses a comment ocplan wrote; `nil` for any other comment.
    package init?(comment: String) {
        guard comment.hasPrefix(Self.prefix) else { return nil }
        let parts = comment.dropFirst(Self.prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 3: self.init(stack: String(parts[0]), name: String(parts[1]), hash: String(parts[2]))
        case 4 where parts[2] == "hook":
            self.init(stack: String(parts[0]), name: String(parts[1]), isHook: true, hash: String(parts[3]))
        default: return nil
        }
    }

    /// Twelve hex digits of the SHA-256 of the rule's arguments (whitespace between them does not count).
    package static func hash(of text: String) -> String {
        var digest = ContentDigest()
        digest.update((IPTablesRuleTokenizer.arguments(of: text) ?? [text]).joined(separator: "\u{0}"))
        return String(digest.finalize().prefix(12))
    }

    /// The rule in a canonical spacing: its arguments joined by one space, quoted where needed.
    package static func canonicalText(_ text: String) -> String {
        guard let arguments = IPTablesRuleTokenizer.arguments(of: text) else { return text }
        return arguments.map(quote).joined(separator: " ")
    }

    /// One argument as iptables-save and iptables-restore write it: bare when it is plain, otherwise in double
    /// quotes with `"` and `\` escaped.
    package static func quote(_ argument: String) -> String {
        let plain =
            !argument.isEmpty
            && !argument.contains { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "\\" || $0 == "#" }
        if plain { return argument }
        var out = "\""
        for character in argument {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}
