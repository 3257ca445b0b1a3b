import Foundation
import OCCore

extension KeyedDecodingContainer {
    /// A number written as a YAML number or as a numeric string (`cpus: 1.5`, `cpus: "2"`).
    func decodeNumberIfPresent(_ key: Key) throws -> Double? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let number = try? decode(Double.self, forKey: key) { return number }
        let text = try decode(String.self, forKey: key)
        guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(text) is not a number")
        }
        return number
    }

    /// An argv written as a list, or as one string split into words the way compose splits it (``ShellWords``).
    func decodeArgvIfPresent(_ key: Key) throws -> [String]? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let words = try? decode([String].self, forKey: key) { return words }
        let line = try decode(String.self, forKey: key)
        do {
            return try ShellWords.split(line)
        } catch {
            let problem =
                switch error {
                case .unclosedQuote(let quote): "the quote \(quote) is not closed"
                case .trailingBackslash: "it ends with a backslash that escapes nothing"
                }
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self,
                debugDescription: "`\(line)` cannot be split into words: \(problem). Close it, or write a list")
        }
    }

    /// The entries of a mapping at `key` in the order they were written, each decoded by `body`.
    ///
    /// Keys whose value is null decode with `nil`. Returns `nil` when the value is not a mapping.
    func decodeOrderedMapIfPresent<T>(
        _ key: Key, body: (String, (any Decoder)?) throws -> T
    ) throws -> [T]? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        guard let map = try? nestedContainer(keyedBy: DynamicCodingKey.self, forKey: key) else { return nil }
        return try map.allKeys.map { entry in
            let valueDecoder: (any Decoder)? = try map.decodeNil(forKey: entry) ? nil : map.superDecoder(forKey: entry)
            return try body(entry.stringValue, valueDecoder)
        }
    }
}
