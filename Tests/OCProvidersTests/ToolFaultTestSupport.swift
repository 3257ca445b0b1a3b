import Foundation
import OCCore
import OCTestSupport
import Synchronization
import Testing

/// The faults every provider's observation is tested against, and the checks on what the plan then says.
enum ToolFaults {
    /// Not any tool's output: a terminal escape, a bell, and far more than a message may show.
    static let garbage = "\u{1B}[31mthis is not the tool's output\u{07}\n" + String(repeating: "garbage ", count: 60)
    /// How the escaped garbage starts in a message.
    static let escapedGarbage = "\\u{1B}[31mthis is not the tool's output\\u{7}\\n"
    /// ssh's answer for a host it cannot reach.
    static let unreachable = "ssh: connect to host 192.0.2.1 port 22: Connection timed out\r\n"

    /// A tool that prints garbage, an unreachable host (exit 255), and a tool that hangs until its timeout.
    static let observation: [FaultInjectingRunner.Fault] = [
        .garbage(garbage), .exits(255, stderr: unreachable), .hangs,
    ]

    /// Checks that planning under `fault` failed with an error that names `host`, `tool` and what the tool
    /// printed (escaped and cut short), or how long it was waited for.
    static func expectObservationError(
        _ plan: Plan?, _ diagnostics: Diagnostics, fault: FaultInjectingRunner.Fault, host: String, tool: String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        #expect(plan == nil, "no plan is made from a failed observation", sourceLocation: sourceLocation)
        let texts = diagnostics.errors.map { "\($0.summary)\n\($0.detail ?? "")" }
        let error = try #require(
            texts.first { $0.contains("'\(tool)'") }, "an error names the tool: \(texts)",
            sourceLocation: sourceLocation)
        #expect(error.contains(host), "names the host: \(error)", sourceLocation: sourceLocation)
        #expect(!error.contains("absent"), sourceLocation: sourceLocation)
        let raw = error.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" }
        #expect(raw.isEmpty, "control characters are escaped: \(error)", sourceLocation: sourceLocation)
        switch fault {
        case .garbage:
            #expect(error.contains(escapedGarbage), "shows the first bytes: \(error)", sourceLocation: sourceLocation)
            #expect(error.contains("garbage garb…"), "cut short: \(error)", sourceLocation: sourceLocation)
            #expect(
                !error.contains(String(repeating: "garbage ", count: 30)), "at most ~200 bytes",
                sourceLocation: sourceLocation)
        case .exits(let status, _):
            #expect(error.contains("exit status \(status)"), "\(error)", sourceLocation: sourceLocation)
            #expect(error.contains("Connection timed out\\r\\n"), "\(error)", sourceLocation: sourceLocation)
        case .hangs:
            #expect(error.contains("timed out after "), "\(error)", sourceLocation: sourceLocation)
        case .noEffect:
            break
        }
    }

    /// Checks that an apply whose tool did nothing failed for `address`, counted as failed and not as applied,
    /// that the progress said so, and that the journal still holds `journaled` (`nil`: no entry).
    static func expectFailedApply(
        _ report: ApplyReport, events: ApplyEvents, address: Address, journal: StateJournal,
        journaled: JournalEntry?, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async {
        #expect(report.failed.map(\.change.address) == [address], "\(report.failed)", sourceLocation: sourceLocation)
        #expect(report.applied.isEmpty, "not counted as applied", sourceLocation: sourceLocation)
        #expect(!report.succeeded, sourceLocation: sourceLocation)
        #expect(
            report.failed.first?.error.contains("reading it back") == true, "\(report.failed)",
            sourceLocation: sourceLocation)
        #expect(events.finished[address]?.contains("reading it back") == true, sourceLocation: sourceLocation)
        let entry = await journal.entries[address]
        if entry?.pending == true {
            // The intent journaled before the action, never confirmed: it keeps what the stack must not lose
            // (a setting's original value), and the next plan reads the resource as unfinished.
            if let original = journaled?.privateState?["original"], !original.isNull {
                #expect(entry?.privateState?["original"] == original, sourceLocation: sourceLocation)
            }
        } else {
            #expect(
                entry?.applied == journaled?.applied, "the journal keeps what it had", sourceLocation: sourceLocation)
            #expect(entry?.privateState == journaled?.privateState, sourceLocation: sourceLocation)
        }
    }
}

/// Records the error each finished action reported (`""` when it succeeded).
final class ApplyEvents: ApplyObserver, Sendable {
    private let state = Mutex<[Address: String]>([:])

    func handle(_ event: ApplyEvent) async {
        if case .finished(let change, _, let error) = event {
            state.withLock { $0[change.address] = error ?? "" }
        }
    }

    /// The error of each finished action.
    var finished: [Address: String] { state.withLock { $0 } }
}

/// A switch a test turns on when a fault should start.
final class FaultSwitch: Sendable {
    private let state = Mutex(false)
    /// Whether the fault is on.
    var isOn: Bool { state.withLock { $0 } }
    /// Turns the fault on or off.
    func set(_ on: Bool) { state.withLock { $0 = on } }
}

extension EngineHarness {
    /// Applies `plan`, recording the progress events.
    func apply(_ plan: Plan, events: ApplyEvents) async -> ApplyReport {
        await Applier(context: context, observer: events).apply(plan)
    }
}
