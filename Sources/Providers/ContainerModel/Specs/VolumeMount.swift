import OCCore

/// A volume or bind mount of a container.
///
/// Written as Podman's `-v` string (`./squid/squid.conf:/etc/squid/squid.conf:ro`, `hs-data:/var/lib/headscale`,
/// `/cache`) or as an object (`{source, target, readOnly, options}`); both decode to this value. A source that
/// starts with `/`, `./`, `../` or `~` is a bind mount (relative paths are relative to the manifest file);
/// any other source names a volume; no source is an anonymous volume.
package struct VolumeMount: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of mount the source makes this.
    package enum Kind: String, Sendable, Hashable, Codable {
        /// A host path.
        case bind
        /// A named volume (a `volumes` resource or one Podman creates on first use).
        case named
        /// An anonymous volume (no source).
        case anonymous
    }

    /// The host path or volume name; `nil` for an anonymous volume.
    package var source: String?
    /// The absolute path inside the container.
    package var target: String
    /// Whether the mount is read-only (`ro`).
    package var readOnly: Bool
    /// Other mount options (`z`, `Z`, `U`, `nocopy`, …), without `ro`/`rw`.
    package var options: [String]

    /// Creates a mount.
    package init(source: String?, target: String, readOnly: Bool = false, options: [String] = []) {
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.options = options
    }

    /// Parses Podman's `[SOURCE:]TARGET[:OPTIONS]` form (never fails; validation checks the parts).
    package init(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            self.init(source: nil, target: text)
            return
        }
        let options = parts.dropFirst(2).flatMap { $0.split(separator: ",").map(String.init) }
        self.init(
            source: parts[0],
            target: parts[1],
            readOnly: options.contains("ro"),
            options: options.filter { $0 != "ro" && $0 != "rw" }
        )
    }

    /// Whether the source is a host path, a volume name or absent.
    package var kind: Kind {
        guard let source else { return .anonymous }
        let pathPrefixes = ["/", "./", "../", "~"]
        if source == "." || source == ".." || pathPrefixes.contains(where: source.hasPrefix) { return .bind }
        return .named
    }

    /// Podman's `-v` form, such as `./squid/squid.conf:/etc/squid/squid.conf:ro`.
    package var description: String {
        let allOptions = (readOnly ? ["ro"] : []) + options
        var text = source.map { "\($0):\(target)" } ?? target
        if !allOptions.isEmpty { text += ":" + allOptions.joined(separator: ",") }
        return text
    }

    private enum CodingKeys: String, CodingKey {
        case source, target, readOnly, options
    }

    package init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(parsing: text)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            source: try c.decodeIfPresent(String.self, forKey: .source),
            target: try c.decode(String.self, forKey: .target),
            readOnly: try c.decode(.readOnly, default: false),
            options: try c.decode(.options, default: [String]())
        )
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
