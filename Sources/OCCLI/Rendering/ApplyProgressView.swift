import Foundation
import OCCore
import Synchronization

/// Prints apply progress: a line when an action starts, "still …" every 10 seconds, and when it ends.
package final class ApplyProgressView: ApplyObserver, Sendable {
    private let style: Style
    private let write: @Sendable (String) -> Void
    private let running = Mutex<[Address: ContinuousClock.Instant]>([:])
    private let secrets: Set<String>

    /// Creates a view that writes lines through `write`.
    package init(style: Style, secrets: Set<String> = [], write: @escaping @Sendable (String) -> Void) {
        self.style = style
        self.secrets = secrets
        self.write = write
    }

    private func verb(_ change: Change) -> (String, String) {
        if change.restarts {
            return change.action == .noop ? ("Restarting", "Restart") : ("Modifying", "Modifications")
        }
        if change.forgets { return ("Forgetting", "Forget (left in place)") }
        switch change.action {
        case .create: return ("Creating", "Creation")
        case .update: return ("Modifying", "Modifications")
        case .replace: return ("Replacing", "Replacement")
        case .delete: return ("Destroying", "Destruction")
        case .noop: return ("Checking", "Check")
        }
    }

    package func handle(_ event: ApplyEvent) async {
        switch event {
        case .started(let change):
            running.withLock { $0[change.address] = ContinuousClock.now }
            write("\(style.bold(change.address.description)): \(verb(change).0)… (on \(change.host.name))")
        case .finished(let change, let elapsed, let error):
            running.withLock { _ = $0.removeValue(forKey: change.address) }
            let seconds = Self.format(elapsed)
            if let error {
                write(
                    style.red("\(change.address): \(verb(change).1) failed after \(seconds): ") + redact(error))
            } else {
                write("\(style.bold(change.address.description)): \(verb(change).1) complete after \(seconds)")
            }
        case .skipped(let change, let because):
            write(style.yellow("\(change.address): skipped because \(because) failed"))
        }
    }

    /// Prints "still …" lines for actions running longer than `after`.
    package func tick(after: Duration = .seconds(10)) {
        let now = ContinuousClock.now
        let slow = running.withLock { $0.filter { now - $0.value >= after } }
        for (address, start) in slow.sorted(by: { $0.key < $1.key }) {
            write(style.dim("\(address): still working… [\(Self.format(now - start)) elapsed]"))
        }
    }

    private func redact(_ text: String) -> String { HumanPlanRenderer.visible(text, secrets) }

    static func format(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds < 10 ? String(format: "%.1fs", seconds) : "\(Int(seconds.rounded()))s"
    }
}
