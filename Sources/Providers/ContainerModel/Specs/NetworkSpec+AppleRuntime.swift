import OCCore

extension NetworkSpec {
    /// An error for every field Apple's `container network create` has no option for, and for names and labels
    /// it would refuse.
    ///
    /// Apple's CLI takes `--internal` (0.9+, a host-only network), `--subnet` (0.6+), `--subnet-v6` (0.8+) and
    /// `--label`; networks are immutable.
    func appleRuntimeProblems(in context: ValidationContext) -> [Diagnostic] {
        var unsupported: [(field: String, what: String)] = []
        if driver != .bridge { unsupported.append(("driver", "network drivers other than its NAT network")) }
        if gateway != nil { unsupported.append(("gateway", "a custom gateway")) }
        if ipRange != nil { unsupported.append(("ipRange", "an allocation range")) }
        if ipv6 { unsupported.append(("ipv6", "an IPv6 switch (declare `ipv6Subnet` instead)")) }
        if !dns { unsupported.append(("dns", "disabling DNS")) }
        if !options.isEmpty { unsupported.append(("options", "Podman's driver options")) }
        var problems = unsupported.map {
            context.error(
                "\($0.field) is not supported by Apple's container runtime",
                detail: "Apple's `container network create` has no equivalent of \($0.what). Remove `\($0.field)` "
                    + "or use `runtime: podman`.",
                at: $0.field)
        }
        let name = context.address.name
        if !AppleRuntimeRules.isValidNetworkName(name) {
            problems.append(
                context.error(
                    "Network name '\(name)' is not valid for Apple's container runtime",
                    detail: "Apple's `container` accepts network names of 1 to 63 lower-case letters, digits, '.', "
                        + "'_' and '-' that start and end with a letter or digit. Rename the resource.",
                    at: ""))
        }
        problems += AppleRuntimeRules.labelProblems(labels, in: context)
        problems += AppleRuntimeRules.hostProblems(host, in: context)
        return problems
    }
}
