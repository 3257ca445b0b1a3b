import Foundation

/// An ordered set of changes for one stack, as printed by `ocplan` and applied by `ocapply`.
public struct Plan: Sendable, Codable {
    /// The plan file format version (see docs/plan-json.md).
    public static let currentFormatVersion = 1

    /// The format version of this plan.
    public var formatVersion: Int
    /// The stack.
    public var stack: String
    /// When the plan was made (ISO 8601).
    public var createdAt: Date
    /// The manifest files it was made from.
    public var manifestFiles: [String]
    /// Whether this plan destroys the whole stack.
    public var destroy: Bool
    /// The addresses `--target` limited it to (empty: everything).
    public var targets: [Address]
    /// Every resource considered, no-ops included (their fingerprints make a saved plan go stale).
    public var changes: [Change]
    /// Tools that are missing on hosts (their resources are planned as creates).
    public var missingTools: [Prerequisite]
    /// Warnings found while planning.
    public var warnings: [Diagnostic]
    /// Secret values the plan contains (redacted in output; the plan file is written with mode 0600).
    public var secrets: Set<String>

    /// Creates a plan.
    public init(
        stack: String,
        createdAt: Date = Date(),
        manifestFiles: [String] = [],
        destroy: Bool = false,
        targets: [Address] = [],
        changes: [Change],
        missingTools: [Prerequisite] = [],
        warnings: [Diagnostic] = [],
        secrets: Set<String> = []
    ) {
        self.formatVersion = Plan.currentFormatVersion
        self.stack = stack
        self.createdAt = createdAt
        self.manifestFiles = manifestFiles
        self.destroy = destroy
        self.targets = targets
        self.changes = changes
        self.missingTools = missingTools
        self.warnings = warnings
        self.secrets = secrets
    }

    /// The changes that do something.
    public var actions: [Change] { changes.filter { $0.action != .noop } }
    /// Whether the plan changes anything.
    public var hasChanges: Bool { !actions.isEmpty }

    /// Counts per action.
    public var summary: [Action: Int] {
        var counts: [Action: Int] = [:]
        for change in changes { counts[change.action, default: 0] += 1 }
        return counts
    }

    /// The change for `address`.
    public func change(_ address: Address) -> Change? { changes.first { $0.address == address } }

    // MARK: - Plan files

    /// Encodes the plan as the versioned JSON plan file.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// Writes the plan file atomically with mode 0600 (it may hold secrets).
    public func write(to path: String) throws {
        try AtomicFile.write(try encoded(), to: path, permissions: 0o600)
    }

    /// Reads a plan file, refusing other format versions.
    public static func read(from path: String) throws -> Plan {
        let data: Data
        do {
            data = try LocalFile.readRegular(path: path)
        } catch {
            throw OCError(.notFound, "cannot read plan file \(error)")
        }
        struct Header: Decodable { var formatVersion: Int? }
        let header = try? JSONDecoder().decode(Header.self, from: data)
        guard let version = header?.formatVersion else {
            throw OCError(.invalidManifest, "'\(path)' is not an ocplan plan file (no formatVersion)")
        }
        guard version == currentFormatVersion else {
            throw OCError(
                .unsupported,
                "plan file '\(path)' has format version \(version); this ocapply reads version \(currentFormatVersion). "
                    + "Make the plan again with this version of ocplan.")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(Plan.self, from: data)
        } catch {
            throw OCError(.invalidManifest, "plan file '\(path)' is damaged", cause: error)
        }
    }

    /// Whether the file at `path` looks like a plan file (JSON with `formatVersion`).
    public static func isPlanFile(_ path: String) -> Bool {
        // Never `FileHandle(forReadingAtPath:)`: opening a FIFO that way waits for a writer forever.
        guard let bytes = try? LocalFile.readHead(path: path, count: 4096) else { return false }
        let head = String(decoding: bytes, as: UTF8.self)
        return head.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") && head.contains("\"formatVersion\"")
            || head.contains("\"changes\"") && head.hasPrefix("{")
    }
}
