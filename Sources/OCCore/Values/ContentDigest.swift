import Crypto
import Foundation

/// A SHA-256 digest computed incrementally, written as lower-case hex.
///
/// Providers use it for content hashes they store as ownership marks (a spec hash label, the hash of a
/// build context), so they need not depend on a crypto library themselves.
package struct ContentDigest: Sendable {
    private var hasher = SHA256()

    /// Creates an empty digest.
    package init() {}

    /// Adds bytes to the digest.
    ///
    /// - Parameter data: the bytes.
    package mutating func update(_ data: Data) { hasher.update(data: data) }

    /// Adds the UTF-8 bytes of a string to the digest.
    ///
    /// - Parameter text: the string.
    package mutating func update(_ text: String) { hasher.update(data: Data(text.utf8)) }

    /// The digest of everything added so far, as 64 lower-case hex digits.
    package func finalize() -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The SHA-256 of `data` as 64 lower-case hex digits.
    ///
    /// - Parameter data: the bytes.
    /// - Returns: the hex digest.
    package static func sha256(_ data: Data) -> String {
        var digest = ContentDigest()
        digest.update(data)
        return digest.finalize()
    }
}
