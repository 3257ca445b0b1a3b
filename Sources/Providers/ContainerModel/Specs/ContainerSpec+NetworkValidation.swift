import Foundation
import OCCore

extension ContainerSpec {
    /// Podman's default network, which exists everywhere and has DNS disabled.
    static let defaultNetwork = "podman"

    /// Network modes that replace the network list instead of naming a network.
    static let networkModes = ["host", "none", "private", "slirp4netns", "pasta", "bridge"]

    /// The names of the networks the container is on (Podman's default when none is listed).
    var effectiveNetworkNames: [String] { networks.isEmpty ? [Self.defaultNetwork] : networks.map(\.name) }

    /// The declared network named `name`, if the manifest has one.
    func declaredNetwork(_ name: String, in context: ValidationContext) -> NetworkSpec? {
        context.specs[Address("networks", name)] as? NetworkSpec
    }

    /// The did-you-mean for an undeclared network whose name is close to a declared one, or `nil`.
    ///
    /// A network a container joins that the manifest does not declare, with a name close to a declared network
    /// on the container's host (or Podman's default), is almost surely a typo, which the plan would refuse (the
    /// network exists nowhere). The same suggestion the plan makes
    /// (``NearMiss/hint(for:among:)`` over the declared names and `podman`); `nil` for a declared network, a
    /// network mode, or a name close to none (it may exist on the host: only the plan can tell).
    static func undeclaredNetworkHint(
        _ name: String, declared: Bool, runtime: ContainerRuntime, host: String, in context: ValidationContext
    ) -> String? {
        guard !declared, runtime == .podman, name != defaultNetwork, !networkModes.contains(name), !name.contains(":")
        else { return nil }
        let names = context.others(NetworkSpec.self, on: host).filter { $0.spec.runtime == runtime }.map(\.address.name)
        let hint = NearMiss.hint(for: name, among: names + [defaultNetwork])
        return hint.isEmpty ? nil : hint
    }

    // MARK: - Networks

