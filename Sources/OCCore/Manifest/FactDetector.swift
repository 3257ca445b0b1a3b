import Foundation

/// Finds facts about a host at plan time (`{ detect: default-route }`).
package protocol FactDetector: Sendable {
    /// Returns the fact's value on `host`.
    ///
    /// - Throws: when the fact cannot be found (no default route, command failed).
    func detect(_ fact: String, on host: Host) async throws -> String
}
