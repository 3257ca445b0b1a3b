/// The output of `iptables-save` (or `ip6tables-save`, with or without `-c`), parsed into tables, chains and rules.
///
/// Format (reference §7.1): `*TABLE` starts a table and `COMMIT` ends it; `:CHAIN POLICY [p:b]` declares a
/// chain (`-` for user chains); `[p:b] -A CHAIN SPEC` is a rule with counters (`-c`), `-A CHAIN SPEC` one
/// without; `#` lines are comments.
package struct IPTablesSave: Sendable, Hashable {
    /// One rule, as printed.
    package struct Rule: Sendable, Hashable {
        /// The chain it is in.
        package var chain: String
        /// The arguments after `-A CHAIN`, split like the tool splits them.
        package var arguments: [String]
        /// The packet counter (with `-c`).
        package var packets: Int?
        /// The byte counter (with `-c`).
        package var bytes: Int?

        /// The text of the `--comment` argument, if the rule has one.
        package var comment: String? {
            guard let index = arguments.firstIndex(of: "--comment"), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }

        /// The ocplan mark in the rule's comments, if any.
        package var mark: NetfilterMark? {
            for (index, argument) in arguments.enumerated() where argument == "--comment" && index + 1 < arguments.count
            {
                if let mark = NetfilterMark(comment: arguments[index + 1]) { return mark }
            }
            return nil
        }

        /// The arguments without ocplan's `-m comment --comment ocplan:…` clause.
        package var argumentsWithoutMark: [String] {
            var out: [String] = []
            var index = 0
            while index < arguments.count {
                if arguments[index] == "-m", index + 3 < arguments.count, arguments[index + 1] == "comment",
                    arguments[index + 2] == "--comment", NetfilterMark(comment: arguments[index + 3]) != nil
                {
                    index += 4
                    continue
                }
                out.append(arguments[index])
                index += 1
            }
            return out
        }

        /// The rule spec as iptables-save prints it (quoted again), without `-A CHAIN`.
        package var spec: String { arguments.map(NetfilterMark.quote).joined(separator: " ") }

        /// The rule spec without ocplan's mark.
        package var specWithoutMark: String { argumentsWithoutMark.map(NetfilterMark.quote).joined(separator: " ") }
    }

    /// One table.
    package struct Table: Sendable, Hashable {
        /// Chain names in the order declared, with their policy (`-` for user chains).
        package var chains: [(name: String, policy: String)] = []
        /// Rules in order.
        package var rules: [Rule] = []

        /// Whether the table declares `chain`.
        package func has(chain: String) -> Bool { chains.contains { $0.name == chain } }

        /// The rules of `chain`, in order.
        package func rules(of chain: String) -> [Rule] { rules.filter { $0.chain == chain } }

        package static func == (lhs: Table, rhs: Table) -> Bool {
            lhs.chains.map(\.name) == rhs.chains.map(\.name) && lhs.chains.map(\.policy) == rhs.chains.map(\.policy)
                && lhs.rules == rhs.rules
        }

        package func hash(into hasher: inout Hasher) {
            hasher.combine(chains.map(\.name))
            hasher.combine(rules)
        }
    }

    /// Tables by name (`filter`, `nat`, `mangle`, `raw`).
    package var tables: [String: Table]
    /// The first line that is not in the tool's format, `nil` when everything was recognised.
    ///
    /// A table whose `COMMIT` is missing (output cut short) counts too. Such output is an observation error: it is
    /// never read as tables without the chain.
    package var unrecognised: String?

    /// Parses the tool's output; the first line it does not understand is kept in ``unrecognised``.
    package init(parsing text: String) {
        var tables: [String: Table] = [:]
        var current: String?
        var unrecognised: String?
        func reject(_ line: some StringProtocol) { if unrecognised == nil { unrecognised = String(line) } }
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = Substring(raw)
            if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            if line.hasPrefix("*") {
                let name = String(line.dropFirst())
                guard current == nil, !name.isEmpty, !name.contains(" ") else {
                    reject(line)
                    continue
                }
                current = name
                tables[name] = tables[name] ?? Table()
                continue
            }
            guard let table = current else {
                reject(line)
                continue
            }
            if line == "COMMIT" {
                current = nil
                continue
            }
            if line.hasPrefix(":") {
                let parts = line.dropFirst().split(separator: " ")
                if let name = parts.first {
                    tables[table]?.chains.append((String(name), parts.count > 1 ? String(parts[1]) : "-"))
                } else {
                    reject(line)
                }
                continue
            }
            var packets: Int?
            var bytes: Int?
            if line.hasPrefix("["), let close = line.firstIndex(of: "]") {
                let counters = line[line.index(after: line.startIndex)..<close].split(separator: ":")
                if counters.count == 2 {
                    packets = Int(counters[0])
                    bytes = Int(counters[1])
                }
                line = line[line.index(after: close)...].drop { $0 == " " }
            }
            guard let arguments = IPTablesRuleTokenizer.arguments(of: String(line)), arguments.count >= 2,
                arguments[0] == "-A"
            else {
                reject(raw)
                continue
            }
            tables[table]?.rules.append(
                Rule(chain: arguments[1], arguments: Array(arguments.dropFirst(2)), packets: packets, bytes: bytes))
        }
        if let open = current { reject("*\(open) without COMMIT") }
        self.tables = tables
        self.unrecognised = unrecognised
    }
}