    /// Checks network modes, declared networks' host and runtime, aliases and static addresses.
    func networkProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let names = networks.map(\.name)
        for name in Set(names).sorted() where names.filter({ $0 == name }).count > 1 {
            diagnostics.append(
                context.error(
                    "Network listed twice", detail: "`\(name)` appears more than once. List each network once.",
                    at: "networks"))
        }
        if let mode = names.first(where: { Self.networkModes.contains($0) || $0.contains(":") }), names.count > 1 {
            diagnostics.append(
                context.error(
                    "Network mode \(mode) cannot be combined with other networks",
                    detail: "`\(mode)` replaces the container's network namespace, so no other network can be joined. "
                        + "Use it alone or list only named networks.",
                    at: "networks"))
        }
        for attachment in networks {
            diagnostics += attachmentProblems(attachment, in: context)
        }
        return diagnostics
    }

    private func attachmentProblems(_ attachment: NetworkAttachment, in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let name = attachment.name
        let network = declaredNetwork(name, in: context)
        if let hint = Self.undeclaredNetworkHint(
            name, declared: network != nil, runtime: runtime, host: host, in: context)
        {
            diagnostics.append(
                context.error(
                    "\(context.address) joins network '\(name)', which is not declared\(hint)",
                    detail: "No network of that name is declared under networks:, and the name is close to one that "
                        + "is. Fix the name, or declare the network.",
                    at: networks.firstIndex(of: attachment).map { "networks[\($0)]" } ?? "networks"))
        }
        if let network, network.host != host || network.runtime != runtime {
            diagnostics.append(
                context.error(
                    "Network belongs to another host or runtime",
                    detail: "networks.\(name) is a \(network.runtime.rawValue) network on host \(network.host), but "
                        + "this container runs with \(runtime.rawValue) on \(host). Declare the network where the "
                        + "container runs.",
                    at: "networks"))
        }
        if !attachment.aliases.isEmpty {
            if network.map({ !$0.dns }) ?? (name == Self.defaultNetwork) {
                diagnostics.append(
                    context.warning(
                        "Aliases on a network without DNS have no effect",
                        detail: "`\(name)` has DNS disabled (Podman's default `podman` network always does), so no "
                            + "container can resolve these aliases. Attach the containers to a declared network with "
                            + "`dns: true`.",
                        at: "networks.\(name).aliases"))
            }
        }
        for (field, text) in [("ipv4", attachment.ipv4), ("ipv6", attachment.ipv6)] {
            guard let text else { continue }
            diagnostics += staticAddressProblems(
                text, family: field, network: network, name: name, in: context)
        }
        return diagnostics
    }

    private func staticAddressProblems(
        _ text: String, family: String, network: NetworkSpec?, name: String, in context: ValidationContext
    ) -> [Diagnostic] {
        let keyPath = "networks.\(name).\(family)"
        let wantsIPv4 = family == "ipv4"
        guard let address = Formats.IPAddress(text), address.isIPv4 == wantsIPv4 else {
            return [
                context.error(
                    "Static \(family) address is not an \(wantsIPv4 ? "IPv4" : "IPv6") address",
                    detail: "`\(text)` cannot be used as the \(family) address. Write an address such as "
                        + (wantsIPv4 ? "10.89.10.5." : "fd00:10:89::5."),
                    at: keyPath)
            ]
        }
        var diagnostics: [Diagnostic] = []
        if let network {
            let subnetText = wantsIPv4 ? network.subnet : network.ipv6Subnet
            if let block = subnetText.flatMap(Formats.CIDRBlock.init) {
                let gateway = wantsIPv4 ? network.gateway.flatMap(Formats.IPAddress.init) : nil
                if !block.contains(address) || address == block.network || address == gateway {
                    diagnostics.append(
                        context.error(
                            "Static address outside the network's subnet",
                            detail: "\(text) is not a free host address of \(block), the subnet of networks.\(name) "
                                + "(the network and gateway addresses are taken). Pick another address inside it.",
                            at: keyPath))
                }
            } else {
                diagnostics.append(
                    context.warning(
                        "Static address on a network without a declared subnet",
                        detail: "The runtime picks networks.\(name)'s subnet when it creates it, so \(text) may fall "
                            + "outside it. Declare `\(wantsIPv4 ? "subnet" : "ipv6Subnet")` on networks.\(name).",
                        at: keyPath))
            }
        }
        for sibling in siblings(in: context) {
            let clash = sibling.spec.networks.contains {
                $0.name == name && (wantsIPv4 ? $0.ipv4 : $0.ipv6).flatMap(Formats.IPAddress.init) == address
            }
            guard clash else { continue }
            diagnostics.append(
                context.error(
                    "Static address already used",
                    detail: "\(sibling.address) also uses \(text) on network \(name). Give each container its own "
                        + "address.",
                    at: keyPath))
        }
        return diagnostics
    }

    // MARK: - Ports

    /// Checks port numbers, ranges, protocols, host addresses, clashes and internal-only networks.
    func portProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (index, port) in ports.enumerated() {
            diagnostics += singlePortProblems(port, keyPath: "ports[\(index)]", in: context)
            for earlier in ports[..<index] where Self.clash(port, earlier) {
                diagnostics.append(
                    context.error(
                        "Host port published twice",
                        detail: "`\(port)` and `\(earlier)` bind the same host port. Publish each host port once.",
                        at: "ports[\(index)]"))
            }
            for sibling in siblings(in: context) {
                guard let other = sibling.spec.ports.first(where: { Self.clash(port, $0) }) else { continue }
                diagnostics.append(
                    context.error(
                        "Host port already published by another container",
                        detail: "\(sibling.address) publishes `\(other)` on the same host port as `\(port)`. "
                            + "Use another host port or bind another host address.",
                        at: "ports[\(index)]"))
            }
        }
        let internalOnly = networks.map { declaredNetwork($0.name, in: context)?.isInternal ?? false }
        if !ports.isEmpty, !internalOnly.isEmpty, !internalOnly.contains(false) {
            let names = networks.map(\.name).joined(separator: ", ")
            diagnostics.append(
                context.warning(
                    "Ports are not published for a container on internal networks only",
                    detail: "Every network of this container (\(names)) is internal, and Podman's netavark creates no "
                        + "port forwarding for such a container: the mapping is accepted and listed by `podman port`, "
                        + "but nothing answers on the host (containers/podman#10729). The container is isolated on "
                        + "purpose, so keep it off routed networks: remove `ports` here and publish the service "
                        + "through a dual-homed container instead, one on \(networks.first?.name ?? "this network") "
                        + "and a routed network (the egress proxy, or a small reverse proxy) that publishes the host "
                        + "port and forwards to this container by name.",
                    at: "ports"))
        }
        return diagnostics
    }

    private func singlePortProblems(_ port: PortMapping, keyPath: String, in context: ValidationContext) -> [Diagnostic]
    {
        var diagnostics: [Diagnostic] = []
        for (role, range) in [("container", Optional(port.containerPort)), ("host", port.hostPort)] {
            guard let range, !range.isValid else { continue }
            diagnostics.append(
                context.error(
                    "Invalid \(role) port",
                    detail: "`\(range)` in `\(port)` is not a port from 1 to 65535 (or an ordered range of them). "
                        + "Use ports between 1 and 65535.",
                    at: keyPath))
        }
        if let host = port.hostPort, host.isValid, port.containerPort.isValid, host.count != port.containerPort.count {
            diagnostics.append(
                context.error(
                    "Port range lengths differ",
                    detail:
                        "`\(port)` maps \(host.count) host port(s) to \(port.containerPort.count) container port(s). "
                        + "Give ranges of the same length.",
                    at: keyPath))
        }
        if !["tcp", "udp", "sctp"].contains(port.proto) {
            let hint = NearMiss.detailHint(for: port.proto, among: ["tcp", "udp", "sctp"])
            diagnostics.append(
                context.error(
                    "Unknown port protocol",
                    detail: "`\(port.proto)` is not a protocol.\(hint) Use tcp, udp or sctp.", at: keyPath))
        }
        if let hostIP = port.hostIP, Formats.IPAddress(hostIP) == nil {
            diagnostics.append(
                context.error(
                    "Invalid host address",
                    detail: "`\(hostIP)` is not an IP address. Write e.g. 127.0.0.1 or [::1].", at: keyPath))
        }
        if port.hostPort == nil {
            diagnostics.append(
                context.warning(
                    "No host port: a random port is published",
                    detail: "Without a host port the runtime picks a free port each time the container is created, "
                        + "so the published port changes with every replace. Give one, e.g. "
                        + "`127.0.0.1:\(port.containerPort):\(port.containerPort)`.",
                    at: keyPath))
        }
        return diagnostics
    }

    /// Whether two mappings bind a common host address, port and protocol.
    static func clash(_ a: PortMapping, _ b: PortMapping) -> Bool {
        guard a.proto == b.proto, let hostA = a.hostPort, let hostB = b.hostPort, hostA.overlaps(hostB) else {
            return false
        }
        let addressA = a.hostIP.flatMap(Formats.IPAddress.init)
        let addressB = b.hostIP.flatMap(Formats.IPAddress.init)
        func isWildcard(_ address: Formats.IPAddress?) -> Bool { address?.isUnspecified ?? true }
        if isWildcard(addressA) || isWildcard(addressB) { return true }
        return addressA == addressB
    }

    // MARK: - Proxies

    /// Warns when a proxy variable names a container this one cannot resolve.
    func proxyProblems(in context: ValidationContext) -> [Diagnostic] {
        let keys = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"]
        var warned: Set<String> = []
        var diagnostics: [Diagnostic] = []
        for key in keys {
            guard let value = env[key], let target = Self.urlHost(value), !warned.contains(target),
                let proxy = context.specs[Address("containers", target)] as? ContainerSpec, proxy.host == host
            else { continue }
            warned.insert(target)
            let shared = Set(effectiveNetworkNames).intersection(proxy.effectiveNetworkNames)
            let resolving = shared.filter { name in
                declaredNetwork(name, in: context)?.dns ?? (name != Self.defaultNetwork)
            }
            guard resolving.isEmpty else { continue }
            let reason =
                shared.isEmpty
                ? "containers.\(target) is on \(proxy.effectiveNetworkNames.joined(separator: ", ")) and this "
                    + "container on \(effectiveNetworkNames.joined(separator: ", ")), so they share no network"
                : "they share only \(shared.sorted().joined(separator: ", ")), where DNS is disabled"
            diagnostics.append(
                context.warning(
                    "Proxy container name does not resolve from this container",
                    detail: "\(key) points at `\(target)`, but \(reason). Attach both containers to a common network "
                        + "with DNS, e.g. an internal network both join.",
                    at: "env.\(key)"))
        }
        return diagnostics
    }

    /// The host part of a URL such as `http://user@egress-proxy:3128/`.
    static func urlHost(_ url: String) -> String? {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        rest = rest.prefix { $0 != "/" }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.first == "[" { return nil }
        let host = rest.prefix { $0 != ":" }
        return host.isEmpty ? nil : String(host)
    }
}
