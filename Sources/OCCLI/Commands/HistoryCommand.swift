import ArgumentParser
import Foundation
import OCCore

/// `ocplan history`: the applies of a stack.
package struct HistoryCommand: OCCommand {
    package static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the applies of a stack, oldest first.")

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup package var global: GlobalOptions

    @Option(help: ArgumentHelp("The stack (default: the manifest's).", valueName: "name"))
    var stack: String?

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    package init() {}

    package func run(_ session: Session) async throws -> Outcome {
        let name: String
        if let stack {
            name = stack
        } else {
            name = try await session.load(self.manifest, detect: false).stack
        }
        let journal = try StateJournal(stack: name, stateDirectory: session.stateDirectory)
        let records = await journal.history()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            for record in records {
                session.out(String(decoding: try encoder.encode(record), as: UTF8.self) + "\n")
            }
            return .success
        }
        guard !records.isEmpty else {
            session.out("No applies recorded for stack \"\(name)\" (state: \(journal.directory)).\n")
            return .success
        }
        let formatter = ISO8601DateFormatter()
        for record in records {
            let counts = record.applied.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                .joined(separator: ", ")
            let status = record.succeeded ? session.style.green("ok") : session.style.red("failed")
            var line =
                "\(formatter.string(from: record.startedAt))  \(status)  \(String(format: "%.1fs", record.duration))"
                + "  \(record.user)  \(counts.isEmpty ? "no changes" : counts)"
            if !record.failed.isEmpty {
                line += "  failed: " + record.failed.map(\.description).joined(separator: ", ")
            }
            session.out(line + "\n")
        }
        return .success
    }
}
