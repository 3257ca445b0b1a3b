/// Container image references qualified the way container CLIs store them (`nginx` →
/// `docker.io/library/nginx:latest`): the one rule both container providers, and the fakes of their tools,
/// follow.
package enum ImageName {
    /// Whether the first path component of `reference` names a registry: there is more than one component
    /// and the first has a `.` or a `:` or is `localhost` (`ghcr.io/x/y`, `localhost/img`).
    package static func namesRegistry(_ reference: String) -> Bool {
        let components = reference.split(separator: "/", omittingEmptySubsequences: false)
        guard components.count > 1, let first = components.first else { return false }
        return first.contains(".") || first.contains(":") || first == "localhost"
    }

    /// `reference` with its registry and tag made explicit: `docker.io/library/` for a one-component name,
    /// `docker.io/` for a path without a registry, `:latest` when there is neither a tag nor a digest.
    package static func qualified(_ reference: String) -> String {
        var name = reference
        var suffix = ":latest"
        if let at = name.firstIndex(of: "@") {
            suffix = String(name[at...])
            name = String(name[..<at])
        } else if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") {
            suffix = String(name[colon...])
            name = String(name[..<colon])
        }
        if !name.contains("/") {
            name = "docker.io/library/" + name
        } else if !namesRegistry(name) {
            name = "docker.io/" + name
        }
        return name + suffix
    }
}
