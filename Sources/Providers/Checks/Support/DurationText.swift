/// Durations in Go's syntax (`30s`, `1m30s`, `500ms`), the form the manifest uses everywhere.
enum DurationText {
    /// The number of seconds `text` stands for, or `nil` when it is not a Go duration.
    static func seconds(_ text: String) -> Double? {
        if text == "0" { return 0 }
        let units: [(String, Double)] = [
            ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3_600),
        ]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // Two-letter units come first in `units`, so `ms` is not read as minutes.
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            total += value * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        return total
    }
}
