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
            let commands = root.configuration.subcommands.map { $0._commandName }
            if let problem = unknownCommand(Array(CommandLine.arguments.dropFirst()), commands: commands) {
                throw ValidationError(problem)
            }
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

    /// Why the first argument is an unknown command, or `nil`.
    ///
    /// A root command with a default subcommand (`ocplan` plans) reads a first word that names no subcommand as a
    /// manifest path, so a mistyped `ocplan valdiate` would run a plan of `./valdiate`. A first word that is not
    /// an option, not a subcommand, not an existing path and does not look like one (no `/` or `.`) is an
    /// unknown command instead, with the closest subcommand as a suggestion.
    ///
    /// - Parameters:
    ///   - arguments: the command-line arguments after the program name.
    ///   - commands: the root's subcommand names (none: every word is an argument).
    /// - Returns: the message of the usage error, or `nil` when the first word is no unknown command.
    static func unknownCommand(_ arguments: [String], commands: [String]) -> String? {
        guard !commands.isEmpty, let word = arguments.first, !word.hasPrefix("-"), !commands.contains(word),
            word != "help", !word.contains("/"), !word.contains("."), !FileManager.default.fileExists(atPath: word)
        else { return nil }
        let hint = NearMiss.suggestion(for: word, among: commands).map { " — did you mean '\($0)'?" } ?? "."
        return "Unknown command '\(word)'\(hint) Commands: \(commands.joined(separator: ", ")). To plan a manifest, "
            + "pass an existing file or folder."
    }
}
