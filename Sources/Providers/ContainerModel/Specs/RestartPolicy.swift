/// A container restart policy: `no`, `always`, `on-failure[:N]` or `unless-stopped`.
///
/// Kept as written (name and retry count) so that ``ContainerSpec/validate(in:)`` can report an unknown
/// policy with its location; ``kind`` is the typed reading.
package struct RestartPolicy: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The policies Podman knows.
    package enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Never restart.
        case no
        /// Always restart, also after a reboot (through `podman-restart.service`).
        case always
        /// Restart when the process exits non-zero, at most N times when given.
        case onFailure = "on-failure"
        /// Restart unless stopped by hand.
        case unlessStopped = "unless-stopped"
    }

    /// The policy name as written.
    package var name: String
    /// The retry limit of `on-failure:N`.
    package var maxRetries: Int?

    /// Creates a policy.
    package init(_ kind: Kind, maxRetries: Int? = nil) {
        self.name = kind.rawValue
        self.maxRetries = maxRetries
    }

    /// Parses `NAME[:N]` (never fails; an unknown name has no ``kind``).
    package init(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2, let retries = Int(parts[1]) {
            name = String(parts[0])
            maxRetries = retries
        } else {
            name = text
            maxRetries = nil
        }
    }

    /// The default: never restart.
    package static let no = RestartPolicy(.no)

    /// The typed policy, or `nil` when the name is not one Podman knows.
    package var kind: Kind? { Kind(rawValue: name) }

    /// Podman's `--restart` value.
    package var description: String { maxRetries.map { "\(name):\($0)" } ?? name }

    package init(from decoder: any Decoder) throws {
        self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
