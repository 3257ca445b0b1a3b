import OCCore

/// Packet-filter rules on macOS: one entry of the `pf` section (the vmnet NAT rule).
///
/// The rules are loaded atomically into the stack's own top-level anchor `ocplan/STACK` (STACK is the stack's
/// name), which `/etc/pf.conf` must reference (`nat-anchor "ocplan/STACK"`, `anchor "ocplan/STACK"`, and `load
/// anchor` when persisting); ocplan checks and adds those lines. Because the anchor is per stack, a stack has
/// at most one `pf` entry per host. Rules change in place (`pfctl -a ocplan/STACK -f -` replaces the anchor's
/// rules).
package struct PFAnchorSpec: ResourceSpec, Equatable, Codable {
    package static let section = "pf"

    /// The macOS host whose pf gets the rules.
    package var host: String
    /// The rules in pf.conf syntax, translation (`nat`, `rdr`) before filtering (`pass`, `block`).
    package var rules: [String]
    /// Whether to make sure pf is enabled (`pfctl -E`).
    package var enable: Bool
    /// Whether the rules survive a reboot (anchor file, pf.conf lines and a LaunchDaemon that enables pf).
    package var persist: Bool

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(host: String = "local", rules: [String], enable: Bool = true, persist: Bool = false) {
        self.host = host
        self.rules = rules
        self.enable = enable
        self.persist = persist
    }

    package var hostNames: [String] { [host] }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, rules, enable, persist
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(.host, default: "local"),
            rules: try c.decode([String].self, forKey: .rules),
            enable: try c.decode(.enable, default: true),
            persist: try c.decode(.persist, default: false)
        )
    }

    /// The keys of a `pf` entry.
    package static let schema = ObjectSchema(
        "pf rules loaded into the stack's own anchor on a macOS host.",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The macOS host whose pf gets the rules.", default: "local",
                update: .replace),
            FieldSchema(
                "rules", .strings, required: true,
                doc: "Rules in pf.conf syntax, translation (`nat`, `rdr`) before filtering (`pass`, `block`); "
                    + "`${var}` manifest variables are substituted first. Write `(en0)` so NAT follows the "
                    + "interface's address.",
                update: .inPlace),
            FieldSchema(
                "enable", .boolean, doc: "Whether to make sure pf is enabled (`pfctl -E`).", default: "true",
                update: .inPlace),
            FieldSchema(
                "persist", .boolean,
                doc: "Whether the rules survive a reboot: the anchor file, the pf.conf anchor lines and a LaunchDaemon "
                    + "that enables pf at boot.",
                default: "false", update: .inPlace),
        ]
    )
}
