import OCCore

extension HeadscaleSpec {
    /// The keys of the `headscale` section.
    package static let schema = ObjectSchema(
        "What the stack keeps inside its Headscale server: users, nodes and routes, keys, the ACL policy, DERP.",
        fields: [
            FieldSchema(
                "server", .reference("hosts"), required: true,
                doc: "The host whose transport runs `headscale` commands, e.g. a `podman-exec` host for the "
                    + "Headscale container.",
                update: .replace),
            FieldSchema(
                "serverURL", .string(.url),
                doc: "The URL clients log in to (Headscale's `server_url`); https when the embedded DERP is used.",
                update: .inPlace),
            FieldSchema(
                "users", .oneOf([.list(.string(.name)), .map(.object(userSchema))]),
                doc: "Users: a list of names, or a mapping of name to `{displayName, email}`. Users the stack created "
                    + "and no longer lists are destroyed once they own no nodes.",
                default: "[]", update: .inPlace),
            FieldSchema(
                "nodes", .map(.object(nodeSchema)),
                doc: "Nodes by their name in Headscale (the Tailscale hostname), with owner, approved routes and tags.",
                default: "{}", update: .inPlace),
            FieldSchema(
                "preAuthKeys", .map(.object(preAuthKeySchema)),
                doc: "Pre-auth keys the stack keeps valid, by a name of its choosing; the secret is shown only at "
                    + "creation and kept in the state journal.",
                default: "{}", update: .inPlace),
            FieldSchema("policy", .object(policySchema), doc: "The ACL policy.", update: .inPlace),
            FieldSchema(
                "derp", .object(derpSchema), doc: "The embedded DERP relay and STUN listener.",
                default: "Headscale's config unchanged", update: .inPlace),
        ]
    )

    /// The mapping form's value of one user.
    static let userSchema = ObjectSchema(
        "A Headscale user.",
        fields: [
            FieldSchema("displayName", .string(), doc: "The display name (Headscale 0.24+).", update: .inPlace),
            FieldSchema("email", .string(), doc: "The e-mail address (Headscale 0.24+).", update: .inPlace),
        ]
    )

    /// The keys of one node.
    static let nodeSchema = ObjectSchema(
        "A node registered in Headscale.",
        fields: [
            FieldSchema("user", .string(.name), required: true, doc: "The user owning the node.", update: .inPlace),
            FieldSchema(
                "approveRoutes", .list(.string(.cidr)),
                doc: "The complete set of routes to approve (`approve-routes` replaces it); an exit node lists both "
                    + "`0.0.0.0/0` and `::/0`.",
                default: "[]", update: .inPlace),
            FieldSchema(
                "tags", .list(.string(.name)),
                doc: "Tags forced on the node (`tag:exit`); omitted leaves its tags alone.",
                default: "unmanaged", update: .inPlace),
        ]
    )

    /// The keys of one pre-auth key.
    static let preAuthKeySchema = ObjectSchema(
        "A pre-auth key for non-interactive joins.",
        fields: [
            FieldSchema(
                "user", .string(.name), doc: "The owning user; may be omitted for tagged keys from Headscale 0.28 on.",
                update: .replace),
            FieldSchema(
                "reusable", .boolean, doc: "Whether several nodes may use the key.", default: "false",
                update: .replace),
            FieldSchema(
                "ephemeral", .boolean, doc: "Whether nodes joined with it are removed when they go offline.",
                default: "false", update: .replace),
            FieldSchema(
                "expiration", .string(.name),
                doc: "How long a new key is valid (`24h`, `90d`); an expired key is renewed.",
                default: "1h", update: .replace),
            FieldSchema(
                "tags", .list(.string(.name)), doc: "ACL tags for nodes joining with it.", default: "[]",
                update: .replace),
        ]
    )

    /// The keys of `policy`.
    static let policySchema = ObjectSchema(
        "The ACL policy.",
        fields: [
            FieldSchema(
                "file", .string(.path), required: true, doc: "The HuJSON policy file, relative to the manifest file.",
                update: .inPlace),
            FieldSchema(
                "mode", .enumeration(Policy.Mode.allCases.map(\.rawValue)),
                doc: "Headscale's `policy.mode`: `database` (applied with `policy set`) or `file` (file rewritten, "
                    + "then SIGHUP).",
                default: "database", update: .inPlace),
            FieldSchema(
                "path", .string(.path), doc: "In `file` mode, the policy path Headscale reads (inside the container).",
                update: .inPlace),
        ]
    )

    /// The keys of `derp`.
    static let derpSchema = ObjectSchema(
        "The embedded DERP relay.",
        fields: [
            FieldSchema(
                "regionID", .integer(min: 900), doc: "The DERP region id clients see.", default: "999", update: .inPlace
            ),
            FieldSchema(
                "stunListenAddr", .string(), doc: "Where STUN listens, `ADDRESS:PORT` (publish the port as UDP).",
                default: "0.0.0.0:3478", update: .inPlace),
            FieldSchema(
                "ipv4", .string(.ipAddress), doc: "The IPv4 address clients reach the relay at.", update: .inPlace),
            FieldSchema(
                "ipv6", .string(.ipAddress), doc: "The IPv6 address clients reach the relay at.", update: .inPlace),
            FieldSchema(
                "urls", .list(.string(.url)), doc: "Extra DERP maps; empty keeps the tailnet fully self-hosted.",
                default: "[]", update: .inPlace),
        ]
    )
}
