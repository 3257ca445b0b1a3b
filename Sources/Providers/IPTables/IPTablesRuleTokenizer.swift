/// Splits an iptables rule string into argv elements the way a shell would, without running a shell.
///
/// Rules are written as text (`-j LOG --log-prefix "OC_EGRESS "`) but always executed as argv arrays; this
/// is the one place that turns one into the other. It understands white space, single quotes, double quotes
/// and backslash escapes, and nothing else (no variables, globs or command substitution).
package enum IPTablesRuleTokenizer {
    /// The arguments of `rule`, or `nil` when a quote is not closed or the rule ends in a lone backslash.
    package static func arguments(of rule: String) -> [String]? {
        var arguments: [String] = []
        var current = ""
        var inToken = false
        var quote: Character?
        var escaped = false
        for character in rule {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            switch (quote, character) {
            case (nil, "\\"), ("\"", "\\"):
                escaped = true
                inToken = true
            case (nil, "\""), (nil, "'"):
                quote = character
                inToken = true
            case (let open?, _) where character == open:
                quote = nil
            case (nil, _) where character.isWhitespace:
                if inToken { arguments.append(current) }
                current = ""
                inToken = false
            default:
                current.append(character)
                inToken = true
            }
        }
        guard quote == nil, !escaped else { return nil }
        if inToken { arguments.append(current) }
        return arguments
    }
}
