/// A coding key for mappings whose keys are names the manifest chooses (network names, user names).
package struct DynamicCodingKey: CodingKey, Sendable, Hashable {
    /// The key as written.
    package var stringValue: String
    /// Always `nil`: these keys are names, never positions.
    package var intValue: Int? { nil }

    /// Creates a key for `string`.
    package init(_ string: String) { stringValue = string }
    /// Creates a key for `stringValue`; never fails.
    package init?(stringValue: String) { self.stringValue = stringValue }
    /// Always fails: these keys are names, never positions.
    package init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer {
    /// The value at `key`, or `defaultValue` when the key is absent or null.
    ///
    /// Specs decode omitted keys to the defaults their schema documents with this, so a spec's `init(from:)`
    /// reads as the list of its keys and defaults.
    ///
    /// - Throws: `DecodingError` when the value is present but is not a `T`.
    package func decode<T: Decodable>(_ key: Key, default defaultValue: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? defaultValue
    }
}
