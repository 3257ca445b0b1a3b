import OCCore

/// A virtual machine: one entry of the `vms` section (the exit-node VM `oc-exit`).
///
/// Multipass changes CPUs, memory and disk in place with `multipass set` while the VM is stopped (ocapply
/// stops and restarts it); the image and cloud-init only act at launch, so changing them replaces the VM.
package struct VMSpec: ResourceSpec, Equatable, Codable {
    /// The VM managers ocplan drives.
    package enum Runtime: String, Sendable, Hashable, Codable, CaseIterable {
        /// Canonical's Multipass.
        case multipass
    }

    /// Whether the VM should be running.
    package enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Launched and running.
        case running
        /// Launched and stopped.
        case stopped
    }

    /// A host directory mounted into the VM (`multipass mount`).
    package struct Mount: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The host directory (relative paths are relative to the manifest file).
        package var source: String
        /// The absolute path inside the VM.
        package var target: String

        /// Creates a mount.
        package init(source: String, target: String) {
            self.source = source
            self.target = target
        }

        /// Parses `SOURCE:TARGET`, splitting at the last colon (never fails; validation checks the parts).
        package init(parsing text: String) {
            guard let colon = text.lastIndex(of: ":") else {
                self.init(source: text, target: "")
                return
            }
            self.init(source: String(text[..<colon]), target: String(text[text.index(after: colon)...]))
        }

        /// `SOURCE:TARGET`.
        package var description: String { "\(source):\(target)" }

        private enum CodingKeys: String, CodingKey {
            case source, target
        }

        package init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self.init(parsing: text)
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                source: try c.decode(String.self, forKey: .source), target: try c.decode(String.self, forKey: .target))
        }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }

    package static let section = "vms"

    /// A `transport: multipass` host runs its commands inside the VM named by its `vm` (or its own name).
    package static func backingName(for host: OCCore.Host) -> String? {
        host.transport == .multipass ? (host.vm ?? host.name) : nil
    }

    /// The host that runs the VM manager (where `multipass` is called).
    package var host: String
    /// The VM manager.
    package var runtime: Runtime
    /// The image (`24.04`, `noble`, `lts`).
    package var image: String
    /// Virtual CPUs.
    package var cpus: Int
    /// Memory as written (`2G`).
    package var memory: String
    /// Disk size as written (`10G`); Multipass can only grow a disk.
    package var disk: String
    /// A cloud-init user-data file used at launch, relative to the manifest file.
    package var cloudInit: String?
    /// Host directories mounted into the VM.
    package var mounts: [Mount]
    /// Running or stopped.
    package var state: State

    /// Creates a spec; every omitted value is Multipass's default.
    package init(
        host: String = "local", runtime: Runtime = .multipass, image: String = "lts", cpus: Int = 1,
        memory: String = "1G", disk: String = "5G", cloudInit: String? = nil, mounts: [Mount] = [],
        state: State = .running
    ) {
        self.host = host
        self.runtime = runtime
        self.image = image
        self.cpus = cpus
        self.memory = memory
        self.disk = disk
        self.cloudInit = cloudInit
        self.mounts = mounts
        self.state = state
    }

    package var hostNames: [String] { [host] }

    /// The memory in bytes, or `nil` when it is not a size.
    package var memoryBytes: Int64? { MultipassSize.bytes(memory) }

    /// The disk size in bytes, or `nil` when it is not a size.
    package var diskBytes: Int64? { MultipassSize.bytes(disk) }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, runtime, image, cpus, memory, disk, cloudInit, mounts, state
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(.host, default: "local"),
            runtime: try c.decode(.runtime, default: .multipass),
            image: try c.decode(.image, default: "lts"),
            cpus: try c.decode(.cpus, default: 1),
            memory: try c.decode(.memory, default: "1G"),
            disk: try c.decode(.disk, default: "5G"),
            cloudInit: try c.decodeIfPresent(String.self, forKey: .cloudInit),
            mounts: try c.decode(.mounts, default: []),
            state: try c.decode(.state, default: .running)
        )
    }

    // MARK: - Schema

    /// The keys of a `vms` entry.
    package static let schema = ObjectSchema(
        "A Multipass virtual machine.",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The host that runs Multipass (where `multipass` is called).",
                default: "local", update: .replace),
            FieldSchema(
                "runtime", .enumeration(Runtime.allCases.map(\.rawValue)), doc: "The VM manager.",
                default: "multipass", update: .replace),
            FieldSchema(
                "image", .string(.name), doc: "The image to launch (`24.04`, `noble`, `lts`); only used at launch.",
                default: "lts", update: .replace),
            FieldSchema(
                "cpus", .integer(min: 1), doc: "Virtual CPUs; changed with `multipass set` while the VM is stopped.",
                default: "1", update: .inPlace),
            FieldSchema(
                "memory", .string(.size),
                doc: "Memory (`2G`, at least 128M); changed with `multipass set` while the VM is stopped.",
                default: "1G", update: .inPlace),
            FieldSchema(
                "disk", .string(.size),
                doc: "Disk size (`10G`, at least 512M); can only grow, with `multipass set` while the VM is stopped.",
                default: "5G", update: .inPlace),
            FieldSchema(
                "cloudInit", .string(.path),
                doc: "A cloud-init user-data file, relative to the manifest; only used at launch.",
                update: .replace),
            FieldSchema(
                "mounts", .list(.oneOf([.string(.path), .object(mountSchema)])),
                doc: "Host directories mounted into the VM: `SOURCE:TARGET` strings or `{source, target}`.",
                default: "[]", update: .inPlace),
            FieldSchema(
                "state", .enumeration(State.allCases.map(\.rawValue)), doc: "Whether the VM should be running.",
                default: "running", update: .inPlace),
        ]
    )

    /// The object form of a mount.
    static let mountSchema = ObjectSchema(
        "A host directory mounted into the VM.",
        fields: [
            FieldSchema("source", .string(.path), required: true, doc: "The host directory.", update: .inPlace),
            FieldSchema(
                "target", .string(.path), required: true, doc: "The absolute path inside the VM.", update: .inPlace),
        ]
    )

    // MARK: - Validation

    /// Checks the VM name, sizes and minimums, mounts and where Multipass can run.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let name = context.address.name
        if !Self.isValidName(name) {
            diagnostics.append(
                context.error(
                    "Invalid VM name",
                    detail: "Multipass names use letters, digits and '-', start with a letter and end with a letter or "
                        + "digit; `\(name)` does not. Rename the resource.",
                    at: ""))
        }
        for (field, text, bytes, minimum, minimumText) in [
            ("memory", memory, memoryBytes, Int64(128) << 20, "128M"),
            ("disk", disk, diskBytes, Int64(512) << 20, "512M"),
        ] {
            guard let bytes else {
                diagnostics.append(
                    context.error(
                        "Invalid \(field) size",
                        detail: "`\(text)` is not a size. Write a number with an optional unit K, M or G, e.g. 2G.",
                        at: field))
                continue
            }
            if bytes < minimum {
                diagnostics.append(
                    context.error(
                        "\(field.prefix(1).uppercased() + field.dropFirst()) below Multipass's minimum",
                        detail: "Multipass needs at least \(minimumText) of \(field); `\(text)` is less. Raise it.",
                        at: field))
            }
        }
        for (index, mount) in mounts.enumerated() where mount.source.isEmpty || !mount.target.hasPrefix("/") {
            diagnostics.append(
                context.error(
                    "Invalid mount",
                    detail: "`\(mount)` must be `SOURCE:TARGET` with an absolute target inside the VM, e.g. "
                        + "./share:/srv/share.",
                    at: "mounts[\(index)]"))
        }
        if let transport = context.hosts[host]?.transport, ![.local, .ssh].contains(transport) {
            diagnostics.append(
                context.error(
                    "Multipass cannot run on this host",
                    detail: "Host \(host) is reached through \(transport.rawValue), but Multipass runs on a machine "
                        + "(local or ssh). Set `host` to the machine that runs multipassd.",
                    at: "host"))
        }
        return diagnostics
    }

    /// Whether `name` follows Multipass's instance name rules.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, let last = name.last, first.isASCII, first.isLetter,
            last.isASCII, last.isLetter || last.isNumber
        else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}
