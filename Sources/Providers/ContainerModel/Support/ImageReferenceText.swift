import OCCore

/// Checks on image references (`docker.io/ubuntu/squid:6.6`, `localhost/busybox:test`, `name@sha256:…`).
enum ImageReferenceText {
    /// Why `reference` is not a valid image reference, or `nil` when it is.
    static func problem(_ reference: String) -> String? {
        if reference.isEmpty { return "is empty" }
        if Formats.hasControlCharacter(reference) { return "contains a control character" }
        if reference.contains(where: \.isWhitespace) { return "contains white space" }
        // `podman create --privileged …`: a leading '-' would be read as an option, not as the image.
        if reference.hasPrefix("-") { return "starts with '-', which the container tool would read as an option" }
        var name = Substring(reference)
        if let at = name.firstIndex(of: "@") {
            let digest = name[name.index(after: at)...]
            guard digest.contains(":") else { return "has a digest without an algorithm (`sha256:…`)" }
            name = name[..<at]
        }
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") {
            let tag = name[name.index(after: colon)...]
            guard (1...128).contains(tag.count),
                tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
            else { return "has an invalid tag `\(tag)`" }
            name = name[..<colon]
        }
        var components = name.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            components.removeFirst()
        }
        guard !components.isEmpty, components.allSatisfy({ !$0.isEmpty }) else { return "has an empty path component" }
        for component in components {
            guard component.first?.isLetter == true || component.first?.isNumber == true else {
                return "has a repository path component that does not start with a letter or digit"
            }
            guard component.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "_.-".contains($0)) }) else {
                return "has a repository path with characters other than lower-case letters, digits, '.', '_' and '-'"
            }
        }
        return nil
    }
}
