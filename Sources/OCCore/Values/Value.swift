import Foundation

/// A node of an attribute tree: the canonical shape providers map desired and observed state to.
///
/// The engine diffs two trees generically; a provider's ``ResourceSchema`` says what the paths mean.
package indirect enum Value: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case list([Value])
    case map([String: Value])

    /// The string payload, if this is a string.
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
    /// The integer payload, if this is an int.
    package var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }
    /// The boolean payload, if this is a bool.
    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
    /// The elements, if this is a list.
    package var listValue: [Value]? {
        if case .list(let l) = self { return l }
        return nil
    }
    /// The entries, if this is a map.
    package var mapValue: [String: Value]? {
        if case .map(let m) = self { return m }
        return nil
    }
    /// Whether this is `.null`.
    package var isNull: Bool { self == .null }

    /// The child at `key` of a map (`.null` when absent or not a map).
    package subscript(key: String) -> Value {
        get { mapValue?[key] ?? .null }
        set {
            var map = mapValue ?? [:]
            map[key] = newValue
            self = .map(map)
        }
    }

    /// The value at a path, or `nil` when the path does not exist.
    package func value(at path: ValuePath) -> Value? {
        var current = self
        for component in path.components {
            switch (component, current) {
            case (.key(let k), .map(let m)):
                guard let next = m[k] else { return nil }
                current = next
            case (.index(let i), .list(let l)):
                guard l.indices.contains(i) else { return nil }
                current = l[i]
            default: return nil
            }
        }
        return current
    }

    /// A compact, stable rendering (maps sorted by key), as shown in plans.
    package var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .string(let s): return Value.quote(s)
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m):
            return "{" + m.keys.sorted().map { "\($0) = \(m[$0]?.description ?? "null")" }.joined(separator: ", ")
                + "}"
        }
    }

    /// Quotes a string as JSON does.
    package static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: - Codable as plain JSON

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int.self) {
            self = .int(i)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let l = try? container.decode([Value].self) {
            self = .list(l)
        } else {
            self = .map(try container.decode([String: Value].self))
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .int(let i): try container.encode(i)
        case .string(let s): try container.encode(s)
        case .list(let l): try container.encode(l)
        case .map(let m): try container.encode(m)
        }
    }

    /// A canonical JSON encoding (sorted keys), used for hashes and fingerprints.
    package var canonicalJSON: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .int(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: Value...) { self = .list(elements) }
    package init(dictionaryLiteral elements: (String, Value)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    package init(nilLiteral: ()) { self = .null }
}

extension Value {
    /// A string value, or `.null` for `nil`.
    package static func string(_ s: String?) -> Value { s.map { .string($0) } ?? .null }
    /// A list of strings.
    package static func strings(_ items: [String]) -> Value { .list(items.map { .string($0) }) }
}
