import OCCore

/// A container's attachment to one network, with its DNS aliases and static addresses.
///
/// `networks: [a, b]` and `networks: {a: {aliases: [x]}, b: {}}` both decode to a list of attachments in
/// the order written.
package struct NetworkAttachment: Sendable, Hashable {
    /// The network name: a `networks` resource, Podman's default `podman`, or an existing external network.
    package var name: String
    /// Extra DNS names of the container on this network.
    package var aliases: [String]
    /// A static IPv4 address inside the network's subnet.
    package var ipv4: String?
    /// A static IPv6 address inside the network's IPv6 subnet.
    package var ipv6: String?

    /// Creates an attachment.
    package init(name: String, aliases: [String] = [], ipv4: String? = nil, ipv6: String? = nil) {
        self.name = name
        self.aliases = aliases
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    /// Whether only the name is set (the short list form says everything).
    package var isPlain: Bool { aliases.isEmpty && ipv4 == nil && ipv6 == nil }

    /// The keys of the object form (the name is the mapping key, so it is not one of them).
    enum BodyKeys: String, CodingKey {
        case aliases, ipv4, ipv6
    }

    /// Decodes the object form's value for the network `name` (`nil` for `name:` with no value).
    init(name: String, body decoder: (any Decoder)?) throws {
        self.init(name: name)
        guard let decoder else { return }
        let c = try decoder.container(keyedBy: BodyKeys.self)
        aliases = try c.decode(.aliases, default: [])
        ipv4 = try c.decodeIfPresent(String.self, forKey: .ipv4)
        ipv6 = try c.decodeIfPresent(String.self, forKey: .ipv6)
    }

    /// Encodes the object form's value (without the name).
    func encodeBody(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: BodyKeys.self)
        if !aliases.isEmpty { try c.encode(aliases, forKey: .aliases) }
        try c.encodeIfPresent(ipv4, forKey: .ipv4)
        try c.encodeIfPresent(ipv6, forKey: .ipv6)
    }
}
