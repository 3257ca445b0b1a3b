import OCCore

extension HeadscaleSpec {
    /// A Headscale user (`headscale users create NAME [-d DISPLAY] [-e EMAIL]`).
    package struct User: Sendable, Hashable, Codable {
        /// The user name (a valid host name from Headscale 0.28 on); policies refer to it as `NAME@`.
        package var name: String
        /// The display name (0.24+).
        package var displayName: String?
        /// The e-mail address (0.24+).
        package var email: String?

        /// Creates a user.
        package init(name: String, displayName: String? = nil, email: String? = nil) {
            self.name = name
            self.displayName = displayName
            self.email = email
        }

        /// Whether only the name is set (the short list form says everything).
        package var isPlain: Bool { displayName == nil && email == nil }

        private enum CodingKeys: String, CodingKey {
            case displayName, email
        }

        /// Decodes the mapping form's value; the name is the mapping key, filled in by the caller.
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                name: "",
                displayName: try c.decodeIfPresent(String.self, forKey: .displayName),
                email: try c.decodeIfPresent(String.self, forKey: .email))
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(displayName, forKey: .displayName)
            try c.encodeIfPresent(email, forKey: .email)
        }
    }

    /// A node registered in Headscale, with the routes the stack approves for it.
    package struct Node: Sendable, Hashable, Codable {
        /// The user owning the node.
        package var user: String
        /// Routes to approve: the complete set, since `approve-routes` replaces it (an exit node lists both
        /// exit prefixes).
        package var approveRoutes: [String]
        /// Tags forced on the node (`tag:exit`); `nil` leaves the node's tags alone.
        package var tags: [String]?

        /// Creates a node.
        package init(user: String, approveRoutes: [String] = [], tags: [String]? = nil) {
            self.user = user
            self.approveRoutes = approveRoutes
            self.tags = tags
        }

        private enum CodingKeys: String, CodingKey {
            case user, approveRoutes, tags
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                user: try c.decode(String.self, forKey: .user),
                approveRoutes: try c.decode(.approveRoutes, default: []),
                tags: try c.decodeIfPresent([String].self, forKey: .tags))
        }
    }

    /// A pre-auth key the stack keeps valid, so nodes can join without an interactive login.
    package struct PreAuthKey: Sendable, Hashable, Codable {
        /// The owning user; optional from Headscale 0.28 on for tagged keys.
        package var user: String?
        /// Whether several nodes may use the key.
        package var reusable: Bool
        /// Whether nodes joined with it are removed when they go offline.
        package var ephemeral: Bool
        /// How long a new key is valid (Prometheus duration, `24h`, `90d`).
        package var expiration: String
        /// ACL tags given to nodes that join with it.
        package var tags: [String]

        /// Creates a key description.
        package init(
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

        package init(from decoder: any Decoder) throws {
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
    package struct Policy: Sendable, Hashable, Codable {
        /// Where Headscale keeps the policy (`policy.mode` in its config).
        package enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
            /// In its database; applied with `headscale policy set`.
            case database
            /// In a file it reads; applied by updating the file and sending SIGHUP.
            case file
        }

        /// The HuJSON policy file, relative to the manifest file.
        package var file: String
        /// Where Headscale keeps the policy.
        package var mode: Mode
        /// In `file` mode, the path Headscale reads (`policy.path`, inside the container).
        package var path: String?

        /// Creates a policy.
        package init(file: String, mode: Mode = .database, path: String? = nil) {
            self.file = file
            self.mode = mode
            self.path = path
        }

        private enum CodingKeys: String, CodingKey {
            case file, mode, path
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                file: try c.decode(String.self, forKey: .file),
                mode: try c.decode(.mode, default: .database),
                path: try c.decodeIfPresent(String.self, forKey: .path))
        }
    }

    /// The embedded DERP relay and STUN listener (Headscale's `derp.server` config).
    package struct DERP: Sendable, Hashable, Codable {
        /// The DERP region id clients see (`tailscale netcheck` reports its latency under this key).
        package var regionID: Int
        /// Where STUN listens (`stun_listen_addr`).
        package var stunListenAddr: String
        /// The IPv4 address clients reach the relay at.
        package var ipv4: String?
        /// The IPv6 address clients reach the relay at.
        package var ipv6: String?
        /// Extra DERP maps; empty keeps the tailnet fully self-hosted.
        package var urls: [String]

        /// Creates a DERP description.
        package init(
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

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                regionID: try c.decode(.regionID, default: 999),
                stunListenAddr: try c.decode(.stunListenAddr, default: "0.0.0.0:3478"),
                ipv4: try c.decodeIfPresent(String.self, forKey: .ipv4),
                ipv6: try c.decodeIfPresent(String.self, forKey: .ipv6),
                urls: try c.decode(.urls, default: []))
        }

        /// The STUN port, or `nil` when `stunListenAddr` has none.
        package var stunPort: Int? {
            guard let colon = stunListenAddr.lastIndex(of: ":") else { return nil }
            return Int(stunListenAddr[stunListenAddr.index(after: colon)...]).flatMap {
                (1...65_535).contains($0) ? $0 : nil
            }
        }
    }
}
