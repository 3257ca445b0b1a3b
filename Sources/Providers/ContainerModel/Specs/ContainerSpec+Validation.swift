import OCCore

extension ContainerSpec {
    /// Checks the forms the schema cannot (ports, capabilities, restart, sizes, mounts) and cross-resource
    /// traps (ports on internal-only networks, static addresses, proxies across networks, Apple runtime support).
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics = imageProblems(in: context)
        diagnostics += environmentProblems(in: context)
        diagnostics += networkProblems(in: context)
        diagnostics += portProblems(in: context)
        diagnostics += addHostProblems(in: context)
        diagnostics += capabilityProblems(in: context)
        diagnostics += processProblems(in: context)
        diagnostics += mountProblems(in: context)
        diagnostics += restartProblems(in: context)
        diagnostics += limitProblems(in: context)
        diagnostics += optionProblems(in: context)
        diagnostics += proxyProblems(in: context)
        if runtime == .apple { diagnostics += appleRuntimeProblems(in: context) }
        return diagnostics
    }

    /// The other containers of the manifest on this container's host, by address.
    func siblings(in context: ValidationContext) -> [(address: Address, spec: ContainerSpec)] {
        context.others(ContainerSpec.self, on: host)
    }

    private func imageProblems(in context: ValidationContext) -> [Diagnostic] {
        if let declared = context.specs[Address("images", image)] as? ImageSpec {
            guard declared.host != host else { return [] }
            return [
                context.error(
                    "Image resource is on another host",
                    detail: "images.\(image) is kept on host \(declared.host), but this container runs on \(host). "
                        + "Declare the image on \(host) too.",
                    at: "image")
            ]
        }
        guard let problem = ImageReferenceText.problem(image) else { return [] }
        return [
            context.error(
                "Invalid image reference",
                detail: "`\(image)` \(problem). Write a reference such as docker.io/ubuntu/squid:6.6, or the name of "
                    + "an `images` resource.",
                at: "image")
        ]
    }

    private func environmentProblems(in context: ValidationContext) -> [Diagnostic] {
        let files = envFiles.enumerated().compactMap { index, file -> Diagnostic? in
            guard let problem = context.localFileProblem(file, at: "envFiles[\(index)]") else { return nil }
            return context.error(
                "Env file not found",
                detail: "\(problem). Env files are read on this machine, relative to the manifest file; fix the path "
                    + "or add the file.", at: "envFiles[\(index)]")
        }
        return files
            + env.keys.sorted().compactMap { key in
                TextRules.environmentKeyProblem(key).map {
                    context.error(
                        "Invalid environment variable name",
                        detail:
                            "The name `\(key)` \($0). Rename it: names cannot be empty or contain '=' or white space.",
                        at: "env.\(key)")
                }
            }
    }

    private func addHostProblems(in context: ValidationContext) -> [Diagnostic] {
        addHosts.enumerated().compactMap { index, entry in
            let nameIsValid = !entry.hostname.isEmpty && !entry.hostname.contains(where: \.isWhitespace)
            let addressIsValid = entry.isHostGateway || Formats.IPAddress(entry.address) != nil
            if nameIsValid && addressIsValid { return nil }
            return context.error(
                "Invalid addHosts entry",
                detail: "`\(entry)` is not `NAME:IP` or `NAME:host-gateway`. Write e.g. "
                    + "`host.containers.internal:host-gateway` or `db.internal:10.89.10.5`.",
                at: "addHosts[\(index)]")
        }
    }

    private func capabilityProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (field, names) in [("capAdd", capAdd), ("capDrop", capDrop)] {
            for (index, name) in names.enumerated() where LinuxCapability.normalized(name) == nil {
                let bare = name.uppercased().hasPrefix("CAP_") ? String(name.uppercased().dropFirst(4)) : name
                let hint = NearMiss.detailHint(for: bare, among: LinuxCapability.knownNames)
                diagnostics.append(
                    context.error(
                        "Unknown capability",
                        detail: "`\(name)` is not a Linux capability.\(hint) Use ALL or a name such as "
                            + "NET_BIND_SERVICE (CAP_ prefix and case are optional).",
                        at: "\(field)[\(index)]"))
            }
        }
        let both = Set(normalizedCapAdd).intersection(normalizedCapDrop).subtracting([LinuxCapability.all])
        if !both.isEmpty {
            diagnostics.append(
                context.error(
                    "Capability both added and dropped",
                    detail:
                        "\(both.sorted().joined(separator: ", ")) appears in capAdd and capDrop. Keep it in one list.",
                    at: "capAdd"))
        }
        if normalizedCapAdd.contains(LinuxCapability.all) {
            diagnostics.append(
                context.warning(
                    "Every capability is added",
                    detail: "capAdd: [ALL] gives the container every capability, close to --privileged. Add only the "
                        + "capabilities the service needs.",
                    at: "capAdd"))
        }
        return diagnostics
    }

    private func restartProblems(in context: ValidationContext) -> [Diagnostic] {
        guard let kind = restart.kind else {
            let hint = NearMiss.detailHint(for: restart.name, among: RestartPolicy.Kind.allCases.map(\.rawValue))
            return [
                context.error(
                    "Unknown restart policy",
                    detail: "`\(restart)` is not a restart policy.\(hint) "
                        + "Use no, always, on-failure[:N] or unless-stopped.",
                    at: "restart")
            ]
        }
        var diagnostics: [Diagnostic] = []
        if let retries = restart.maxRetries, kind != .onFailure || retries < 0 {
            diagnostics.append(
                context.error(
                    "Invalid restart retry count",
                    detail: "Only on-failure takes a retry count, and it cannot be negative. Write e.g. on-failure:5.",
                    at: "restart"))
        }
        if kind == .always, state == .stopped, runtime == .podman {
            diagnostics.append(
                context.warning(
                    "A stopped container with restart: always starts again after a reboot",
                    detail: "podman-restart.service starts every container with restart: always at boot, so this "
                        + "container drifts to running. Use restart: no for a container that should stay stopped.",
                    at: "restart"))
        }
        if kind == .unlessStopped, runtime == .podman {
            diagnostics.append(
                context.warning(
                    "unless-stopped containers are not started at boot before Podman 5.8",
                    detail: "Until Podman 5.8, podman-restart.service starts only containers with restart: always "
                        + "after a reboot. Use restart: always when the container must come back after a reboot.",
                    at: "restart"))
        }
        return diagnostics
    }

    private func limitProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if let memory {
            if let bytes = memoryBytes {
                if bytes < 6 * 1_024 * 1_024 {
                    diagnostics.append(
                        context.error(
                            "Memory limit below 6 MiB",
                            detail: "Podman refuses memory limits under 6 MiB. Raise `memory`, e.g. to 64m.",
                            at: "memory"))
                }
            } else {
                diagnostics.append(
                    context.error(
                        "Invalid memory size",
                        detail: "`\(memory)` is not a size. Write a number with an optional unit b, k, m or g, "
                            + "e.g. 512m or 2g.",
                        at: "memory"))
            }
        }
        if let cpus, !(cpus > 0) {
            diagnostics.append(
                context.error(
                    "CPU limit must be positive",
                    detail: "`cpus: \(cpus)` leaves the container no CPU time. Use a positive number such as 0.5 or 2.",
                    at: "cpus"))
        }
        for name in ulimits.keys.sorted() {
            guard let limit = ulimits[name] else { continue }
            if !Ulimit.knownNames.contains(name) {
                let hint = NearMiss.detailHint(for: name, among: Ulimit.knownNames)
                diagnostics.append(
                    context.error(
                        "Unknown ulimit",
                        detail: "`\(name)` is not a resource limit.\(hint) Use a name such as nofile or nproc.",
                        at: "ulimits.\(name)"))
            }
            if !limit.isOrdered {
                diagnostics.append(
                    context.error(
                        "Soft limit above hard limit",
                        detail: "`\(name): \(limit)` sets a soft limit the hard limit does not allow. Lower the soft "
                            + "limit or raise the hard one.",
                        at: "ulimits.\(name)"))
            }
        }
        if !ulimits.isEmpty, ulimits["nofile"] == nil || ulimits["nproc"] == nil, runtime == .podman {
            diagnostics.append(
                context.warning(
                    "Setting ulimits drops the containers.conf defaults",
                    detail: "A container with ulimits of its own does not get containers.conf's default_ulimits, so "
                        + "a missing nofile or nproc limit falls back to 1048576, which runc cannot set on hosts "
                        + "without CAP_SYS_RESOURCE. Set both nofile and nproc.",
                    at: "ulimits"))
        }
        return diagnostics
    }

    private func optionProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics = LabelRules.reservedLabelProblems(labels, in: context)
        let securityPrefixes = ["label=", "seccomp=", "apparmor=", "mask=", "unmask=", "proc-opts=", "systempaths="]
        for (index, option) in securityOpt.enumerated() {
            let known =
                ["no-new-privileges", "no-new-privileges:true", "no-new-privileges:false"].contains(option)
                || securityPrefixes.contains(where: option.hasPrefix)
            if !known {
                diagnostics.append(
                    context.error(
                        "Unknown security option",
                        detail: "`\(option)` is not a Podman security option. Use no-new-privileges, label=…, "
                            + "seccomp=…, apparmor=…, mask=…, unmask=… or proc-opts=….",
                        at: "securityOpt[\(index)]"))
            }
        }
        if let workdir, !workdir.hasPrefix("/") {
            diagnostics.append(
                context.error(
                    "workdir is not an absolute path",
                    detail: "`\(workdir)` is relative; the working directory inside the container must start with '/'.",
                    at: "workdir"))
        }
        for (index, server) in dns.enumerated() where Formats.IPAddress(server) == nil {
            diagnostics.append(
                context.error(
                    "DNS server is not an IP address",
                    detail: "`\(server)` must be an IPv4 or IPv6 address such as 10.89.10.1.", at: "dns[\(index)]"))
        }
        if let healthcheck { diagnostics += healthCheckProblems(healthcheck, in: context) }
        return diagnostics
    }

    private func healthCheckProblems(_ check: HealthCheck, in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if check.test.isEmpty {
            diagnostics.append(
                context.error(
                    "Health check test is empty",
                    detail: "Give the check command as an argv list, e.g. [headscale, health].",
                    at: "healthcheck.test"))
        } else if check.test.count == 1, check.test[0].contains(" ") {
            diagnostics.append(
                context.warning(
                    "Health check test is one word with spaces",
                    detail: "The test runs without a shell, so `\(check.test[0])` is looked up as one program name. "
                        + "Split it into an argv list, or use [sh, -c, \"…\"] when the image has a shell.",
                    at: "healthcheck.test"))
        }
        for (field, value) in [
            ("interval", check.interval), ("timeout", check.timeout), ("startPeriod", check.startPeriod),
        ] where Formats.seconds(value, syntax: .go) == nil {
            diagnostics.append(
                context.error(
                    "Invalid duration",
                    detail: "`\(value)` is not a duration. Write e.g. 30s, 1m30s or 500ms.", at: "healthcheck.\(field)")
            )
        }
        return diagnostics
    }
}
