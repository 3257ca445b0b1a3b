/// A resource's address: `SECTION.NAME`, for example `containers.openclaw`.
public struct Address: Sendable, Hashable, Codable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The manifest section (`containers`).
    public var section: String
    /// The resource name within the section (`openclaw`).
    public var name: String

    /// Creates an address.
    public init(_ section: String, _ name: String) {
        self.section = section
        self.name = name
    }

    /// Parses `SECTION.NAME`; the name may itself contain dots.
    public init?(parsing text: String) {
        guard let dot = text.firstIndex(of: "."), dot != text.startIndex, text.index(after: dot) != text.endIndex
        else { return nil }
        self.init(String(text[..<dot]), String(text[text.index(after: dot)...]))
    }

    public init(stringLiteral value: String) {
        self = Address(parsing: value) ?? Address(value, "")
    }

    public var description: String { name.isEmpty ? section : "\(section).\(name)" }

    public static func < (lhs: Address, rhs: Address) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Address(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad address"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
