/// A resource limit (`--ulimit NAME=SOFT:HARD`); `-1` means unlimited.
///
/// Written as a number (soft and hard equal), as `"SOFT:HARD"`, or as `{soft, hard}`.
package struct Ulimit: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The soft limit.
    package var soft: Int
    /// The hard limit.
    package var hard: Int

    /// Creates a limit; `hard` defaults to `soft`.
    package init(soft: Int, hard: Int? = nil) {
        self.soft = soft
        self.hard = hard ?? soft
    }

    /// The names Podman accepts (`RLIMIT_` + upper-cased name).
    package static let knownNames = [
        "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss",
        "rtprio", "rttime", "sigpending", "stack",
    ]

    /// Whether the soft limit does not exceed the hard one (`-1` is unlimited).
    package var isOrdered: Bool { hard == -1 || (soft != -1 && soft <= hard) }

    /// `SOFT:HARD`.
    package var description: String { "\(soft):\(hard)" }

    private enum CodingKeys: String, CodingKey {
        case soft, hard
    }

    package init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer().decode(Int.self) {
            self.init(soft: single)
            return
        }
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let soft = Int(parts[0]), let hard = Int(parts[parts.count - 1])
            else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath, debugDescription: "\(text) is not a limit: expected SOFT:HARD"))
            }
            self.init(soft: soft, hard: hard)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let soft = try c.decode(Int.self, forKey: .soft)
        self.init(soft: soft, hard: try c.decodeIfPresent(Int.self, forKey: .hard))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
