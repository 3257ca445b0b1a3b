import OCCore

extension TailscaleNodeSpec {
    /// The keys of a `tailscale` entry.
    package static let schema = ObjectSchema(
        "A Tailscale client joined to the stack's Headscale.",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The host the client runs on.", default: "local", update: .replace),
            FieldSchema(
                "loginServer", .string(.url),
                doc: "The control server URL as reachable from this host (`--login-server`); changing it needs a "
                    + "new login.",
                default: "Tailscale's own control server", update: .replace),
            FieldSchema(
                "hostname", .string(.name), doc: "The node's name in the tailnet (`--hostname`).",
                default: "the machine's host name", update: .inPlace),
            FieldSchema(
                "authKey", .string(),
                doc: "The auth key for the first login; `file:/path` keeps the secret out of argv. Not used once "
                    + "the node is logged in.",
                update: .inPlace, sensitive: true),
            FieldSchema(
                "exitNode", .string(.name),
                doc: "The exit node to use, by Tailscale IP (`100.64.0.2`); applied once the peer offers exit routes.",
                default: "none", update: .inPlace),
            FieldSchema(
                "exitNodeAllowLANAccess", .boolean, doc: "Whether the LAN stays reachable while using an exit node.",
                default: "false", update: .inPlace),
            FieldSchema(
                "advertiseExitNode", .boolean, doc: "Whether to offer this node as an exit node (0.0.0.0/0 and ::/0).",
                default: "false", update: .inPlace),
            FieldSchema(
                "advertiseRoutes", .list(.string(.cidr)),
                doc: "Subnet routes to offer; exit routes belong in `advertiseExitNode`.", default: "[]",
                update: .inPlace),
            FieldSchema(
                "advertiseTags", .list(.string(.name)),
                doc: "ACL tags to request (`tag:exit`); changing them needs a new login.",
                default: "[]", update: .replace),
            FieldSchema(
                "acceptRoutes", .boolean, doc: "Whether to use subnet routes other nodes offer.", default: "false",
                update: .inPlace),
            FieldSchema(
                "acceptDNS", .boolean, doc: "Whether to use the tailnet's DNS settings (`--accept-dns`).",
                default: "true", update: .inPlace),
            FieldSchema(
                "shieldsUp", .boolean, doc: "Whether to block incoming connections.", default: "false",
                update: .inPlace),
            FieldSchema(
                "snatSubnetRoutes", .boolean, doc: "Linux only: source-NAT traffic to advertised subnets.",
                default: "true", update: .inPlace),
            FieldSchema(
                "netfilterMode", .enumeration(NetfilterMode.allCases.map(\.rawValue)),
                doc: "Linux only: how tailscaled manages netfilter (`off` leaves NAT and forwarding to the stack).",
                default: "on", update: .inPlace),
            FieldSchema(
                "state", .enumeration(State.allCases.map(\.rawValue)),
                doc: "Whether the node is connected (`up`) or logged in but disconnected (`down`).", default: "up",
                update: .inPlace),
        ]
    )
}
