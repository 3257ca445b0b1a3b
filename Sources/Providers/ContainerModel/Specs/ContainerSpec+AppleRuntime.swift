import OCCore

extension ContainerSpec {
    /// An error for every field Apple's `container` CLI has no option for, and for values it would refuse.
    ///
    /// Apple's CLI (0.5 – 1.2, reference §3) takes a name, labels, networks without aliases or static addresses,
    /// `-p [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|udp]`, `-v SOURCE:TARGET[:ro]`, `-e`/`--env-file`, `-c` (whole
    /// CPUs), `-m` (whole MiB), `--read-only`, `--tmpfs PATH`, `--entrypoint PROGRAM` (one word), `-u`, `-w`,
    /// `--dns` and (1.0+) capabilities. It has no restart policy, health check, extra hosts, security options,
    /// ulimits, network modes, privileged mode, host name, stop signal or timeout, tty, shm size, pids limit, extra
    /// groups or sysctls, and it runs only on macOS.
    func appleRuntimeProblems(in context: ValidationContext) -> [Diagnostic] {
        var unsupported: [(field: String, what: String)] = []
        if restart.kind != .no {
            unsupported.append(("restart", "a restart policy (supervise it with a `services` entry instead)"))
        }
        if healthcheck != nil { unsupported.append(("healthcheck", "health checks")) }
        if !addHosts.isEmpty { unsupported.append(("addHosts", "--add-host")) }
        if !securityOpt.isEmpty { unsupported.append(("securityOpt", "--security-opt")) }
        if !ulimits.isEmpty { unsupported.append(("ulimits", "--ulimit")) }
        if privileged { unsupported.append(("privileged", "--privileged")) }
        if hostname != nil { unsupported.append(("hostname", "--hostname")) }
        if stopSignal != nil { unsupported.append(("stopSignal", "--stop-signal")) }
        if stopTimeout != nil { unsupported.append(("stopTimeout", "--stop-timeout")) }
        if tty { unsupported.append(("tty", "a pseudo-terminal for a detached container")) }
        if shmSize != nil { unsupported.append(("shmSize", "--shm-size")) }
        if pidsLimit != nil { unsupported.append(("pidsLimit", "--pids-limit")) }
        if !groupAdd.isEmpty { unsupported.append(("groupAdd", "--group-add")) }
        if !sysctls.isEmpty { unsupported.append(("sysctls", "--sysctl")) }
        if context.specs[Address(ImageSpec.section, image)] is ImageSpec {
            unsupported.append(
                (
                    "image",
                    "an `images` resource (those are pulled or built into Podman's store; `container run` "
                        + "pulls the image itself, so write its reference)"
                ))
        }
        if let entrypoint, entrypoint.count > 1 {
            unsupported.append(
                (
                    "entrypoint",
                    "an entrypoint with arguments (`--entrypoint` takes one program; put its arguments "
                        + "first in `command`)"
                ))
        }
        if let mode = networks.map(\.name).first(where: { Self.networkModes.contains($0) || $0.contains(":") }) {
            unsupported.append(("networks", "the network mode `\(mode)` (it attaches to named networks only)"))
        }
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
        if let bytes = memoryBytes, bytes % (1_024 * 1_024) != 0 {
            unsupported.append(("memory", "memory sizes that are not whole MiB (`-m` has 1 MiB granularity)"))
        }
        for (index, port) in ports.enumerated() {
            if port.proto == "sctp" { unsupported.append(("ports[\(index)]", "SCTP ports")) }
            if port.hostPort == nil {
                unsupported.append(("ports[\(index)]", "a random host port (`-p` needs HOST_PORT:CONTAINER_PORT)"))
            }
        }
        for (index, mount) in volumes.enumerated() {
            if !mount.options.isEmpty { unsupported.append(("volumes[\(index)]", "mount options other than ro")) }
            if mount.kind == .anonymous {
                unsupported.append(("volumes[\(index)]", "anonymous volumes (`-v` needs SOURCE:TARGET)"))
            }
        }
        for (index, entry) in tmpfs.enumerated() where entry.contains(":") {
            unsupported.append(("tmpfs[\(index)]", "tmpfs options (`--tmpfs` takes a path only)"))
        }
        var problems = unsupported.map {
            context.error(
                "\($0.field) is not supported by Apple's container runtime",
                detail: "Apple's `container` CLI has no equivalent of \($0.what). Remove `\($0.field)` or use "
                    + "`runtime: podman`.",
                at: $0.field)
        }
        let name = context.address.name
        if !AppleRuntimeRules.isValidContainerName(name) {
            problems.append(
                context.error(
                    "Container name '\(name)' is not valid for Apple's container runtime",
                    detail: "Apple's `container` uses the name as the container ID, which must be at least two "
                        + "characters of letters, digits, '_', '.' and '-', starting with a letter or digit. Rename "
                        + "the resource.",
                    at: ""))
        }
        problems += AppleRuntimeRules.labelProblems(labels, in: context)
        problems += AppleRuntimeRules.hostProblems(host, in: context)
        return problems
    }
}

