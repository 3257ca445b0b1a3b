import OCCore

/// What is known about sysctl key names on each OS: syntax, top-level prefixes and equivalent keys.
package enum SysctlKeys {
    /// The top-level names of Linux's `/proc/sys` tree.
    package static let linuxPrefixes: Set<String> = [
        "abi", "crypto", "debug", "dev", "fs", "kernel", "net", "sunrpc", "user", "vm",
    ]
    /// The top-level names of the macOS (XNU) sysctl tree.
    package static let macosPrefixes: Set<String> = [
        "kern", "vm", "vfs", "net", "debug", "hw", "machdep", "user", "security",
    ]

    /// Keys that mean the same on both systems, as (Linux, macOS) pairs.
    package static let equivalents: [(linux: String, macos: String)] = [
        ("net.ipv4.ip_forward", "net.inet.ip.forwarding"),
        ("net.ipv6.conf.all.forwarding", "net.inet6.ip6.forwarding"),
        ("net.core.somaxconn", "kern.ipc.somaxconn"),
        ("fs.file-max", "kern.maxfiles"),
        ("kernel.hostname", "kern.hostname"),
    ]

    /// Keys that name one and the same kernel setting: writing one changes the other (checked on Linux 6.1:
    /// `net.ipv4.ip_forward` is stored in `net.ipv4.conf.all.forwarding`).
    package static let aliases: [Set<String>] = [
        ["net.ipv4.ip_forward", "net.ipv4.conf.all.forwarding"]
    ]

    /// Whether `a` and `b` are the same setting (equal, or aliases of each other).
    package static func sameSetting(_ a: String, _ b: String) -> Bool {
        a == b || aliases.contains { $0.contains(a) && $0.contains(b) }
    }

    /// Subtrees under `net` that exist on one system only.
    private static let linuxOnlyNet = [
        "net.ipv4.", "net.ipv6.", "net.core.", "net.netfilter.", "net.bridge.",
        "net.unix.",
    ]
    private static let macosOnlyNet = ["net.inet.", "net.inet6.", "net.link.", "net.local.", "net.routetable."]

    /// Why `key` is not a well-formed sysctl key, or `nil`.
    ///
    /// Keys are dotted names of letters, digits, `_` and `-` (no spaces, no `=`, no `/`).
    ///
    /// - Parameter key: the key as written in the manifest.
    /// - Returns: a sentence saying what is wrong and how to write it.
    package static func syntaxProblem(_ key: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        if key.isEmpty { return "Give the key in dotted form, e.g. net.ipv4.ip_forward." }
        if let bad = key.first(where: { !allowed.contains($0) }) {
            let shown = bad == " " ? "a space" : bad == "\t" ? "a tab" : "'\(bad)'"
            return "A key may hold letters, digits, '_', '-' and '.', not \(shown). Write the value under value:, "
                + "e.g. key: net.ipv4.ip_forward and value: \"1\"."
        }
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count < 2 || parts.contains(where: \.isEmpty) {
            return "A key is two or more names joined by single dots, e.g. net.ipv4.ip_forward."
        }
        return nil
    }

    /// Why `key` cannot exist on `os`, with the key to use instead when one is known, or `nil`.
    ///
    /// - Parameters:
    ///   - key: a syntactically valid key.
    ///   - os: the host's operating system.
    /// - Returns: a sentence naming the problem and the fix.
    package static func problem(_ key: String, on os: Host.OS) -> String? {
        let other: Host.OS = os == .linux ? .macos : .linux
        let name = displayName(os)
        if let equivalent = equivalent(of: key, from: other, to: os) {
            return "'\(key)' is a \(displayName(other)) key. On \(name) the same setting is '\(equivalent)': "
                + "write key: \(equivalent)."
        }
        let ownOnly = os == .linux ? linuxOnlyNet : macosOnlyNet
        let otherOnly = os == .linux ? macosOnlyNet : linuxOnlyNet
        if let prefix = otherOnly.first(where: { key.hasPrefix($0) }), !ownOnly.contains(where: { key.hasPrefix($0) }) {
            return "Keys under '\(prefix.dropLast())' exist on \(displayName(other)) only. \(name) keys under net "
                + "start with " + ownOnly.map { "'\($0.dropLast())'" }.joined(separator: ", ") + "."
        }
        let top = key.split(separator: ".").first.map(String.init) ?? key
        let known = os == .linux ? linuxPrefixes : macosPrefixes
        guard !known.contains(top) else { return nil }
        let elsewhere = (os == .linux ? macosPrefixes : linuxPrefixes).contains(top)
        return (elsewhere ? "'\(top)' is a \(displayName(other)) top-level name. " : "'\(top)' is not a sysctl tree. ")
            + "\(name) keys start with " + known.sorted().joined(separator: ", ") + "."
    }

    /// The key on `target` that means the same as `key` on `source`, if known.
    package static func equivalent(of key: String, from source: Host.OS, to target: Host.OS) -> String? {
        guard source != target else { return key }
        for pair in equivalents {
            switch (source, target) {
            case (.linux, .macos) where pair.linux == key: return pair.macos
            case (.macos, .linux) where pair.macos == key: return pair.linux
            default: continue
            }
        }
        return nil
    }

    /// The OS as written in messages.
    package static func displayName(_ os: Host.OS) -> String {
        switch os {
        case .linux: return "Linux"
        case .macos: return "macOS"
        }
    }
}
