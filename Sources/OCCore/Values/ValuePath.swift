/// A path into a ``Value`` tree, for example `env.HTTP_PROXY` or `ports[0]`.
package struct ValuePath: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// One step of a path.
    package enum Component: Sendable, Hashable, Codable {
        case key(String)
        case index(Int)
    }

    /// The steps from the root.
    package var components: [Component]

    /// Creates a path.
    package init(_ components: [Component] = []) { self.components = components }

    /// Parses `a.b[2].c` (keys may not contain dots or brackets in this form).
    package init(_ text: String) {
        var out: [Component] = []
        for part in text.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                let key = rest[..<bracket]
                if !key.isEmpty { out.append(.key(String(key))) }
                rest = rest[bracket...]
                while rest.first == "[", let close = rest.firstIndex(of: "]") {
                    if let i = Int(rest[rest.index(after: rest.startIndex)..<close]) { out.append(.index(i)) }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                out.append(.key(String(rest)))
            }
        }
        components = out
    }

    /// The root path.
    package static let root = ValuePath()

    /// This path extended by a key.
    package func appending(_ key: String) -> ValuePath { ValuePath(components + [.key(key)]) }
    /// This path extended by an index.
    package func appending(index: Int) -> ValuePath { ValuePath(components + [.index(index)]) }

    /// Whether `self` starts with `prefix`.
    package func hasPrefix(_ prefix: ValuePath) -> Bool {
        components.count >= prefix.components.count
            && Array(components.prefix(prefix.components.count)) == prefix.components
    }

    package var description: String {
        var out = ""
        for component in components {
            switch component {
            case .key(let k):
                let plain = k.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
                if plain {
                    out += out.isEmpty ? k : "." + k
                } else {
                    out += "[\(Value.quote(k))]"
                }
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    package static func < (lhs: ValuePath, rhs: ValuePath) -> Bool { lhs.description < rhs.description }

    package init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A path pattern for schemas: keys, `*` for any key or index, `**` for any remaining suffix.
package struct PathPattern: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The dotted pattern text, for example `networks.*.aliases` or `image`.
    package var text: String
    private var parts: [String] { text.split(separator: ".").map(String.init) }

    /// Creates a pattern.
    package init(_ text: String) { self.text = text }
    package init(stringLiteral value: String) { self.text = value }

    /// Whether `path` lies at or under what this pattern names.
    package func covers(_ path: ValuePath) -> Bool {
        let parts = self.parts
        if parts.isEmpty { return true }
        var i = 0
        for component in path.components {
            guard i < parts.count else { return true }
            let part = parts[i]
            if part == "**" { return true }
            switch component {
            case .key(let k): if part != "*" && part != k { return false }
            case .index: if part != "*" { return false }
            }
            i += 1
        }
        return i >= parts.count || parts[i...].allSatisfy { $0 == "**" }
    }

    /// Whether `path` is exactly what this pattern names (not a path under it).
    package func matches(_ path: ValuePath) -> Bool { covers(path) && path.components.count == parts.count }

    package var description: String { text }
}
