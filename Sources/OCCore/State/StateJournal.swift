import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the stack last applied to one resource.
package struct JournalEntry: Sendable, Hashable, Codable {
    /// The provider that manages it.
    package var provider: String
    /// The host it lives on (kept so a resource removed from the manifest can still be deleted).
    package var host: Host
    /// The desired tree that was applied.
    package var applied: Value
    /// What was observed right after the apply.
    package var observed: Value?
    /// Data the provider keeps between runs (for example a sysctl's value before the first apply).
    package var privateState: Value?
    /// What it depended on (deletes run in reverse of this).
    package var dependencies: [Address]
    /// When it was last applied.
    package var appliedAt: Date
    /// The paths of ``applied`` and ``observed`` that hold secrets (kept so that a rotated or removed secret's
    /// old value stays hidden).
    package var sensitivePaths: SensitivePaths?
    /// Whether this entry is an intent written before the change ran (see ``Provider/intent(for:context:)``)
    /// and not yet confirmed by a finished apply: the change may have been done in part, or not at all.
    package var pending: Bool?
    /// The values the resource published after the apply (see ``ResourceSpec/outputs``).
    package var outputs: Value?
    /// The `restartOn` triggers whose change this resource has not yet been restarted for: written before an apply
    /// that restarts it starts, cleared when the restart is done, so that a failed or killed apply restarts it
    /// on the next run (see Provider+Restart.swift).
    package var restartPending: [Address]?
    /// The attributes that still differed when the last apply of this resource read it back.
    ///
    /// The action failed as "did not converge"; the next plan names that as the cause. Cleared by the next apply
    /// that converges.
    package var notConverged: [String]?

    /// Creates an entry.
    package init(
        provider: String,
        host: Host,
        applied: Value,
        observed: Value?,
        privateState: Value?,
        dependencies: [Address],
        appliedAt: Date = Date(),
        sensitivePaths: SensitivePaths? = nil,
        pending: Bool? = nil,
        outputs: Value? = nil
    ) {
        self.provider = provider
        self.host = host
        self.applied = applied
        self.observed = observed
        self.privateState = privateState
        self.dependencies = dependencies
        self.appliedAt = appliedAt
        self.sensitivePaths = sensitivePaths
        self.pending = pending
        self.outputs = outputs
    }
}

/// One finished apply, as listed by `ocplan history`.
package struct HistoryRecord: Sendable, Hashable, Codable {
    /// When the apply started.
    package var startedAt: Date
    /// How long it took, in seconds.
    package var duration: Double
    /// Who ran it (user name) and where (host name).
    package var user: String
    /// Counts of applied actions by kind.
    package var applied: [String: Int]
    /// Addresses whose action failed.
    package var failed: [Address]
    /// Addresses skipped because a dependency failed.
    package var skipped: [Address]
    /// Whether every resource converged.
    package var succeeded: Bool

    /// Creates a record.
    package init(
        startedAt: Date, duration: Double, user: String, applied: [String: Int], failed: [Address],
        skipped: [Address], succeeded: Bool
    ) {
        self.startedAt = startedAt
        self.duration = duration
        self.user = user
        self.applied = applied
        self.failed = failed
        self.skipped = skipped
        self.succeeded = succeeded
    }
}

/// The local record of what one stack applied: a JSON file written atomically after every action, and
/// an append-only history.
///
/// Layout: `<stateDirectory>/<stack>/state.json`, `history.jsonl`, `lock`.
package actor StateJournal {
    private struct File: Codable {
        var formatVersion = 1
        var stack: String
        var serial: Int
        var resources: [String: JournalEntry]
    }

    /// The stack.
    package nonisolated let stack: String
    /// The directory holding this stack's files.
    package nonisolated let directory: String
    /// The state directory holding every stack's folder.
    private nonisolated let stateDirectory: String
    private var file: File

    /// Opens (or starts) the journal of `stack` under `stateDirectory`.
    ///
    /// - Throws: when an existing state file cannot be read.
    package init(stack: String, stateDirectory: String) throws {
        self.stack = stack
        self.stateDirectory = stateDirectory
        self.directory = URL(fileURLWithPath: stateDirectory).appendingPathComponent(stack).path
        // Folders made by older versions (0755) are tightened as soon as they are seen.
        if FileManager.default.fileExists(atPath: directory) { try Self.makePrivate(stateDirectory, directory) }
        let path = URL(fileURLWithPath: directory).appendingPathComponent("state.json").path
        if let data = FileManager.default.contents(atPath: path) {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            do {
                file = try decoder.decode(File.self, from: data)
            } catch {
                throw OCError(
                    .internalError,
                    "state file '\(path)' is damaged; restore it from a backup or move it away to start afresh "
                        + "(resources the stack created will then be reported as unmanaged)", cause: error)
            }
        } else {
            file = File(stack: stack, serial: 0, resources: [:])
        }
    }

    /// The path of the state file.
    package nonisolated var statePath: String {
        URL(fileURLWithPath: directory).appendingPathComponent("state.json").path
    }
    /// The path of the history file.
    package nonisolated var historyPath: String {
        URL(fileURLWithPath: directory).appendingPathComponent("history.jsonl").path
    }

    /// Every entry by address.
    package var entries: [Address: JournalEntry] {
        var out: [Address: JournalEntry] = [:]
        for (key, value) in file.resources {
            if let address = Address(parsing: key) { out[address] = value } else { out[Address(key, "")] = value }
        }
        return out
    }

    /// The entry for `address`.
    package func entry(_ address: Address) -> JournalEntry? { file.resources[address.description] }

    /// The number of writes so far.
    package var serial: Int { file.serial }

    /// Records an applied resource and saves.
    package func record(_ address: Address, _ entry: JournalEntry) throws {
        file.resources[address.description] = entry
        try save()
    }

    /// Forgets a deleted resource and saves.
    package func remove(_ address: Address) throws {
        guard file.resources.removeValue(forKey: address.description) != nil else { return }
        try save()
    }

    private func save() throws {
        file.serial += 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try Self.makePrivate(stateDirectory, directory)
        try AtomicFile.write(try encoder.encode(file), to: statePath, permissions: 0o600)
    }

    /// Appends a record to the history.
    package func appendHistory(_ record: HistoryRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var line = try encoder.encode(record)
        line.append(0x0A)
        try Self.makePrivate(stateDirectory, directory)
        // Appended in place (O_APPEND), never through a symlink planted at its name.
        let fd = open(historyPath, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 {
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            try handle.write(contentsOf: line)
        } else if errno == ENOENT {
            try AtomicFile.write(line, to: historyPath, permissions: 0o600)
        } else {
            throw OCError(.internalError, "cannot append to '\(historyPath)': \(String(cString: strerror(errno)))")
        }
    }

    /// Creates the state directory and the stack's folder with mode 0700, or tightens them to it.
    static func makePrivate(_ folders: String...) throws {
        for folder in folders { try AtomicFile.ensurePrivateDirectory(folder) }
    }

    /// The history, oldest first.
    package func history() -> [HistoryRecord] {
        guard let data = FileManager.default.contents(atPath: historyPath) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(HistoryRecord.self, from: Data($0)) }
    }

    /// The default state directory: `$OCPLAN_STATE_DIR`, else `$XDG_STATE_HOME/ocplan`, else
    /// `~/.local/state/ocplan`.
    package static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String
    {
        if let explicit = environment["OCPLAN_STATE_DIR"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("ocplan").path
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/state/ocplan").path
    }
}
