/// An extra `/etc/hosts` entry: `NAME:IP` or `NAME:host-gateway` (Podman's `--add-host`).
package struct HostEntry: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The special address that Podman replaces with the host's address as seen from the container.
    package static let hostGateway = "host-gateway"

    /// The host name.
    package var hostname: String
    /// An IP address or `host-gateway`.
    package var address: String

    /// Creates an entry.
    package init(hostname: String, address: String) {
        self.hostname = hostname
        self.address = address
    }

    /// Parses `NAME:ADDRESS`, splitting at the first colon so IPv6 addresses stay whole (never fails;
    /// text without a colon gives an empty address, which validation reports).
    package init(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        hostname = String(parts[0])
        address = parts.count == 2 ? String(parts[1]) : ""
    }

    /// Whether the address is `host-gateway`.
    package var isHostGateway: Bool { address == Self.hostGateway }

    /// Podman's `--add-host` value.
    package var description: String { "\(hostname):\(address)" }

    package init(from decoder: any Decoder) throws {
        self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