/// The rules Apple's `container` CLI applies to names, labels and hosts, shared by networks and containers.
enum AppleRuntimeRules {
    /// Whether `name` is a valid container ID (`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`).
    static func isValidContainerName(_ name: String) -> Bool {
        guard name.count >= 2, let first = name.first, first.isASCII, first.isLetter || first.isNumber else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// Whether `name` is a valid network ID (`^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$`).
    static func isValidNetworkName(_ name: String) -> Bool {
        func isLowerAlphanumeric(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
        guard (1...63).contains(name.count), let first = name.first, let last = name.last,
            isLowerAlphanumeric(first), isLowerAlphanumeric(last)
        else { return false }
        return name.allSatisfy { isLowerAlphanumeric($0) || "._-".contains($0) }
    }

    /// Whether `key` is a label key the CLI accepts: lower-case DNS-like components separated by `.`, optionally
    /// followed by `/`-separated components of the same form.
    static func isValidLabelKey(_ key: String) -> Bool {
        guard !key.isEmpty, key.count <= 128 else { return false }
        for path in key.split(separator: "/", omittingEmptySubsequences: false) {
            for component in path.split(separator: ".", omittingEmptySubsequences: false) {
                guard let first = component.first, let last = component.last, first != "-", last != "-",
                    component.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
                else { return false }
            }
        }
        return true
    }

    /// Errors for label keys the CLI would refuse (keys in ocplan's own `io.ocplan.` namespace are reported by
    /// the rule every runtime shares).
    static func labelProblems(_ labels: [String: String], in context: ValidationContext) -> [Diagnostic] {
        labels.keys.sorted().compactMap { key in
            guard !key.hasPrefix(TextRules.reservedLabelPrefix), !isValidLabelKey(key) else { return nil }
            return context.error(
                "Label key '\(key)' is not valid for Apple's container runtime",
                detail: "Apple's `container` accepts label keys made of lower-case letters, digits and '-', in "
                    + "components separated by '.' (or '/'), at most 128 characters, such as `com.example.role`. "
                    + "Rename it.",
                at: "labels.\(key)")
        }
    }

    /// An error when `host` cannot run Apple's `container`: a VM, a container, a namespace, or a non-macOS host
    /// reached over ssh.
    static func hostProblems(_ host: String, in context: ValidationContext) -> [Diagnostic] {
        guard let resolved = context.hosts[host], resolved.transport != .local else { return [] }
        guard resolved.transport != .ssh || resolved.os != .macos else { return [] }
        return [
            context.error(
                "Apple's container runtime needs a macOS host",
                detail: "Host '\(host)' is reached through \(resolved.transport.rawValue) and runs "
                    + "\(resolved.os.rawValue); Apple's `container` runs only on macOS 26. Use `runtime: podman`, "
                    + "or point `host` at the Mac (an ssh host declared with `os: macos`).",
                at: "runtime")
        ]
    }
}
