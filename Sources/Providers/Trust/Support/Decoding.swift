extension KeyedDecodingContainer {
    /// The value at `key`, or `defaultValue` when the key is absent or null.
    func decode<T: Decodable>(_ key: Key, default defaultValue: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? defaultValue
    }
}
