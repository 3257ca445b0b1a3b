/// Generated manifests of any size, for tests that must simply complete and for profiling by hand.
///
/// `scripts/large-manifest` writes the same shape with the `files:` section for the real binaries; this
/// one uses the `things:` section of ``InMemoryProvider`` so unit tests need no tool.
package enum LargeManifest {
    /// How the resources depend on each other.
    package enum Links: Sendable {
        /// No `dependsOn`.
        case none
        /// Each resource depends on the next one: a chain as long as the manifest.
        case chain
        /// A chain whose last resource depends on the first again: one cycle through every resource.
        case cycle
    }

    /// The name of resource `index` (`r000042`).
    package static func name(_ index: Int) -> String {
        let digits = String(index)
        return "r" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// A manifest of `count` `things:` resources, each with a value that uses a variable.
    ///
    /// - Parameters:
    ///   - count: how many resources.
    ///   - links: how they depend on each other.
    /// - Returns: the YAML text (about 90 bytes per resource).
    package static func things(_ count: Int, links: Links = .none) -> String {
        var lines = ["version: 1", "stack: large", "vars:", "  greeting: hello from a generated manifest", "things:"]
        lines.reserveCapacity(count * 4 + 5)
        for index in 0..<count {
            lines.append("  \(name(index)):")
            lines.append("    value: \"${greeting}, thing \(index) of \(count)\"")
            lines.append("    tags: [generated, \"n\(index % 10)\"]")
            let linked = links == .cycle || (links == .chain && index + 1 < count)
            if linked { lines.append("    dependsOn: [things.\(name((index + 1) % count))]") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
