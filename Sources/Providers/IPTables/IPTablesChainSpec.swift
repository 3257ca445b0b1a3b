import OCCore

/// A netfilter chain the stack owns on a Linux host: one entry of the `iptables` section (`OC_EGRESS`).
///
/// ocplan owns the whole chain and the one rule that jumps to it from a built-in chain (the hook). With the
/// `iptables` backend, chain, rules and hook are written in one `iptables-restore --noflush` transaction per
/// table and family, so a half-applied chain never exists; with `nft`, the chain lives in the stack's own
/// table `inet ocplan_STACK` and is written with one `nft -f` transaction. Every rule carries an
/// `ocplan:STACK:NAME:HASH` comment that marks it as the stack's and names the manifest rule it came from.
package struct IPTablesChainSpec: ResourceSpec, Equatable, Codable {
    /// The netfilter tables a chain can live in.
    package enum Table: String, Sendable, Hashable, Codable, CaseIterable {
        case filter, nat, mangle, raw

        /// The built-in chains of the table, which hooks jump from.
        package var builtinChains: [String] {
            switch self {
            case .filter: return ["INPUT", "FORWARD", "OUTPUT"]
            case .nat: return ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"]
            case .mangle: return ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]
            case .raw: return ["PREROUTING", "OUTPUT"]
            }
        }
    }

    /// Which IP versions the chain is loaded for.
    package enum Family: String, Sendable, Hashable, Codable, CaseIterable {
        /// `iptables` only.
        case ipv4
        /// `ip6tables` only.
        case ipv6
        /// Both, with the same rules.
        case both

        /// The single families this stands for, in the order they are applied.
        package var members: [Family] { self == .both ? [.ipv4, .ipv6] : [self] }
    }

    /// The tool family that loads the rules.
    package enum Backend: String, Sendable, Hashable, Codable, CaseIterable {
        /// `iptables-save`/`iptables-restore` (either flavour); rules use iptables syntax.
        case iptables
        /// A native nftables table `inet oc_NAME` loaded with `nft -f`; rules use nft syntax.
        case nft
    }

    /// The rule in a built-in chain that jumps to the owned chain.
    package struct Hook: Sendable, Hashable, Codable {
        /// The chain to jump from (`FORWARD`).
        package var chain: String
        /// The 1-based position to insert the jump at; appended when `nil`.
        package var position: Int?
        /// Extra matches for the jump rule (`-i tailscale0`).
        package var match: String?

        /// Creates a hook.
        package init(chain: String, position: Int? = nil, match: String? = nil) {
            self.chain = chain
            self.position = position
            self.match = match
        }
    }

    package static let section = "iptables"

    /// The Linux host whose netfilter gets the chain.
    package var host: String
    /// The table the chain lives in.
    package var table: Table
    /// The chain name (`OC_EGRESS`).
    package var chain: String
    /// The rules in order, each without `-A CHAIN` (`-j LOG --log-prefix "OC_EGRESS "`).
    package var rules: [String]
    /// Where the chain is jumped to from; `nil` when another rule jumps to it.
    package var hook: Hook?
    /// The IP versions.
    package var family: Family
    /// The tool family.
    package var backend: Backend
    /// Whether the chain is restored at boot (own rules file and a oneshot unit).
    package var persist: Bool
    /// Where the rules files for boot are kept.
    package var persistDirectory: String
    /// Where the systemd unit that loads them at boot is written.
    package var unitDirectory: String

    /// The default ``persistDirectory``.
    package static let defaultPersistDirectory = "/etc/ocplan/netfilter"
    /// The default ``unitDirectory``.
    package static let defaultUnitDirectory = "/etc/systemd/system"

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(
        host: String = "local", table: Table = .filter, chain: String, rules: [String] = [], hook: Hook? = nil,
        family: Family = .ipv4, backend: Backend = .iptables, persist: Bool = false,
        persistDirectory: String = defaultPersistDirectory, unitDirectory: String = defaultUnitDirectory
    ) {
        self.host = host
        self.table = table
        self.chain = chain
        self.rules = rules
        self.hook = hook
        self.family = family
        self.backend = backend
        self.persist = persist
        self.persistDirectory = persistDirectory
        self.unitDirectory = unitDirectory
    }

    package var hostNames: [String] { [host] }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, table, chain, rules, hook, family, backend, persist, persistDirectory, unitDirectory
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(.host, default: "local"),
            table: try c.decode(.table, default: .filter),
            chain: try c.decode(String.self, forKey: .chain),
            rules: try c.decode(.rules, default: []),
            hook: try c.decodeIfPresent(Hook.self, forKey: .hook),
            family: try c.decode(.family, default: .ipv4),
            backend: try c.decode(.backend, default: .iptables),
            persist: try c.decode(.persist, default: false),
            persistDirectory: try c.decode(.persistDirectory, default: Self.defaultPersistDirectory),
            unitDirectory: try c.decode(.unitDirectory, default: Self.defaultUnitDirectory)
        )
    }

    // MARK: - Schema

    /// The keys of an `iptables` entry.
    package static let schema = ObjectSchema(
        "A netfilter chain owned by the stack, with its rules and the hook that jumps to it.",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The Linux host whose netfilter gets the chain.", default: "local",
                update: .replace),
            FieldSchema(
                "table", .enumeration(Table.allCases.map(\.rawValue)),
                doc: "The table; use `mangle` to see exit-node traffic before tailscaled's filter rules accept it.",
                default: "filter", update: .replace),
            FieldSchema(
                "chain", .string(.name), required: true,
                doc: "The chain name, `OC_*` by convention (at most 28 characters).",
                update: .replace),
            FieldSchema(
                "rules", .strings,
                doc: "The rules in order, each without `-A CHAIN` (`-j LOG --log-prefix \"OC_EGRESS \"`); ocplan "
                    + "replaces the chain's contents atomically. A rule that jumps to a chain another resource owns "
                    + "(`-j OC_CHILD`) makes this resource depend on that one.",
                default: "[]", update: .inPlace),
            FieldSchema(
                "hook", .object(hookSchema), doc: "The jump into the chain from a built-in chain.",
                default: "no hook", update: .inPlace),
            FieldSchema(
                "family", .enumeration(Family.allCases.map(\.rawValue)),
                doc: "The IP versions: iptables, ip6tables or both.", default: "ipv4", update: .replace),
            FieldSchema(
                "backend", .enumeration(Backend.allCases.map(\.rawValue)),
                doc: "`iptables` (iptables syntax, iptables-restore) or `nft` (nft syntax in a native table).",
                default: "iptables", update: .replace),
            FieldSchema(
                "persist", .boolean,
                doc: "Whether the chain is restored at boot, from its own rules file and a oneshot systemd unit "
                    + "(`ocplan-netfilter-STACK-NAME.service`, enabled for multi-user.target).",
                default: "false", update: .inPlace),
            FieldSchema(
                "persistDirectory", .string(.path),
                doc: "Where the rules files loaded at boot are kept (`STACK.NAME.v4.rules`, `.v6.rules` or `.nft`).",
                default: defaultPersistDirectory, update: .inPlace),
            FieldSchema(
                "unitDirectory", .string(.path), doc: "Where the systemd unit that loads the rules at boot is written.",
                default: defaultUnitDirectory, update: .inPlace),
        ]
    )

    /// The keys of `hook`.
    static let hookSchema = ObjectSchema(
        "The jump rule into the owned chain.",
        fields: [
            FieldSchema(
                "chain", .string(.name), required: true, doc: "The built-in chain to jump from (`FORWARD`).",
                update: .inPlace),
            FieldSchema(
                "position", .integer(min: 1), doc: "The 1-based position to insert the jump at.",
                default: "appended", update: .inPlace),
            FieldSchema(
                "match", .string(), doc: "Extra matches for the jump rule (`-i tailscale0`).", default: "none",
                update: .inPlace),
        ]
    )
}
