import Foundation

/// Sizes as Podman reads them (`512m`, `2G`, `1.5GiB`): binary multiples, case-insensitive units.
enum ByteSizeText {
    /// The number of bytes `text` stands for, or `nil` when it is not a size.
    ///
    /// Accepts a decimal number, an optional unit `b`, `k`, `m`, `g`, `t` or `p` (optionally followed by
    /// `i` and/or `b`), as Podman's `RAMInBytes` does.
    static func bytes(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, number.first != ".", number.last != ".", number.filter({ $0 == "." }).count <= 1,
            let value = Double(number)
        else { return nil }
        var unit = trimmed.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
        if unit.hasSuffix("b") { unit.removeLast() }
        if unit.hasSuffix("i") { unit.removeLast() }
        let exponents: [String: Double] = ["": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5]
        guard let exponent = exponents[unit] else { return nil }
        var multiplier = 1.0
        for _ in 0..<Int(exponent) { multiplier *= 1024 }
        let bytes = value * multiplier
        guard bytes < Double(Int64.max) else { return nil }
        return Int64(bytes)
    }
}
