import Foundation
import OCCore

/// Parses what `sysctl KEY…` prints on Linux (procps) and macOS.
///
/// Linux prints `key = value` lines (multi-value keys separate the parts with tabs); an unknown key
/// prints `sysctl: cannot stat /proc/sys/a/b: No such file or directory` on standard error and makes the
/// exit status 1, while the known keys are still printed. macOS prints `key: value` and reports
/// `sysctl: unknown oid 'a.b'` on standard error.
package enum SysctlObservation {
    /// The value as compared: surrounding whitespace trimmed, inner runs of spaces and tabs made one space.
    ///
    /// - Parameter value: a value as written or printed.
    /// - Returns: the canonical form.
    package static func normalize(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline }).joined(separator: " ")
    }

    /// The values printed by `sysctl KEY…` on `os`, by key, normalised; `nil` when a line does not have the OS's
    /// `key = value` (Linux) or `key: value` (macOS) shape (the output is not sysctl's, and is never read as "no
    /// such key").
    ///
    /// The first line for a key wins.
    ///
    /// - Parameters:
    ///   - output: standard output of `sysctl`.
    ///   - os: the host's operating system.
    /// - Returns: normalised values by key, or `nil` for output that is not sysctl's.
    package static func parse(_ output: String, os: OCCore.Host.OS) -> [String: String]? {
        let separator = os == .linux ? " =" : ":"
        var values: [String: String] = [:]
        for line in output.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            guard let range = line.range(of: separator) else { return nil }
            let key = line[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, !key.contains(" "), !key.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
                return nil
            }
            if values[key] == nil { values[key] = normalize(String(line[range.upperBound...])) }
        }
        return values
    }

    /// Whether `sysctl`'s complaint about a key says the key does not exist (Linux `cannot stat /proc/sys/…: No
    /// such file or directory`, macOS `unknown oid`), rather than that it cannot be read (`permission denied`).
    package static func saysMissing(_ complaint: String) -> Bool {
        complaint.contains("No such file or directory") || complaint.contains("unknown oid")
    }

    /// The line of `sysctl`'s standard error that concerns `key`, if any.
    ///
    /// Linux names the key as a `/proc/sys` path (`/proc/sys/net/ipv4/nope`), macOS as the dotted key.
    ///
    /// - Parameters:
    ///   - key: the dotted key.
    ///   - stderr: standard error of `sysctl`.
    /// - Returns: the trimmed line.
    package static func complaint(about key: String, in stderr: String) -> String? {
        let path = "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
        return stderr.split(whereSeparator: \.isNewline).first { line in
            line.hasSuffix(path) || line.contains(path + ":") || line.contains("'\(key)'")
                || line.contains("\"\(key)\"")
        }.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
