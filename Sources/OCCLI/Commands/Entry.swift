import ArgumentParser
import Foundation
import OCCore

/// Entry points for the thin executables.
package enum Entry {
    /// Runs `ocplan` with the process arguments and ends the process.
    package static func ocplan() async { await main(OCPlanCommand.self) }

    /// Runs `ocapply` with the process arguments and ends the process.
    package static func ocapply() async { await main(ApplyCommand.self) }

    /// Parses the process arguments as `root`, runs the command chosen and ends the process.
    ///
    /// ArgumentParser's own `main()` does the same, but prints its messages as they are, and they quote what
    /// was typed (`Unknown option '--x…'`). Here every message that ends a run, from parsing or from a command
    /// (``OCCommand`` maps the command's errors first), is printed with control characters escaped: help and
    /// version on standard output with status 0, everything else on standard error with ArgumentParser's
    /// status (64 for a usage error).
    ///
    /// - Parameter root: the root command type.
    static func main<Root: ParsableCommand>(_ root: Root.Type) async -> Never {
        do {
            var command = try root.parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            exit(ExitCode.success.rawValue)
        } catch {
            let status = root.exitCode(for: error)
            let message = root.fullMessage(for: error)
            if !message.isEmpty {
                if status == .success {
                    StandardStreams.out(message + "\n")
                } else {
                    StandardStreams.err(DisplayText.escapingControlCharacters(message, keepNewlines: true) + "\n")
                }
            }
            exit(status.rawValue)
        }
    }
}
