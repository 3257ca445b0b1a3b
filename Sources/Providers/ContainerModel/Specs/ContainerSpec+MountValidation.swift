import OCCore

extension ContainerSpec {
    /// The mount options Podman's `-v` accepts (besides `ro`/`rw` and `idmap[=…]`).
    static let knownMountOptions: Set<String> = [
        "z", "Z", "U", "O", "copy", "nocopy", "shared", "rshared", "slave", "rslave", "private", "rprivate",
        "unbindable", "runbindable", "bind", "rbind", "exec", "noexec", "suid", "nosuid", "dev", "nodev", "noatime",
    ]

    /// Checks mount targets, volume names, options and targets used twice.
    func mountProblems(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var targets: [String: String] = [:]
        for (index, mount) in volumes.enumerated() {
            let keyPath = "volumes[\(index)]"
            if !mount.target.hasPrefix("/") {
                diagnostics.append(
                    context.error(
                        "Mount target is not an absolute path",
                        detail: "`\(mount)` mounts at `\(mount.target)`. The target inside the container must start "
                            + "with '/'.",
                        at: keyPath))
            }
            if mount.kind == .named, let source = mount.source {
                diagnostics += volumeSourceProblems(source, keyPath: keyPath, in: context)
            }
            if mount.kind == .bind, let source = mount.source,
                let problem = context.hostPathProblem(source, on: host, at: keyPath)
            {
                // A warning: the source may be a secret kept out of the repository (a TLS key), made before apply.
                diagnostics.append(
                    context.warning(
                        "Bind mount source not found",
                        detail: "\(problem). Podman refuses to create a container whose bind mount source is "
                            + "missing, so apply would fail; create it, declare it as a files resource, or fix the path.",
                        at: keyPath))
            }
            for option in mount.options where !Self.knownMountOptions.contains(option) && !option.hasPrefix("idmap") {
                diagnostics.append(
                    context.error(
                        "Unknown mount option",
                        detail: "`\(option)` in `\(mount)` is not a Podman mount option. Use ro, z, Z, U, nocopy or "
                            + "a propagation mode such as rshared.",
                        at: keyPath))
            }
            diagnostics += duplicateTarget(mount.target, keyPath: keyPath, seen: &targets, in: context)
        }
        for (index, entry) in tmpfs.enumerated() {
            let path = String(entry.prefix { $0 != ":" })
            let keyPath = "tmpfs[\(index)]"
            if !path.hasPrefix("/") {
                diagnostics.append(
                    context.error(
                        "tmpfs path is not absolute",
                        detail: "`\(entry)` must start with the absolute path inside the container, e.g. "
                            + "/var/run/headscale.",
                        at: keyPath))
            }
            diagnostics += duplicateTarget(path, keyPath: keyPath, seen: &targets, in: context)
        }
        return diagnostics
    }

    private func volumeSourceProblems(_ source: String, keyPath: String, in context: ValidationContext) -> [Diagnostic]
    {
        if source.contains("/") {
            return [
                context.error(
                    "Relative bind mount must start with ./",
                    detail: "`\(source)` is read as a volume name, which cannot contain '/'. Write `./\(source)` for "
                        + "a path relative to the manifest file.",
                    at: keyPath)
            ]
        }
        if !TextRules.isValidObjectName(source) {
            return [
                context.error(
                    "Invalid volume name",
                    detail: "`\(source)` is not a valid volume name. Use letters, digits, '_', '.' and '-'.",
                    at: keyPath)
            ]
        }
        if let volume = context.specs[Address("volumes", source)] as? VolumeSpec, volume.host != host {
            return [
                context.error(
                    "Volume is on another host",
                    detail: "volumes.\(source) lives on host \(volume.host), but this container runs on \(host). "
                        + "Declare the volume on \(host).",
                    at: keyPath)
            ]
        }
        return []
    }

    private func duplicateTarget(
        _ target: String, keyPath: String, seen: inout [String: String], in context: ValidationContext
    ) -> [Diagnostic] {
        let normalized = target.count > 1 && target.hasSuffix("/") ? String(target.dropLast()) : target
        guard let first = seen[normalized] else {
            seen[normalized] = keyPath
            return []
        }
        return [
            context.error(
                "Two mounts share a target",
                detail: "\(first) already mounts at `\(normalized)`. Mount each path once.", at: keyPath)
        ]
    }
}
