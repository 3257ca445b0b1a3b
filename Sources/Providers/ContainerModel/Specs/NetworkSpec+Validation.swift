import OCCore

extension NetworkSpec {
    /// The bridge subnet macOS's vmnet uses for Multipass VMs and Apple's default `container` network.
    static let vmnetSubnet = "192.168.64.0/24"

    /// Checks addresses, reserved names, overlaps with other networks and Apple runtime support.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics = addressProblems(in: context)
        diagnostics += LabelRules.reservedLabelProblems(labels, in: context)
        let name = context.address.name
        let reserved = runtime == .podman ? "podman" : "default"
        if name == reserved {
            diagnostics.append(
                context.error(
                    "Network name \(reserved) is the runtime's default network",
                    detail: "`\(reserved)` always exists and is not owned by the stack. Attach containers to it "
                        + "without declaring it, or give this network another name.",
                    at: ""))
        }
        diagnostics += overlapProblems(in: context)
        if runtime == .apple { diagnostics += appleRuntimeProblems(in: context) }
        return diagnostics
    }

    /// Whether `ipRange` is an IPv4 network block inside `block`.
    static func range(_ ipRange: String, fits block: Formats.CIDRBlock?) -> Bool {
        guard let range = Formats.CIDRBlock(ipRange), range.isIPv4, range.isCanonical, let block else { return false }
        return block.contains(range.network) && range.prefixLength >= block.prefixLength
    }

    private func addressProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var block: Formats.CIDRBlock?
        if let subnet {
            if let parsed = Formats.CIDRBlock(subnet), parsed.isIPv4 {
                block = parsed
                if !parsed.isCanonical {
                    diagnostics.append(
                        context.error(
                            "Subnet has host bits set",
                            detail: "`\(subnet)` is not a network address. Write `\(parsed)`.", at: "subnet"))
                }
            } else {
                diagnostics.append(
                    context.error(
                        "Subnet is not an IPv4 CIDR block",
                        detail: "`\(subnet)` must be an IPv4 block such as 10.89.10.0/24; put an IPv6 block in "
                            + "`ipv6Subnet`.",
                        at: "subnet"))
            }
        }
        if let ipRange, !Self.range(ipRange, fits: block) {
            if subnet == nil {
                diagnostics.append(
                    context.error(
                        "ipRange needs a subnet",
                        detail: "Podman only accepts --ip-range together with --subnet. Declare `subnet` too.",
                        at: "ipRange"))
            } else if block != nil {
                diagnostics.append(
                    context.error(
                        "ipRange is not an IPv4 block inside the subnet",
                        detail: "`\(ipRange)` must be an IPv4 network address block inside `\(subnet ?? "")`, "
                            + "such as its upper half.",
                        at: "ipRange"))
            }
        }
        if let gateway {
            if let address = Formats.IPAddress(gateway), address.isIPv4 {
                if let block, !block.contains(address) || address == block.network {
                    diagnostics.append(
                        context.error(
                            "Gateway is outside the subnet",
                            detail: "\(gateway) is not a host address of \(block). Pick an address inside the subnet, "
                                + "usually its first one.",
                            at: "gateway"))
                }
                if subnet == nil {
                    diagnostics.append(
                        context.error(
                            "Gateway needs a subnet",
                            detail: "Podman only accepts --gateway together with --subnet. Declare `subnet` too.",
                            at: "gateway"))
                }
            } else {
                diagnostics.append(
                    context.error(
                        "Gateway is not an IPv4 address", detail: "`\(gateway)` must be an IPv4 address.",
                        at: "gateway"))
            }
        }
        if let ipv6Subnet {
            if let parsed = Formats.CIDRBlock(ipv6Subnet), !parsed.isIPv4 {
                if !parsed.isCanonical {
                    diagnostics.append(
                        context.error(
                            "Subnet has host bits set",
                            detail: "`\(ipv6Subnet)` is not a network address. Write `\(parsed)`.", at: "ipv6Subnet"))
                }
            } else {
                diagnostics.append(
                    context.error(
                        "ipv6Subnet is not an IPv6 CIDR block",
                        detail: "`\(ipv6Subnet)` must be an IPv6 block such as fd00:10:89::/64.", at: "ipv6Subnet"))
            }
            if !ipv6 && runtime == .podman {
                diagnostics.append(
                    context.error(
                        "ipv6Subnet is set but ipv6 is false",
                        detail: "The IPv6 subnet is only used on an IPv6 network. Set `ipv6: true`.",
                        at: "ipv6Subnet"))
            }
        }
        return diagnostics
    }

    private func overlapProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let mine = [subnet, ipv6Subnet].compactMap { $0.flatMap(Formats.CIDRBlock.init) }
        for (address, other) in context.others(NetworkSpec.self, on: host) {
            let theirs = [other.subnet, other.ipv6Subnet].compactMap { $0.flatMap(Formats.CIDRBlock.init) }
            for block in mine {
                guard let clash = theirs.first(where: block.overlaps) else { continue }
                diagnostics.append(
                    context.error(
                        "Subnet overlaps another network",
                        detail: "\(block) overlaps \(clash), the subnet of \(address) on the same host, so routes "
                            + "between them are ambiguous. Give each network its own subnet.",
                        at: block.isIPv4 ? "subnet" : "ipv6Subnet"))
            }
        }
        let onMac = runtime == .apple || context.hosts[host]?.os == .macos
        if onMac, let block = subnet.flatMap(Formats.CIDRBlock.init), let vmnet = Formats.CIDRBlock(Self.vmnetSubnet),
            block.overlaps(vmnet)
        {
            diagnostics.append(
                context.warning(
                    "Subnet overlaps macOS's vmnet bridge",
                    detail: "\(block) overlaps \(Self.vmnetSubnet), which vmnet gives Multipass VMs and Apple's "
                        + "default container network on macOS. Pick another range, e.g. 10.89.10.0/24.",
                    at: "subnet"))
        }
        return diagnostics
    }
}
