import OCContainerModel
import OCCore

/// Matches an image reference as a manifest writes it against the names Podman lists.
///
/// `podman images --format json` lists fully qualified names (`docker.io/library/alpine:3.20`,
/// `localhost/ocplan-busybox:test`) and digests; a manifest may write short forms (`alpine`, `ubuntu/squid:6.6`,
/// `ocplan-busybox:test`). Podman resolves a short name against local images first, so the candidates are the
/// reference as written, with `:latest` added when it has no tag, under `docker.io` (and `docker.io/library`
/// for one-component names) and under `localhost`.
enum ImageReference {
    /// The names that `reference` may be listed as, most specific first.
    static func candidates(_ reference: String) -> [String] {
        if reference.contains("@") { return [reference] }
        let tagged = hasTag(reference) ? reference : reference + ":latest"
        var names = [reference, tagged]
        if !ImageName.namesRegistry(tagged) {
            names.append(ImageName.qualified(tagged))
            names.append("localhost/" + tagged)
        }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// Whether the last path component has a `:tag`.
    static func hasTag(_ reference: String) -> Bool {
        let last = reference.split(separator: "/").last ?? ""
        return last.contains(":")
    }

    /// The ID of the image `reference` names among `images`, or `nil` when none matches.
    static func resolve(_ reference: String, in images: [PodmanJSON.ImageListEntry]) -> PodmanJSON.ImageListEntry? {
        if reference.contains("@") {
            return images.first { $0.repoDigests?.contains(reference) == true || $0.names?.contains(reference) == true }
        }
        for candidate in candidates(reference) {
            if let match = images.first(where: { $0.names?.contains(candidate) == true }) { return match }
        }
        // An image ID (or its prefix) is a reference too.
        if reference.count >= 12, reference.allSatisfy(\.isHexDigit) {
            return images.first { $0.id.hasPrefix(reference) }
        }
        return nil
    }
}
