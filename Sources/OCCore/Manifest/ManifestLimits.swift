/// The bounds that keep loading a manifest finite, whatever its text says.
///
/// A YAML alias repeats its anchored node at every use, and a variable may repeat other variables, so a
/// few lines can describe gigabytes (an "alias bomb"). Each limit ends the load with a located error
/// instead; none of them is reached by a manifest written by hand (docs/manifest.md, "Limits").
package enum ManifestLimits {
    /// The deepest nesting of lists and mappings, aliases counted as the nesting they expand to.
    package static let maximumDepth = 256
    /// How many nodes aliases may add to a file beyond the ones written in it.
    package static let maximumAliasNodes = 100_000
    /// How many bytes of scalar text aliases may add to a file beyond the ones written in it.
    package static let maximumAliasBytes = 16 * 1024 * 1024
    /// The largest string that `${…}` interpolation (of a value or a variable) may produce.
    package static let maximumInterpolatedBytes = 1024 * 1024
    /// How many bytes interpolation may add across a whole manifest.
    package static let maximumInterpolatedTotalBytes = 64 * 1024 * 1024
    /// The largest local input file (manifest, plan, template, source, env file) that is read.
    package static let maximumFileBytes = 64 * 1024 * 1024
    /// How many duplicate keys of one file are found and reported (each costs a new parse of the file).
    package static let maximumDuplicateKeys = 100
}
