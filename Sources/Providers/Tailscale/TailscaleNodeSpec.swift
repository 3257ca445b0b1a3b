import OCCore

/// A Tailscale client on one host: one entry of the `tailscale` section.
///
/// The first join is `tailscale up` with every setting; later changes go through `tailscale set`, which
/// changes only the named settings in place. Changing the login server or the advertised tags needs a new
/// login (`--force-reauth`), so those replace the node's registration.
package struct TailscaleNodeSpec: ResourceSpec, Equatable, Codable {
    /// Whether the node should be connected.
    package enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Logged in and running (`WantRunning`).
        case up
        /// Logged in but disconnected (`tailscale down`).
        case down
    }

    /// How tailscaled manages netfilter on Linux (`--netfilter-mode`).
    package enum NetfilterMode: String, Sendable, Hashable, Codable, CaseIterable {
        /// Its own chains and hooks (the default).
        case on
        /// Its chains without the hooks into the built-in chains.
        case nodivert
        /// No netfilter rules at all.
        case off
    }

    package static let section = "tailscale"

    /// The host the client runs on.
    package var host: String
    /// The control server URL (`--login-server`; Headscale's `server_url` as reachable from this host).
    package var loginServer: String?
    /// The node's name in the tailnet (`--hostname`); the machine's host name when `nil`.
    package var hostname: String?
    /// The auth key for the first login (`file:/path` keeps it out of argv); not used once logged in.
    package var authKey: String?
    /// The exit node to use: a Tailscale IP (or a peer name, which only resolves once peers are known).
    package var exitNode: String?
    /// Whether the LAN stays reachable while an exit node is used.
    package var exitNodeAllowLANAccess: Bool
    /// Whether to offer this node as an exit node (`0.0.0.0/0` and `::/0`).
    package var advertiseExitNode: Bool
    /// Subnet routes to offer (not the exit routes; use ``advertiseExitNode``).
    package var advertiseRoutes: [String]
    /// ACL tags to request (`tag:exit`).
    package var advertiseTags: [String]
    /// Whether to use subnet routes other nodes offer (`--accept-routes`).
    package var acceptRoutes: Bool
    /// Whether to use the tailnet's DNS settings (`--accept-dns`).
    package var acceptDNS: Bool
    /// Whether to block incoming connections (`--shields-up`).
    package var shieldsUp: Bool
    /// Whether to source-NAT traffic to advertised subnets (Linux, `--snat-subnet-routes`).
    package var snatSubnetRoutes: Bool
    /// How tailscaled manages netfilter (Linux, `--netfilter-mode`).
    package var netfilterMode: NetfilterMode
    /// Connected or not.
    package var state: State

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(
        host: String = "local",
        loginServer: String? = nil,
        hostname: String? = nil,
        authKey: String? = nil,
        exitNode: String? = nil,
        exitNodeAllowLANAccess: Bool = false,
        advertiseExitNode: Bool = false,
        advertiseRoutes: [String] = [],
        advertiseTags: [String] = [],
        acceptRoutes: Bool = false,
        acceptDNS: Bool = true,
        shieldsUp: Bool = false,
        snatSubnetRoutes: Bool = true,
        netfilterMode: NetfilterMode = .on,
        state: State = .up
    ) {
        self.host = host
        self.loginServer = loginServer
        self.hostname = hostname
        self.authKey = authKey
        self.exitNode = exitNode
        self.exitNodeAllowLANAccess = exitNodeAllowLANAccess
        self.advertiseExitNode = advertiseExitNode
        self.advertiseRoutes = advertiseRoutes
        self.advertiseTags = advertiseTags
        self.acceptRoutes = acceptRoutes
        self.acceptDNS = acceptDNS
        self.shieldsUp = shieldsUp
        self.snatSubnetRoutes = snatSubnetRoutes
        self.netfilterMode = netfilterMode
        self.state = state
    }

    package var hostNames: [String] { [host] }

    /// Depends on the VM named like the host, when there is one (the exit node runs inside `vms.oc-exit`).
    package func references() -> [SpecReference] {
        [SpecReference(Address("vms", host), at: "host", required: false)]
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, loginServer, hostname, authKey, exitNode, exitNodeAllowLANAccess, advertiseExitNode
        case advertiseRoutes, advertiseTags, acceptRoutes, acceptDNS, shieldsUp, snatSubnetRoutes, netfilterMode, state
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(.host, default: "local"),
            loginServer: try c.decodeIfPresent(String.self, forKey: .loginServer),
            hostname: try c.decodeIfPresent(String.self, forKey: .hostname),
            authKey: try c.decodeIfPresent(String.self, forKey: .authKey),
            exitNode: try c.decodeIfPresent(String.self, forKey: .exitNode),
            exitNodeAllowLANAccess: try c.decode(.exitNodeAllowLANAccess, default: false),
            advertiseExitNode: try c.decode(.advertiseExitNode, default: false),
            advertiseRoutes: try c.decode(.advertiseRoutes, default: []),
            advertiseTags: try c.decode(.advertiseTags, default: []),
            acceptRoutes: try c.decode(.acceptRoutes, default: false),
            acceptDNS: try c.decode(.acceptDNS, default: true),
            shieldsUp: try c.decode(.shieldsUp, default: false),
            snatSubnetRoutes: try c.decode(.snatSubnetRoutes, default: true),
            netfilterMode: try c.decode(.netfilterMode, default: .on),
            state: try c.decode(.state, default: .up)
        )
    }
}
