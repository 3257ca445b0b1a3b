/// The declared shape of a manifest section's resources: the single source for key checking,
/// near-miss suggestions, type checks, reference resolution, the JSON Schema and the docs.
package struct ObjectSchema: Sendable {
    /// One line saying what the object is.
    package var doc: String
    /// The known keys.
    package var fields: [FieldSchema]
    /// The type of keys not listed in `fields`; `nil` means unknown keys are errors.
    package var additionalKeys: FieldType?

    /// Creates an object schema.
    package init(_ doc: String, fields: [FieldSchema], additionalKeys: FieldType? = nil) {
        self.doc = doc
        self.fields = fields
        self.additionalKeys = additionalKeys
    }

    /// The field named `name`.
    package func field(_ name: String) -> FieldSchema? { fields.first { $0.name == name } }
}

/// How a field reacts to a change of its value.
package enum UpdateMode: String, Sendable, Codable {
    /// Changed in place.
    case inPlace = "in-place"
    /// The resource is replaced (destroyed and created again).
    case replace
}

/// One key of an object.
package struct FieldSchema: Sendable {
    /// The key as written in YAML (lowerCamelCase).
    package var name: String
    /// The value's type.
    package var type: FieldType
    /// Whether the key must be present.
    package var required: Bool
    /// What the field means, in one or two sentences.
    package var doc: String
    /// The default when omitted, as text for the docs.
    package var defaultValue: String?
    /// In place or replace (for the docs; the provider's ``ResourceSchema`` is what the engine uses).
    package var update: UpdateMode?
    /// Whether values of this field are secrets.
    package var sensitive: Bool

    /// Creates a field.
    package init(
        _ name: String,
        _ type: FieldType,
        required: Bool = false,
        doc: String,
        default defaultValue: String? = nil,
        update: UpdateMode? = nil,
        sensitive: Bool = false
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.doc = doc
        self.defaultValue = defaultValue
        self.update = update
        self.sensitive = sensitive
    }
}

/// Formats a string is checked against, beyond being a string.
package enum StringFormat: String, Sendable, CaseIterable {
    /// An IPv4 or IPv6 CIDR block, `10.89.10.0/24`.
    case cidr
    /// An IPv4 or IPv6 address.
    case ipAddress
    /// A file mode in octal, `0644`.
    case fileMode
    /// A size with unit, `2G`, `512M`.
    case size
    /// A duration, `30s`, `5m`, `1h`.
    case duration
    /// A resource address, `containers.openclaw`.
    case address
    /// A port publication, `127.0.0.1:8080:8080/tcp`.
    case portMapping
    /// A URL with a scheme.
    case url
    /// A name handed to a tool as one argument (a user, a chain, a network, a key): not empty, no leading `-`,
    /// no control characters.
    case name
    /// A file path handed to a tool as one argument: not empty, no leading `-`, no control characters.
    case path
}

/// The type of a field's value.
package indirect enum FieldType: Sendable {
    /// Any scalar, read as a string (`1` and `true` are accepted as text).
    case string(StringFormat? = nil)
    /// An integer, optionally bounded.
    case integer(min: Int? = nil, max: Int? = nil)
    /// `true` or `false`.
    case boolean
    /// One of the listed strings.
    case enumeration([String])
    /// A sequence of elements.
    case list(FieldType)
    /// A mapping with free keys; `keysReference` names the section its keys refer to.
    case map(FieldType, keysReference: String? = nil)
    /// A nested object with known keys.
    case object(ObjectSchema)
    /// The first alternative that fits.
    case oneOf([FieldType])
    /// The name of a resource in the section (`networks`) or of a host (`hosts`).
    case reference(String)
    /// Anything (checked by the resource itself).
    case any

    /// A port number, 1–65535.
    package static let port = FieldType.integer(min: 1, max: 65_535)
    /// A list of strings.
    package static let strings = FieldType.list(.string())
    /// A string-to-string map (environment, labels).
    package static let stringMap = FieldType.map(.string())

    /// A short human name for messages and docs.
    package var displayName: String {
        switch self {
        case .string(let format?): return "string (\(format.rawValue))"
        case .string(nil): return "string"
        case .integer(let min, let max):
            if let min, let max { return "integer \(min)–\(max)" }
            return "integer"
        case .boolean: return "boolean"
        case .enumeration(let options): return "one of " + options.joined(separator: ", ")
        case .list(let element): return "list of \(element.displayName)"
        case .map(let value, let keys):
            return keys.map { "map of \($0) name to \(value.displayName)" } ?? "map of string to \(value.displayName)"
        case .object: return "object"
        case .oneOf(let options): return options.map(\.displayName).joined(separator: " or ")
        case .reference(let section): return section == "hosts" ? "host name" : "name of a \(section) resource"
        case .any: return "any"
        }
    }
}
