import OCCore

/// The Headscale control server's contents: the singleton `headscale` section.
///
/// One object, not resources keyed by name, because a stack has one coordination server: `server` names the
/// host whose transport reaches it (`hs: {transport: podman-exec, container: headscale}`), and the rest is what
/// the stack wants inside it — users, nodes with their approved routes and tags, pre-auth keys, the ACL policy
/// and the DERP/STUN settings it owns.
package struct HeadscaleSpec: ResourceSpec, Equatable, Codable {
    package static let section = "headscale"
    package static let isSingleton = true

    /// The host whose transport runs `headscale` commands (usually a `podman-exec` host for the container).
    package var server: String
    /// The public URL clients log in to (`server_url`).
    package var serverURL: String?
    /// Users, in the order written.
    package var users: [User]
    /// Nodes by their name in Headscale.
    package var nodes: [String: Node]
    /// Pre-auth keys by a name of the stack's choosing.
    package var preAuthKeys: [String: PreAuthKey]
    /// The ACL policy.
    package var policy: Policy?
    /// The embedded DERP server and its STUN listener.
    package var derp: DERP?

    /// Creates a spec.
    package init(
        server: String, serverURL: String? = nil, users: [User] = [], nodes: [String: Node] = [:],
        preAuthKeys: [String: PreAuthKey] = [:], policy: Policy? = nil, derp: DERP? = nil
    ) {
        self.server = server
        self.serverURL = serverURL
        self.users = users
        self.nodes = nodes
        self.preAuthKeys = preAuthKeys
        self.policy = policy
        self.derp = derp
    }

    package var hostNames: [String] { [server] }

    /// The declared user names.
    package var userNames: [String] { users.map(\.name) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case server, serverURL, users, nodes, preAuthKeys, policy, derp
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            server: try c.decode(String.self, forKey: .server),
            serverURL: try c.decodeIfPresent(String.self, forKey: .serverURL),
            users: try Self.decodeUsers(c),
            nodes: try c.decode(.nodes, default: [:]),
            preAuthKeys: try c.decode(.preAuthKeys, default: [:]),
            policy: try c.decodeIfPresent(Policy.self, forKey: .policy),
            derp: try c.decodeIfPresent(DERP.self, forKey: .derp)
        )
    }

    /// Reads `users` as a list of names or as a mapping of name to `{displayName, email}`, in written order.
    private static func decodeUsers(_ c: KeyedDecodingContainer<CodingKeys>) throws -> [User] {
        guard c.contains(.users), try !c.decodeNil(forKey: .users) else { return [] }
        if let map = try? c.nestedContainer(keyedBy: DynamicCodingKey.self, forKey: .users) {
            return try map.allKeys.map { key in
                var user = try map.decodeIfPresent(User.self, forKey: key) ?? User(name: key.stringValue)
                user.name = key.stringValue
                return user
            }
        }
        return try c.decode([String].self, forKey: .users).map { User(name: $0) }
    }

    /// Encodes the canonical form: users as a list of names when none has details, else a mapping.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(server, forKey: .server)
        try c.encodeIfPresent(serverURL, forKey: .serverURL)
        if users.allSatisfy(\.isPlain) {
            try c.encode(userNames, forKey: .users)
        } else {
            var map = c.nestedContainer(keyedBy: DynamicCodingKey.self, forKey: .users)
            for user in users { try map.encode(user, forKey: DynamicCodingKey(user.name)) }
        }
        try c.encode(nodes, forKey: .nodes)
        try c.encode(preAuthKeys, forKey: .preAuthKeys)
        try c.encodeIfPresent(policy, forKey: .policy)
        try c.encodeIfPresent(derp, forKey: .derp)
    }
}
