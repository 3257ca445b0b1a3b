import OCCore

extension ContainerSpec {
    /// An error for every field Apple's `container` CLI has no option for.
    ///
    /// Apple's CLI (0.5 – 1.2) takes names, labels, networks without aliases or static addresses, `-p`, `-v`,
    /// `-e`/`--env-file`, `-c` (whole CPUs), `-m`, `--read-only`, `--tmpfs`, `--entrypoint`, `-u`, `-w`, `--dns`
    /// and (1.0+) capabilities; it has no restart policy, health check, extra hosts, security options or ulimits.
    func appleRuntimeProblems(in context: ValidationContext) -> [Diagnostic] {
        var unsupported: [(field: String, what: String)] = []
        if restart.kind != .no {
            unsupported.append(("restart", "a restart policy (supervise it with a `services` entry instead)"))
        }
        if healthcheck != nil { unsupported.append(("healthcheck", "health checks")) }
        if !addHosts.isEmpty { unsupported.append(("addHosts", "--add-host")) }
        if !securityOpt.isEmpty { unsupported.append(("securityOpt", "--security-opt")) }
        if !ulimits.isEmpty { unsupported.append(("ulimits", "--ulimit")) }
        for attachment in networks {
            if !attachment.aliases.isEmpty {
                unsupported.append(("networks.\(attachment.name).aliases", "network aliases"))
            }
            if attachment.ipv4 != nil { unsupported.append(("networks.\(attachment.name).ipv4", "static addresses")) }
            if attachment.ipv6 != nil { unsupported.append(("networks.\(attachment.name).ipv6", "static addresses")) }
        }
        if let cpus, cpus != cpus.rounded() {
            unsupported.append(("cpus", "fractional CPUs (`-c` takes a whole number)"))
        }
        for (index, port) in ports.enumerated() where port.proto == "sctp" {
            unsupported.append(("ports[\(index)]", "SCTP ports"))
        }
        for (index, mount) in volumes.enumerated() where !mount.options.isEmpty {
            unsupported.append(("volumes[\(index)]", "mount options other than ro"))
        }
        return unsupported.map {
            context.error(
                "\($0.field) is not supported by Apple's container runtime",
                detail: "Apple's `container` CLI has no equivalent of \($0.what). Remove `\($0.field)` or use "
                    + "`runtime: podman`.",
                at: $0.field)
        }
    }
}
