import Foundation

/// An ordered set of changes for one stack, as printed by `ocplan` and applied by `ocapply`.
package struct Plan: Sendable, Codable {
    /// The plan file format version (see docs/plan-json.md).
    package static let currentFormatVersion = 1

    /// The format version of this plan.
    package var formatVersion: Int
    /// The stack.
    package var stack: String
    /// When the plan was made (ISO 8601).
    package var createdAt: Date
    /// The manifest files it was made from.
    package var manifestFiles: [String]
    /// Whether this plan destroys the whole stack.
    package var destroy: Bool
    /// The addresses `--target` limited it to (empty: everything).
    package var targets: [Address]
    /// Every resource considered, no-ops included (their fingerprints make a saved plan go stale).
    package var changes: [Change]
    /// Always empty, kept so that the plan file and the JSON plan keep their shape (decision 0009).
    ///
    /// A missing tool is a plan error for the resources it covers, so no plan is made then.
    package var missingTools: [Prerequisite]
    /// Warnings found while planning.
    package var warnings: [Diagnostic]
    /// Secret values the plan contains (redacted in output; the plan file is written with mode 0600).
    package var secrets: Set<String>
    /// The version of ocplan that made the plan (a saved plan is applied only by the same version).
    package var toolVersion: String
    /// A digest of the manifest files the plan was made from (their paths and bytes).
    package var manifestDigest: String
    /// Digests of everything that drives the apply, written with the plan file and checked before anything
    /// runs: a plan edited by hand is refused, naming what differs.
    package var seal: PlanSeal?
    /// The output references still unresolved, by the token standing in the changes' values: their producer
    /// changes in this run, so the plan shows `(known after apply)` and the applier resolves them.
    package var outputReferences: [String: OutputReference] = [:]

    /// Creates a plan.
    package init(
        stack: String,
        createdAt: Date = Date(),
        manifestFiles: [String] = [],
        destroy: Bool = false,
        targets: [Address] = [],
        changes: [Change],
        missingTools: [Prerequisite] = [],
        warnings: [Diagnostic] = [],
        secrets: Set<String> = [],
        toolVersion: String = "",
        manifestDigest: String = ""
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
        self.toolVersion = toolVersion
        self.manifestDigest = manifestDigest
    }

    /// The plan as it is shown: every unresolved output reference replaced by `(known after apply)`.
    package var displayed: Plan {
        guard !outputReferences.isEmpty else { return self }
        let shown = outputReferences.mapValues { _ in OutputReference.unknownText }
        var copy = self
        copy.changes = changes.map { change in
            var change = change
            change.after = change.after?.replacingTokens(shown)
            change.attributes = change.attributes.map { attribute in
                var attribute = attribute
                attribute.after = attribute.after?.replacingTokens(shown)
                return attribute
            }
            return change
        }
        return copy
    }

    /// The changes that do something: an action or a restart (``Change/doesSomething``).
    package var actions: [Change] { changes.filter(\.doesSomething) }
    /// Whether the plan changes anything.
    package var hasChanges: Bool { !actions.isEmpty }

    /// Counts per action; a forget (``Change/forgets``) is not counted as a delete, but in ``forgetCount``.
    package var summary: [Action: Int] {
        var counts: [Action: Int] = [:]
        for change in changes where !change.forgets { counts[change.action, default: 0] += 1 }
        return counts
    }

    /// How many deletes leave their object in place (``Change/forgets``): the stack only stops managing it.
    package var forgetCount: Int { changes.filter(\.forgets).count }

    /// How many resources are restarted (``Change/triggeredBy``), whatever their action.
    package var restartCount: Int { changes.filter(\.restarts).count }

    /// The change for `address`.
    package func change(_ address: Address) -> Change? { changes.first { $0.address == address } }

    // MARK: - Plan files

    /// Encodes the plan as the versioned JSON plan file.
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// Writes the plan file atomically with mode 0600 (it may hold secrets), sealed (see ``PlanSeal``).
    package func write(to path: String) throws {
        // The seal is computed from the plan as it reads back, so that it checks what ocapply will see.
        var sealed = try Self.decode(try encoded(), path: path)
        sealed.seal = try PlanSeal(of: sealed)
        try AtomicFile.write(try sealed.encoded(), to: path, permissions: 0o600)
    }

    /// Refuses the plan unless its seal matches its content.
    ///
    /// - Parameter path: the plan file, for the message.
    /// - Throws: ``OCError`` `.invalidManifest` naming each part that differs.
    package func verifySeal(path: String) throws {
        guard let seal else {
            throw OCError(
                .invalidManifest,
                "plan file '\(path)' has no seal, so what it would apply cannot be checked. Nothing was applied. "
                    + "Make the plan again with `ocplan -out`.")
        }
        let differing = seal.differences(from: try PlanSeal(of: self))
        guard differing.isEmpty else {
            throw OCError(
                .invalidManifest,
                "plan file '\(path)' was changed after ocplan wrote it: \(differing.joined(separator: ", ")) "
                    + "\(differing.count == 1 ? "differs" : "differ"). Nothing was applied. Make a new plan with ocplan "
                    + "and apply that.")
        }
    }

    /// Reads a plan file, refusing other format versions.
    package static func read(from path: String) throws -> Plan {
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
        let plan = try decode(data, path: path)
        try plan.verifySeal(path: path)
        return plan
    }

    private static func decode(_ data: Data, path: String) throws -> Plan {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(Plan.self, from: data)
        } catch {
            throw OCError(.invalidManifest, "plan file '\(path)' is damaged", cause: error)
        }
    }

    /// A digest of manifest files: each path and its bytes (an unreadable file counts as empty).
    package static func manifestDigest(of files: [String]) -> String {
        var digest = ContentDigest()
        for file in files.sorted() {
            digest.update(file + "\u{0}")
            digest.update(FileManager.default.contents(atPath: file) ?? Data())
            digest.update("\u{0}")
        }
        return digest.finalize()
    }

    /// Whether the file at `path` looks like a plan file (JSON with `formatVersion`).
    package static func isPlanFile(_ path: String) -> Bool {
        // Never `FileHandle(forReadingAtPath:)`: opening a FIFO that way waits for a writer forever.
        guard let bytes = try? LocalFile.readHead(path: path, count: 4096) else { return false }
        let head = String(decoding: bytes, as: UTF8.self)
        return head.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") && head.contains("\"formatVersion\"")
            || head.contains("\"changes\"") && head.hasPrefix("{")
    }
}

