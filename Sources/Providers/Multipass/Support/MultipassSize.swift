/// Sizes as Multipass reads them for `--memory` and `--disk`: bytes, or a decimal with `K`, `M` or `G`
/// (optionally followed by `B` or `iB`), binary multiples.
enum MultipassSize {
    /// The number of bytes `text` stands for, or `nil` when Multipass would reject it.
    static func bytes(_ text: String) -> Int64? {
        let upper = text.uppercased()
        let number = upper.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, number.first != ".", number.last != ".", number.filter({ $0 == "." }).count <= 1,
            let value = Double(number)
        else { return nil }
        var unit = Substring(upper.dropFirst(number.count))
        if unit.hasSuffix("IB") {
            unit = unit.dropLast(2)
            guard !unit.isEmpty else { return nil }
        } else if unit.hasSuffix("B") {
            unit = unit.dropLast()
        }
        let exponents: [Substring: Int] = ["": 0, "K": 1, "M": 2, "G": 3]
        guard let exponent = exponents[unit] else { return nil }
        var multiplier = 1.0
        for _ in 0..<exponent { multiplier *= 1_024 }
        return Int64(value * multiplier)
    }
}
