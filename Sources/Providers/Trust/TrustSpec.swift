import OCCore

/// A CA certificate trusted on one or more hosts: one entry of the `trust` section (Headscale's TLS CA).
///
/// Unlike other resources, a trust entry names several `hosts`; it is one instance per host. On Debian/Ubuntu
/// the certificate is installed as `/usr/local/share/ca-certificates/NAME.crt` and `update-ca-certificates`
/// runs; on macOS it is added to a keychain with `security add-trusted-cert -r trustRoot`. A new certificate
/// replaces the old one (removed first), and long-running Go daemons such as tailscaled need a restart.
package struct TrustSpec: ResourceSpec, Equatable, Codable {
    package static let section = "trust"

    /// The hosts that trust the certificate.
    package var hosts: [String]
    /// The PEM certificate file, relative to the manifest file.
    package var cert: String
    /// The file name under `/usr/local/share/ca-certificates` (without `.crt`); the resource name when `nil`.
    package var name: String?
    /// The macOS keychain that holds the trust setting.
    package var keychain: String

    /// The System keychain, where admin trust settings live.
    package static let systemKeychain = "/Library/Keychains/System.keychain"

    /// Creates a spec; every omitted value is the default the manifest documents.
    package init(hosts: [String], cert: String, name: String? = nil, keychain: String = TrustSpec.systemKeychain) {
        self.hosts = hosts
        self.cert = cert
        self.name = name
        self.keychain = keychain
    }

    package var hostNames: [String] { hosts }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case hosts, cert, name, keychain
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            hosts: try c.decode([String].self, forKey: .hosts),
            cert: try c.decode(String.self, forKey: .cert),
            name: try c.decodeIfPresent(String.self, forKey: .name),
            keychain: try c.decode(.keychain, default: Self.systemKeychain)
        )
    }

    // MARK: - Schema

    /// The keys of a `trust` entry.
    package static let schema = ObjectSchema(
        "A CA certificate trusted on one or more hosts.",
        fields: [
            FieldSchema(
                "hosts", .list(.reference("hosts")), required: true,
                doc: "The hosts that trust the certificate; each is its own instance.", update: .replace),
            FieldSchema(
                "cert", .string(.path), required: true,
                doc: "The PEM certificate file, relative to the manifest file; a new certificate replaces the old one.",
                update: .replace),
            FieldSchema(
                "name", .string(.name),
                doc: "The file name under /usr/local/share/ca-certificates, without `.crt` (Linux).",
                default: "the resource name", update: .replace),
            FieldSchema(
                "keychain", .string(.path), doc: "The keychain holding the trust setting (macOS).",
                default: systemKeychain, update: .replace),
        ]
    )

    // MARK: - Validation

    /// Checks the host list, the certificate file name and the installed name.
    package func validate(in context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if hosts.isEmpty {
            diagnostics.append(
                context.error(
                    "No hosts trust the certificate", detail: "List at least one host in `hosts`.", at: "hosts"))
        }
        var seen: Set<String> = []
        for (index, host) in hosts.enumerated() where !seen.insert(host).inserted {
            diagnostics.append(
                context.error(
                    "Host listed twice", detail: "`\(host)` appears more than once. List each host once.",
                    at: "hosts[\(index)]"))
        }
        let lower = cert.lowercased()
        if lower.hasSuffix(".der") || lower.hasSuffix(".p12") || lower.hasSuffix(".pfx") {
            diagnostics.append(
                context.error(
                    "Certificate must be PEM",
                    detail: "update-ca-certificates only reads PEM certificates, and `\(cert)` looks like another "
                        + "format. Convert it (`openssl x509 -inform der -in ca.der -out ca.crt`).",
                    at: "cert"))
        }
        let installed = name ?? context.address.name
        if installed.isEmpty || installed.contains("/") || installed.hasPrefix(".")
            || installed.contains(where: \.isWhitespace)
        {
            diagnostics.append(
                context.error(
                    "Invalid certificate name",
                    detail: "`\(installed)` becomes a file name under /usr/local/share/ca-certificates. Use letters, "
                        + "digits, '-', '_' and '.', without '/'.",
                    at: name == nil ? "" : "name"))
        } else if installed.hasSuffix(".crt") || installed.hasSuffix(".pem") {
            diagnostics.append(
                context.warning(
                    "Certificate name has an extension",
                    detail: "ocplan installs the certificate as `\(installed).crt`. Drop the extension from `name`.",
                    at: "name"))
        }
        return diagnostics
    }
}