/// Digests of the parts of a plan that drive an apply: the stack, the ocplan version, the manifest, the
/// options, the list of changes and each change (its provider, host, action, trees, commands' inputs and
/// private state).
///
/// A digest is not a signature: it stops a plan edited by hand (or damaged) from being applied, and says
/// which part changed; whoever can rewrite the 0600 plan file can also run ocapply.
package struct PlanSeal: Sendable, Hashable, Codable {
    /// Digest by part name (`stack`, `toolVersion`, `manifest`, `options`, `changes`, `change ADDRESS`).
    package var parts: [String: String]

    /// Computes the seal of `plan`.
    package init(of plan: Plan) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func digest(_ value: some Encodable) throws -> String { ContentDigest.sha256(try encoder.encode(value)) }
        var parts: [String: String] = [
            "stack": try digest(plan.stack),
            "toolVersion": try digest(plan.toolVersion),
            "manifest": try digest([plan.manifestDigest] + plan.manifestFiles),
            "options": try digest(PlanOptionsDigest(destroy: plan.destroy, targets: plan.targets)),
            "changes": try digest(plan.changes.map(\.address)),
            "missingTools": try digest(plan.missingTools),
            "secrets": try digest(plan.secrets.sorted()),
            "outputReferences": try digest(plan.outputReferences),
        ]
        for change in plan.changes { parts["change \(change.address)"] = try digest(change) }
        self.parts = parts
    }

    private struct PlanOptionsDigest: Encodable {
        var destroy: Bool
        var targets: [Address]
    }

    /// The names of the parts that differ between this seal and `other`, sorted.
    package func differences(from other: PlanSeal) -> [String] {
        Set(parts.keys).union(other.parts.keys).filter { parts[$0] != other.parts[$0] }.sorted()
    }
}
