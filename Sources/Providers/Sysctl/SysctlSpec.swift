import OCCore

/// A kernel setting (`sysctl`) on a host, optionally persisted across reboots.
///
/// A sysctl always exists, so managing one starts by taking it over: the first apply records the value
/// found, and removing the resource from the manifest writes that value back.
///
/// ```yaml
/// sysctl:
///   exit-forwarding: { host: oc-exit, key: net.ipv4.ip_forward, value: "1", persist: true }
/// ```
package struct SysctlSpec: ResourceSpec, Equatable {
    /// The manifest section: `sysctl`.
    package static let section = "sysctl"

    /// The host the setting lives on (`local` when omitted).
    package var host: String
    /// The dotted key: `net.ipv4.ip_forward` on Linux, `net.inet.ip.forwarding` on macOS.
    package var key: String
    /// The value as text; YAML `1` is read as `"1"`.
    package var value: String
    /// Whether the value is also written to the persistence file, so that it survives a reboot.
    package var persist: Bool
    /// The persistence file, overriding the OS default (see ``defaultPersistFile(stack:os:)``).
    package var persistFile: String?

    /// The keys, types, docs, defaults and update modes of a sysctl resource.
    package static let schema = ObjectSchema(
        "A kernel setting changed with sysctl; its original value is restored when it is removed",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The host whose kernel setting this is.", default: "local",
                update: .replace),
            FieldSchema(
                "key", .string(.name), required: true,
                doc: "The sysctl key in dotted form, e.g. net.ipv4.ip_forward on Linux or net.inet.ip.forwarding on "
                    + "macOS. Changing it restores the previous key's original value and takes over the new key.",
                update: .inPlace),
            FieldSchema(
                "value", .string(), required: true,
                doc: "The value to set, as text (`1` is read as \"1\"). Surrounding whitespace is ignored and inner "
                    + "runs of spaces or tabs count as one space, as Linux prints multi-value keys with tabs.",
                update: .inPlace),
            FieldSchema(
                "persist", .boolean,
                doc: "Also write the setting to the persistence file so that it is applied at boot, inside a block "
                    + "marked `# ocplan STACK sysctl.NAME`.", default: "false", update: .inPlace),
            FieldSchema(
                "persistFile", .string(.path),
                doc: "An absolute path overriding the persistence file.",
                default: "/etc/sysctl.d/90-ocplan-STACK.conf on Linux, /etc/sysctl.conf on macOS", update: .inPlace),
        ]
    )

    private enum CodingKeys: String, CodingKey {
        case host, key, value, persist, persistFile
    }

    /// Creates a spec (for tests and tools; manifests are decoded).
    package init(host: String = "local", key: String, value: String, persist: Bool = false, persistFile: String? = nil)
    {
        self.host = host
        self.key = key
        self.value = value
        self.persist = persist
        self.persistFile = persistFile
    }

    /// Decodes a spec, filling in the defaults (`host: local`, `persist: false`).
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? "local"
        key = try c.decode(String.self, forKey: .key)
        value = try c.decode(String.self, forKey: .value)
        persist = try c.decodeIfPresent(Bool.self, forKey: .persist) ?? false
        persistFile = try c.decodeIfPresent(String.self, forKey: .persistFile)
    }

    /// The one host the setting lives on.
    package var hostNames: [String] { [host] }

    /// The persistence file used when `persistFile` is not given.
    ///
    /// - Parameters:
    ///   - stack: the stack name (Linux keeps one drop-in file per stack).
    ///   - os: the host's operating system.
    /// - Returns: `/etc/sysctl.d/90-ocplan-STACK.conf` on Linux, `/etc/sysctl.conf` on macOS.
    package static func defaultPersistFile(stack: String, os: Host.OS) -> String {
        switch os {
        case .linux: return "/etc/sysctl.d/90-ocplan-\(stack).conf"
        case .macos: return "/etc/sysctl.conf"
        }
    }

    // MARK: - Validation

    /// Checks the key's syntax and that it exists on the host's OS, the value, the persistence file, and
    /// that no other resource manages the same setting on the host.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        let os = context.hosts[host]?.os
        if let problem = SysctlKeys.syntaxProblem(key) {
            problems.append(context.error("Invalid sysctl key '\(key)'", detail: problem, at: "key"))
        } else if let os, let problem = SysctlKeys.problem(key, on: os) {
            problems.append(
                context.error(
                    "Key '\(key)' does not exist on \(SysctlKeys.displayName(os)) host '\(host)'", detail: problem,
                    at: "key"))
        }
        if value.contains(where: \.isNewline) {
            problems.append(
                context.error(
                    "The value of a sysctl cannot span lines",
                    detail: "sysctl takes one line per setting. Write the value on one line; separate the parts of a "
                        + "multi-value key with spaces.", at: "value"))
        }
        if let persistFile {
            if !persistFile.hasPrefix("/") || persistFile.hasSuffix("/") || persistFile.contains(where: \.isNewline) {
                problems.append(
                    context.error(
                        "persistFile must be an absolute file path",
                        detail: "The file is written on host '\(host)'. Give its full path, e.g. "
                            + "/etc/sysctl.d/90-local.conf.", at: "persistFile"))
            }
        }
        if persist, os == .macos {
            problems.append(
                context.warning(
                    "macOS may ignore /etc/sysctl.conf at boot",
                    detail: "Recent macOS releases do not reliably apply /etc/sysctl.conf. The setting is written "
                        + "there, but to be sure it survives a reboot also run `sysctl -w \(key)=…` from a "
                        + "LaunchDaemon with RunAtLoad.", at: "persist"))
        }
        problems += duplicateProblems(in: context)
        return problems
    }

    /// Reports a second resource that manages the same setting on the same host (the later address reports it).
    ///
    /// Aliases such as `net.ipv4.ip_forward` and `net.ipv4.conf.all.forwarding` may both be managed when
    /// their values agree; with different values each apply would undo the other.
    private func duplicateProblems(in context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for (address, other) in context.others(SysctlSpec.self, on: host)
        where address < context.address && SysctlKeys.sameSetting(other.key, key) {
            if other.key == key {
                problems.append(
                    context.error(
                        "Key '\(key)' on host '\(host)' is also managed by \(address)",
                        detail: "Each kernel setting may be managed by one resource. Remove one of them.", at: "key"))
            } else if SysctlObservation.normalize(other.value) != SysctlObservation.normalize(value) {
                problems.append(
                    context.error(
                        "'\(key)' and '\(other.key)' are the same kernel setting with different values",
                        detail:
                            "\(address) sets '\(other.key)' to \(other.value) on host '\(host)'; writing either key "
                            + "changes both, so each apply would undo the other. Give them the same value or manage "
                            + "one of them.", at: "value"))
            }
        }
        return problems
    }
}
