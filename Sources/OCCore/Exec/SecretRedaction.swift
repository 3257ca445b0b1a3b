import Foundation

/// Removes known secret values from text a tool printed before it reaches a message (the core of
/// `OCExec.Redaction`, here so that the engine can clean observation errors too).
public enum SecretRedaction {
    /// What a secret is replaced with, matching ``Command/redactedArgv``.
    public static let placeholder = "(sensitive)"

    /// Replaces every occurrence of every secret in `text` with ``placeholder``, longer secrets first (so a
    /// secret that contains another is removed whole); empty strings are ignored.
    public static func redact(_ text: String, secrets: some Sequence<String>) -> String {
        let ordered = Set(secrets).filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        var cleaned = text
        for secret in ordered where cleaned.contains(secret) {
            cleaned = cleaned.replacingOccurrences(of: secret, with: placeholder)
        }
        return cleaned
    }

    /// `result` with the secrets removed from its standard output and standard error (bytes that are not UTF-8
    /// are replaced when a secret is present).
    public static func redact(_ result: CommandResult, secrets: some Sequence<String>) -> CommandResult {
        let present = Array(Set(secrets).filter { !$0.isEmpty })
        guard !present.isEmpty else { return result }
        var cleaned = result
        if present.contains(where: result.stdoutText.contains) {
            cleaned.stdout = Data(redact(result.stdoutText, secrets: present).utf8)
        }
        if present.contains(where: result.stderrText.contains) {
            cleaned.stderr = Data(redact(result.stderrText, secrets: present).utf8)
        }
        return cleaned
    }
}
