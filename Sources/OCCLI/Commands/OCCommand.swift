import ArgumentParser
import OCCore

/// The template every `ocplan` and `ocapply` command follows (SwiftPM's `AsyncSwiftCommand` shape).
///
/// A command implements ``run(_:)`` with the run's ``Session``; the template's `run()` builds the session
/// and is the one place where how a command ended becomes an exit status:
///
/// | how it ended | status |
/// | --- | --- |
/// | ``Outcome/success`` | 0 |
/// | ``Outcome/changesPresent`` (`ocplan --detailed-exitcode`) | 2 |
/// | ``ReportedFailure`` (diagnostics or a failed apply, already printed) | 1 |
/// | any other error (operational: ``OCError``, a file that cannot be written): printed once, escaped | 1 |
/// | `ValidationError` (a usage error): ArgumentParser's message with the usage | 64 |
///
/// ``Entry`` prints ArgumentParser's messages (usage errors, help, version) with control characters escaped.
///
/// Flags are checked in `validate()`, which ArgumentParser runs before `run()`, so a malformed value exits
/// 64 before anything touches a machine.
package protocol OCCommand: AsyncParsableCommand {
    /// The options every command takes (`--no-color`, `--debug`, `--state-dir`).
    var global: GlobalOptions { get }

    /// Does the command's work.
    ///
    /// - Parameter session: the run's streams, style, runners and manifest → engine wiring.
    /// - Returns: How the command ended when it did not fail.
    /// - Throws: ``ReportedFailure`` when the cause is already printed; an operational error to print; a
    ///   `ValidationError` for a usage error.
    func run(_ session: Session) async throws -> Outcome
}

/// How a command ended when it did not fail.
package enum Outcome: Sendable, Equatable {
    /// Exit 0.
    case success
    /// Exit 2: the plan has changes and `--detailed-exitcode` asked to say so.
    case changesPresent
}

/// The command failed and has already said why (diagnostics, a failed or cancelled apply): exit 1, nothing more
/// printed.
package struct ReportedFailure: Error, Sendable {
    /// Creates the failure.
    package init() {}
}

extension OCCommand {
    /// Builds the session, runs the command and maps how it ended to the exit status (see ``OCCommand``).
    package func run() async throws {
        let session = Session(global)
        let outcome: Outcome
        do {
            outcome = try await run(session)
        } catch {
            throw ExitStatus.error(for: error, session.printError)
        }
        if let status = ExitStatus.code(for: outcome) { throw status }
    }
}

/// The one mapping from how a command ended to what ArgumentParser ends the process with.
package enum ExitStatus {
    /// The exit code for an outcome, or `nil` for a plain success (exit 0).
    ///
    /// - Parameter outcome: how the command ended.
    /// - Returns: `ExitCode(2)` for ``Outcome/changesPresent``, `nil` for ``Outcome/success``.
    package static func code(for outcome: Outcome) -> ExitCode? {
        switch outcome {
        case .success: nil
        case .changesPresent: ExitCode(2)
        }
    }

    /// The error to end with for `error`, printing it first when it is operational.
    ///
    /// - Parameters:
    ///   - error: what the command threw.
    ///   - print: prints an operational error (once, with control characters escaped).
    /// - Returns: `error` itself when ArgumentParser handles it (a `ValidationError`: usage and 64; an
    ///   `ExitCode` or `CleanExit`); otherwise `ExitCode.failure` (1), after `print` for errors not yet shown.
    package static func error(for error: any Error, _ print: (any Error) -> Void) -> any Error {
        switch error {
        case is ValidationError, is ExitCode, is CleanExit:
            return error
        case is ReportedFailure:
            return ExitCode.failure
        default:
            print(error)
            return ExitCode.failure
        }
    }
}
