import Foundation
import OCCore

/// Sizes as Podman reads them (`512m`, `2G`, `1.5GiB`): binary multiples, case-insensitive units.
enum ByteSizeText {
    /// The number of bytes `text` stands for, or `nil` when it is not a size.
    ///
    /// Accepts a decimal number, an optional unit `b`, `k`, `m`, `g`, `t` or `p` (optionally followed by
    /// `i` and/or `b`), as Podman's `RAMInBytes` does.
    static func bytes(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let number = Formats.leadingDecimal(Substring(trimmed)) else { return nil }
        var unit = number.rest.trimmingCharacters(in: .whitespaces)
        if unit.hasSuffix("b") { unit.removeLast() }
        if unit.hasSuffix("i") { unit.removeLast() }
        let exponents: [String: Int] = ["": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5]
        guard let exponent = exponents[unit] else { return nil }
        return Formats.binaryMultiple(number.value, exponent: exponent)
    }
}
