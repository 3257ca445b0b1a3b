import OCCore

/// Sizes as Multipass reads them for `--memory` and `--disk`: bytes, or a decimal with `K`, `M` or `G`
/// (optionally followed by `B` or `iB`), binary multiples.
enum MultipassSize {
    /// The number of bytes `text` stands for, or `nil` when Multipass would reject it.
    static func bytes(_ text: String) -> Int64? {
        guard let number = Formats.leadingDecimal(Substring(text.uppercased())) else { return nil }
        var unit = number.rest
        if unit.hasSuffix("IB") {
            unit = unit.dropLast(2)
            guard !unit.isEmpty else { return nil }
        } else if unit.hasSuffix("B") {
            unit = unit.dropLast()
        }
        let exponents: [Substring: Int] = ["": 0, "K": 1, "M": 2, "G": 3]
        guard let exponent = exponents[unit] else { return nil }
        return Formats.binaryMultiple(number.value, exponent: exponent)
    }
}
