import OCCore

/// A named volume: one entry of the `volumes` section, such as Headscale's data directory.
///
/// Volumes hold data, so ocplan deletes one only in a destroy plan (`ocplan --destroy`) once `deleteData: true`
/// has been applied; removing a volume from the manifest, or a change that would replace it, is refused with
/// advice.
package struct VolumeSpec: ResourceSpec, Equatable, Codable {
    package static let section = "volumes"

    /// The host whose runtime owns the volume.
    package var host: String
    /// The volume driver.
    package var driver: String
    /// Driver options (`type: tmpfs`, `device: …`, `o: …`).
    package var options: [String: String]
    /// Labels (ocplan adds its own `io.ocplan.*` ownership labels).
    package var labels: [String: String]
    /// Whether a destroy plan may delete the volume and its data (applied in place before it takes effect).
    package var deleteData: Bool

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(
        host: String = "local", driver: String = "local", options: [String: String] = [:],
        labels: [String: String] = [:], deleteData: Bool = false
    ) {
        self.host = host
        self.driver = driver
        self.options = options
        self.labels = labels
        self.deleteData = deleteData
    }

    package var hostNames: [String] { [host] }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, driver, options, labels, deleteData
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try c.decode(.host, default: "local"),
            driver: try c.decode(.driver, default: "local"),
            options: try c.decode(.options, default: [:]),
            labels: try c.decode(.labels, default: [:]),
            deleteData: try c.decode(.deleteData, default: false)
        )
    }

    /// The keys of a `volumes` entry.
    package static let schema = ObjectSchema(
        "A named Podman volume.",
        fields: [
            FieldSchema(
                "host", .reference("hosts"), doc: "The host whose Podman owns the volume.", default: "local",
                update: .replace),
            FieldSchema("driver", .string(.name), doc: "The volume driver.", default: "local", update: .replace),
            FieldSchema(
                "options", .stringMap, doc: "Driver options (`type: tmpfs`, `device: /dev/sdb1`, `o: …`).",
                default: "{}", update: .replace),
            FieldSchema(
                "labels", .stringMap,
                doc: "Labels; keys starting with `io.ocplan.` are reserved for ocplan's own marks.",
                default: "{}", update: .replace),
            FieldSchema(
                "deleteData", .boolean,
                doc: "Whether a destroy plan (`ocplan --destroy`) may delete the volume and its data; it takes effect "
                    + "once applied. Without it a destroy plan keeps the volume and its data and forgets it (`will be "
                    + "kept (deleteData: true is not applied) and forgotten`). A volume is never deleted otherwise: "
                    + "removing it from the manifest or changing what would replace it is refused with advice.",
                default: "false", update: .inPlace),
        ]
    )

    /// Checks the volume name and labels.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if !TextRules.isValidObjectName(context.address.name) {
            diagnostics.append(
                context.error(
                    "Invalid volume name",
                    detail: "`\(context.address.name)` is not a valid Podman volume name. Use letters, digits, "
                        + "'_', '.' and '-', starting with a letter or digit.",
                    at: ""))
        }
        diagnostics += LabelRules.reservedLabelProblems(labels, in: context)
        return diagnostics
    }
}
