import OCCore

extension ContainerSpec {
    /// Problems of `privileged`, `hostname`, `stopSignal`, `shmSize`, `groupAdd` and `sysctls`.
    func processProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if privileged {
            diagnostics.append(
                context.warning(
                    "The container runs privileged",
                    detail: "privileged: true gives the container every capability and every host device, without "
                        + "seccomp or SELinux confinement: root in it is root on the host. Add only the capabilities "
                        + "the service needs with capAdd.",
                    at: "privileged"))
        }
        if let hostname, !Self.isValidHostname(hostname) {
            diagnostics.append(
                context.error(
                    "hostname is not a valid host name",
                    detail: "`\(hostname)` is not a host name: use at most 253 characters of letters, digits, '-' "
                        + "and '.', in labels of at most 63 that do not start or end with '-'.",
                    at: "hostname"))
        }
        if let stopSignal, StopSignal.number(stopSignal) == nil {
            let hint = NearMiss.detailHint(for: stopSignal.uppercased(), among: StopSignal.knownNames)
            diagnostics.append(
                context.error(
                    "Unknown stop signal",
                    detail: "`\(stopSignal)` is not a Linux signal.\(hint) Write a name such as SIGINT or SIGQUIT "
                        + "(the SIG prefix and case are optional) or a number from 1 to 64.",
                    at: "stopSignal"))
        }
        if let shmSize, shmBytes == nil {
            diagnostics.append(
                context.error(
                    "Invalid shm size",
                    detail: "`\(shmSize)` is not a size. Write a number with an optional unit b, k, m or g, "
                        + "e.g. 128m or 1g.",
                    at: "shmSize"))
        }
        for (index, group) in groupAdd.enumerated() where group.isEmpty || group.contains(where: \.isWhitespace) {
            diagnostics.append(
                context.error(
                    "Invalid group", detail: "`\(group)` is not a group name or GID.", at: "groupAdd[\(index)]"))
        }
        for key in sysctls.keys.sorted() where !Self.isNamespacedSysctl(key) {
            diagnostics.append(
                context.error(
                    "Sysctl is not namespaced",
                    detail: "`\(key)` is a host-wide kernel parameter; a container may set only `net.*`, "
                        + "`kernel.shm*`, `kernel.msg*`, `kernel.sem` and `fs.mqueue.*`. Set it with a `sysctls` "
                        + "resource on the host.",
                    at: "sysctls.\(key)"))
        }
        if !sysctls.isEmpty, networks.contains(where: { $0.name == "host" }),
            let key = sysctls.keys.sorted().first(where: { $0.hasPrefix("net.") })
        {
            diagnostics.append(
                context.error(
                    "Network sysctl with the host network",
                    detail: "`\(key)` would change the host's own network stack: with `networks: [host]` the "
                        + "container shares it, and Podman refuses. Remove it or join a network.",
                    at: "sysctls.\(key)"))
        }
        return diagnostics
    }

    /// Whether `key` is a kernel parameter a container's namespaces own (Podman's list).
    static func isNamespacedSysctl(_ key: String) -> Bool {
        guard key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "._/-".contains($0)) }),
            key.first?.isLetter == true
        else { return false }
        return ["net.", "kernel.shm", "kernel.msg", "fs.mqueue."].contains { key.hasPrefix($0) } || key == "kernel.sem"
    }

    /// Whether `name` is an RFC 1123 host name.
    static func isValidHostname(_ name: String) -> Bool {
        guard (1...253).contains(name.count) else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard (1...63).contains(label.count), label.first != "-", label.last != "-" else { return false }
            return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
