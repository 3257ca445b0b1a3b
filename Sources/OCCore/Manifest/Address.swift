/// A resource instance's address: `SECTION.NAME`, or `SECTION.NAME[KEY]` for one instance of a declaration that
/// expands into several (one per host of `hosts: [a, b]`, or the parts a provider splits it into).
///
/// As terraform separates a resource from a resource instance: `trust.openclaw-ca` is the declaration,
/// `trust.openclaw-ca[oc-exit]` its instance on host `oc-exit`.
package struct Address: Sendable, Hashable, Codable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The manifest section (`containers`).
    package var section: String
    /// The resource name within the section (`openclaw`).
    package var name: String
    /// The instance key (`oc-exit`), or `nil` for a declaration with one instance.
    package var key: String?

    /// Creates an address.
    package init(_ section: String, _ name: String, key: String? = nil) {
        self.section = section
        self.name = name
        self.key = key
    }

    /// Parses `SECTION.NAME` or `SECTION.NAME[KEY]`; the name may itself contain dots.
    ///
    /// Refuses spaces, control characters and brackets outside the one trailing key.
    package init?(parsing text: String) {
        var body = Substring(text)
        var key: String?
        if body.hasSuffix("]"), let open = body.lastIndex(of: "[") {
            let inner = body[body.index(after: open)..<body.index(before: body.endIndex)]
            guard !inner.isEmpty else { return nil }
            key = String(inner)
            body = body[..<open]
        }
        guard let dot = body.firstIndex(of: "."), dot != body.startIndex, body.index(after: dot) != body.endIndex
        else { return nil }
        let parts = [body, Substring(key ?? "")]
        guard parts.allSatisfy({ !$0.unicodeScalars.contains(where: Self.isForbidden) }) else { return nil }
        self.init(String(body[..<dot]), String(body[body.index(after: dot)...]), key: key)
    }

    private static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value <= 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "[" || scalar == "]"
    }

    package init(stringLiteral value: String) {
        self = Address(parsing: value) ?? Address(value, "")
    }

    /// The declaration this instance belongs to (the address without its key).
    package var resource: Address { key == nil ? self : Address(section, name) }

    /// This declaration's instance `key`.
    package func instance(_ key: String) -> Address { Address(section, name, key: key) }

    package var description: String {
        let base = name.isEmpty ? section : "\(section).\(name)"
        return key.map { "\(base)[\($0)]" } ?? base
    }

    package static func < (lhs: Address, rhs: Address) -> Bool { lhs.description < rhs.description }

    package init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Address(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad address"))
        }
        self = parsed
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
