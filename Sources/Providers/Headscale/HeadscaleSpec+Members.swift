import OCCore

extension HeadscaleSpec {
    /// A Headscale user (`headscale users create NAME [-d DISPLAY] [-e EMAIL]`).
    public struct User: Sendable, Hashable, Codable {
        /// The user name (a valid host name from Headscale 0.28 on); policies refer to it as `NAME@`.
        public var name: String
        /// The display name (0.24+).
        public var displayName: String?
        /// The e-mail address (0.24+).
        public var email: String?

        /// Creates a user.
        public init(name: String, displayName: String? = nil, email: String? = nil) {
            self.name = name
            self.displayName = displayName
            self.email = email
        }

        /// Whether only the name is set (the short list form says everything).
        public var isPlain: Bool { displayName == nil && email == nil }

        private enum CodingKeys: String, CodingKey {
            case displayName, email
        }

        /// Decodes the mapping form's value; the name is the mapping key, filled in by the caller.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                name: "",
                displayName: try c.decodeIfPresent(String.self, forKey: .displayName),
                email: try c.decodeIfPresent(String.self, forKey: .email))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(displayName, forKey: .displayName)
            try c.encodeIfPresent(email, forKey: .email)
        }
    }

    /// A node registered in Headscale, with the routes the stack approves for it.
    public struct Node: Sendable, Hashable, Codable {
        /// The user owning the node.
        public var user: String
        /// Routes to approve: the complete set, since `approve-routes` replaces it (an exit node lists both
        /// exit prefixes).
        public var approveRoutes: [String]
        /// Tags forced on the node (`tag:exit`); `nil` leaves the node's tags alone.
        public var tags: [String]?

        /// Creates a node.
        public init(user: String, approveRoutes: [String] = [], tags: [String]? = nil) {
            self.user = user
            self.approveRoutes = approveRoutes
            self.tags = tags
        }

        private enum CodingKeys: String, CodingKey {
            case user, approveRoutes, tags
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                user: try c.decode(String.self, forKey: .user),
                approveRoutes: try c.decode(.approveRoutes, default: []),
                tags: try c.decodeIfPresent([String].self, forKey: .tags))
        }
    }

    /// A pre-auth key the stack keeps valid, so nodes can join without an interactive login.
    public struct PreAuthKey: Sendable, Hashable, Codable {
        /// The owning user; optional from Headscale 0.28 on for tagged keys.
        public var user: String?
        /// Whether several nodes may use the key.
        public var reusable: Bool
        /// Whether nodes joined with it are removed when they go offline.
        public var ephemeral: Bool
        /// How long a new key is valid (Prometheus duration, `24h`, `90d`).
        public var expiration: String
        /// ACL tags given to nodes that join with it.
        public var tags: [String]

        /// Creates a key description.
        public init(
            user: String? = nil, reusable: Bool = false, ephemeral: Bool = false, expiration: String = "1h",
            tags: [String] = []
        ) {
            self.user = user
            self.reusable = reusable
            self.ephemeral = ephemeral
            self.expiration = expiration
            self.tags = tags
        }

        private enum CodingKeys: String, CodingKey {
            case user, reusable, ephemeral, expiration, tags
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                user: try c.decodeIfPresent(String.self, forKey: .user),
                reusable: try c.decode(.reusable, default: false),
                ephemeral: try c.decode(.ephemeral, default: false),
                expiration: try c.decode(.expiration, default: "1h"),
                tags: try c.decode(.tags, default: []))
        }
    }

    /// The ACL policy and how Headscale reads it.
    public struct Policy: Sendable, Hashable, Codable {
        /// Where Headscale keeps the policy (`policy.mode` in its config).
        public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
            /// In its database; applied with `headscale policy set`.
            case database
            /// In a file it reads; applied by updating the file and sending SIGHUP.
            case file
        }

        /// The HuJSON policy file, relative to the manifest file.
        public var file: String
        /// Where Headscale keeps the policy.
        public var mode: Mode
        /// In `file` mode, the path Headscale reads (`policy.path`, inside the container).
        public var path: String?

        /// Creates a policy.
        public init(file: String, mode: Mode = .database, path: String? = nil) {
            self.file = file
            self.mode = mode
            self.path = path
        }

        private enum CodingKeys: String, CodingKey {
            case file, mode, path
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                file: try c.decode(String.self, forKey: .file),
                mode: try c.decode(.mode, default: .database),
                path: try c.decodeIfPresent(String.self, forKey: .path))
        }
    }

    /// The embedded DERP relay and STUN listener (Headscale's `derp.server` config).
    public struct DERP: Sendable, Hashable, Codable {
        /// The DERP region id clients see (`tailscale netcheck` reports its latency under this key).
        public var regionID: Int
        /// Where STUN listens (`stun_listen_addr`).
        public var stunListenAddr: String
        /// The IPv4 address clients reach the relay at.
        public var ipv4: String?
        /// The IPv6 address clients reach the relay at.
        public var ipv6: String?
        /// Extra DERP maps; empty keeps the tailnet fully self-hosted.
        public var urls: [String]

        /// Creates a DERP description.
        public init(
            regionID: Int = 999, stunListenAddr: String = "0.0.0.0:3478", ipv4: String? = nil, ipv6: String? = nil,
            urls: [String] = []
        ) {
            self.regionID = regionID
            self.stunListenAddr = stunListenAddr
            self.ipv4 = ipv4
            self.ipv6 = ipv6
            self.urls = urls
        }

        private enum CodingKeys: String, CodingKey {
            case regionID, stunListenAddr, ipv4, ipv6, urls
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                regionID: try c.decode(.regionID, default: 999),
                stunListenAddr: try c.decode(.stunListenAddr, default: "0.0.0.0:3478"),
                ipv4: try c.decodeIfPresent(String.self, forKey: .ipv4),
                ipv6: try c.decodeIfPresent(String.self, forKey: .ipv6),
                urls: try c.decode(.urls, default: []))
        }

        /// The STUN port, or `nil` when `stunListenAddr` has none.
        public var stunPort: Int? {
            guard let colon = stunListenAddr.lastIndex(of: ":") else { return nil }
            return Int(stunListenAddr[stunListenAddr.index(after: colon)...]).flatMap {
                (1...65_535).contains($0) ? $0 : nil
            }
        }
    }
}
