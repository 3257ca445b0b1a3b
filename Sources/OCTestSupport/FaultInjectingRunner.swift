import Foundation
import OCCore

/// A runner that answers the commands a test picks with a fault.
///
/// It wraps another runner (a stateful fake, a scripted runner, real commands) and answers with a fault instead: a
/// tool that prints garbage, exits non-zero, hangs until its timeout, or reports
/// success without doing anything. Every other command goes to the wrapped runner.
///
/// ```swift
/// let runner = FaultInjectingRunner(fake, .garbage("\u{1B}[31mnot json\n"), when: { $0.program == "container" })
/// let noop = FaultInjectingRunner(fake, .noEffect, when: \.mutating)
/// ```
package struct FaultInjectingRunner: CommandRunner {
    /// What a faulty command does.
    package enum Fault: Sendable, CustomStringConvertible {
        /// Exits 0 printing `stdout`, which is not the tool's format.
        case garbage(String)
        /// Exits with `status`, printing `stderr` (ssh's 255 for an unreachable host, 1 for permission denied).
        case exits(Int32, stderr: String)
        /// Runs past its timeout: throws ``CommandFailure`` with `.timedOut`, as the real runner does (no waiting).
        case hangs
        /// Exits 0 and prints nothing, without passing the command on: a tool that does nothing.
        case noEffect

        package var description: String {
            switch self {
            case .garbage: return "prints garbage"
            case .exits(let status, _): return "exits \(status)"
            case .hangs: return "hangs"
            case .noEffect: return "does nothing"
            }
        }
    }

    /// The runner that answers the other commands.
    package let base: any CommandRunner
    /// The fault.
    package let fault: Fault
    /// Which commands get the fault.
    package let applies: @Sendable (Command) -> Bool

    /// Creates a runner that answers the commands `applies` accepts with `fault`.
    package init(_ base: any CommandRunner, _ fault: Fault, when applies: @escaping @Sendable (Command) -> Bool) {
        self.base = base
        self.fault = fault
        self.applies = applies
    }

    package func run(_ command: Command) async throws -> CommandResult {
        guard applies(command) else { return try await base.run(command) }
        switch fault {
        case .garbage(let text): return CommandResult(exitStatus: 0, stdout: text)
        case .exits(let status, let stderr): return CommandResult(exitStatus: status, stdout: "", stderr: stderr)
        case .hangs: throw CommandFailure(host: "", command: command, reason: .timedOut)
        case .noEffect: return CommandResult(exitStatus: 0)
        }
    }
}
