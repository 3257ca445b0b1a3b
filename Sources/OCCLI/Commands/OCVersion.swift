/// The version printed by `--version`.
public enum OCVersion {
    /// The current version.
    public static let current = "0.1.0"
}
