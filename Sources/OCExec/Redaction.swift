import Foundation
import OCCore

/// Removes secrets from text before it reaches a log or an error message.
///
/// ``Command/description`` already shows sensitive argv elements as `(sensitive)`. A tool may still
/// echo a secret back on standard error (`invalid key: tskey-…`), so output that goes into messages
/// is passed through ``redact(_:secrets:)`` with the command's sensitive values.
package enum Redaction {
    /// What a secret is replaced with, matching ``Command/redactedArgv``.
    package static let placeholder = DisplayText.placeholder

    /// Replaces every occurrence of every secret in `text` with ``placeholder``.
    ///
    /// Longer secrets are replaced first, so a secret that contains another is removed whole. Secrets shorter
    /// than ``DisplayText/minimumSearchLength`` are not searched for (they are redacted by their marks only).
    ///
    /// - Parameters:
    ///   - text: the text to clean.
    ///   - secrets: the values to remove.
    /// - Returns: `text` without any of the secrets.
    package static func redact(_ text: String, secrets: some Sequence<String>) -> String {
        DisplayText.redact(text, secrets: secrets)
    }

    /// The values of the argv elements that `command` marks as sensitive.
    ///
    /// - Parameter command: the command whose secrets are wanted.
    /// - Returns: the sensitive argv elements, in argv order.
    package static func secrets(of command: Command) -> [String] {
        command.argv.indices.filter { command.sensitiveArguments.contains($0) }.map { command.argv[$0] }
    }

    /// Returns `result` with the secrets removed from its standard output and standard error.
    ///
    /// - Parameters:
    ///   - result: the result to clean.
    ///   - secrets: the values to remove.
    /// - Returns: the cleaned result (bytes that are not UTF-8 are replaced when a secret is present).
    package static func redact(_ result: CommandResult, secrets: [String]) -> CommandResult {
        DisplayText.redact(result, secrets: secrets)
    }

    /// Returns `failure` with the secrets removed from the output it carries and from its reason.
    ///
    /// The failure's command is left as it is: its description is already redacted by index.
    ///
    /// - Parameters:
    ///   - failure: the failure to clean.
    ///   - secrets: the values to remove; defaults to the failure command's sensitive elements.
    /// - Returns: the cleaned failure.
    package static func redact(_ failure: CommandFailure, secrets: [String]? = nil) -> CommandFailure {
        let secrets = secrets ?? self.secrets(of: failure.command)
        var cleaned = failure
        cleaned.result = failure.result.map { redact($0, secrets: secrets) }
        if case .launchFailed(let why) = failure.reason {
            cleaned.reason = .launchFailed(redact(why, secrets: secrets))
        }
        return cleaned
    }
}
