/// The version printed by `--version`.
package enum OCVersion {
    /// The current version.
    package static let current = "0.1.0"
}
