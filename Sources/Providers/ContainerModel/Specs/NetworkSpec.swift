import OCCore

/// A container network: one entry of the `networks` section.
///
/// Podman networks are immutable (`podman network update` only edits DNS servers, from 4.4 on), so every
/// change replaces the network, which first disconnects or recreates the containers on it.
package struct NetworkSpec: ResourceSpec, Equatable, Codable {
    /// The network drivers Podman ships.
    package enum Driver: String, Sendable, Hashable, Codable, CaseIterable {
        /// A Linux bridge with NAT (the default).
        case bridge
        /// A macvlan interface on a parent device (`options.parent`).
        case macvlan
        /// An ipvlan interface on a parent device.
        case ipvlan
    }

    package static let section = "networks"

    /// The host whose runtime owns the network.
    package var host: String
    /// Podman or Apple's `container`.
    package var runtime: ContainerRuntime
    /// The driver.
    package var driver: Driver
    /// Whether the network has no route out (containers on it reach only each other).
    package var isInternal: Bool
    /// The IPv4 subnet (`10.89.10.0/24`); the runtime picks one when `nil`.
    package var subnet: String?
    /// The IPv4 gateway; the subnet's first address when `nil`.
    package var gateway: String?
    /// The IPv4 block inside `subnet` that containers' addresses are allocated from (`10.89.10.128/25`).
    package var ipRange: String?
    /// Whether the network also has IPv6.
    package var ipv6: Bool
    /// The IPv6 subnet; the runtime picks one when `nil`.
    package var ipv6Subnet: String?
    /// Whether containers on it resolve each other's names (aardvark-dns).
    package var dns: Bool
    /// Labels (ocplan adds its own `io.ocplan.*` ownership labels).
    package var labels: [String: String]
    /// Driver options (`-o parent=en0` for macvlan, `mtu=1400`).
    package var options: [String: String]

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(
        host: String = "local",
        runtime: ContainerRuntime = .podman,
        driver: Driver = .bridge,
        isInternal: Bool = false,
        subnet: String? = nil,
        gateway: String? = nil,
        ipv6: Bool = false,
        ipv6Subnet: String? = nil,
        dns: Bool = true,
        labels: [String: String] = [:],
        options: [String: String] = [:],
        ipRange: String? = nil
    ) {
        self.host = host
        self.runtime = runtime
        self.driver = driver
        self.isInternal = isInternal
        self.subnet = subnet
        self.gateway = gateway
        self.ipv6 = ipv6
        self.ipv6Subnet = ipv6Subnet
        self.dns = dns
        self.labels = labels
        self.options = options
        self.ipRange = ipRange
    }

    package var hostNames: [String] { [host] }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, runtime, driver, subnet, gateway, ipv6, ipv6Subnet, dns, labels, options, ipRange
        case isInternal = "internal"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(.host, default: "local"),
            runtime: try c.decode(.runtime, default: .podman),
            driver: try c.decode(.driver, default: .bridge),
            isInternal: try c.decode(.isInternal, default: false),
            subnet: try c.decodeIfPresent(String.self, forKey: .subnet),
            gateway: try c.decodeIfPresent(String.self, forKey: .gateway),
            ipv6: try c.decode(.ipv6, default: false),
            ipv6Subnet: try c.decodeIfPresent(String.self, forKey: .ipv6Subnet),
            dns: try c.decode(.dns, default: true),
            labels: try c.decode(.labels, default: [:]),
            options: try c.decode(.options, default: [:]),
            ipRange: try c.decodeIfPresent(String.self, forKey: .ipRange)
        )
    }

    // MARK: - Schema

    /// The keys of a `networks` entry.
    package static let schema = ObjectSchema(
        "A Podman (or Apple `container`) network.",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The host whose container runtime owns the network.",
                default: "local", update: .replace),
            FieldSchema(
                "runtime", .enumeration(ContainerRuntime.allCases.map(\.rawValue)),
                doc: "The container engine: Podman, or Apple's `container` CLI on macOS 26.", default: "podman",
                update: .replace),
            FieldSchema(
                "driver", .enumeration(Driver.allCases.map(\.rawValue)), doc: "The network driver.",
                default: "bridge", update: .replace),
            FieldSchema(
                "internal", .boolean,
                doc: "Whether the network has no route out. Ports of a container attached only to internal "
                    + "networks are not published.",
                default: "false", update: .replace),
            FieldSchema(
                "subnet", .string(.cidr), doc: "The IPv4 subnet (`10.89.10.0/24`).",
                default: "a free subnet chosen by the runtime", update: .replace),
            FieldSchema(
                "gateway", .string(.ipAddress), doc: "The IPv4 gateway inside `subnet`.",
                default: "the subnet's first address", update: .replace),
            FieldSchema(
                "ipv6", .boolean, doc: "Whether the network also has IPv6.", default: "false", update: .replace),
            FieldSchema(
                "ipRange", .string(.cidr),
                doc: "The IPv4 block inside `subnet` that containers' addresses are allocated from "
                    + "(`10.89.10.128/25`); static addresses may lie outside it.",
                default: "the whole subnet", update: .replace),
            FieldSchema(
                "ipv6Subnet", .string(.cidr), doc: "The IPv6 subnet (needs `ipv6: true`).",
                default: "a free subnet chosen by the runtime", update: .replace),
            FieldSchema(
                "dns", .boolean, doc: "Whether containers on the network resolve each other's names and aliases.",
                default: "true", update: .replace),
            FieldSchema(
                "labels", .stringMap,
                doc: "Labels; keys starting with `io.ocplan.` are reserved for ocplan's own marks.",
                default: "{}", update: .replace),
            FieldSchema(
                "options", .stringMap, doc: "Driver options (`parent: en0` for macvlan, `mtu: \"1400\"`).",
                default: "{}", update: .replace),
        ]
    )
}
