/// A port or an inclusive range of ports, as written in a port publication (`8080`, `8000-8010`).
package struct PortRange: Sendable, Hashable, CustomStringConvertible {
    /// The first port.
    package var lower: Int
    /// The last port (equal to ``lower`` for a single port).
    package var upper: Int

    /// Creates a range; a single port when `upper` is omitted.
    package init(_ lower: Int, _ upper: Int? = nil) {
        self.lower = lower
        self.upper = upper ?? lower
    }

    /// Parses `8080` or `8000-8010`; `nil` when `text` is neither.
    package init?(parsing text: some StringProtocol) {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count),
            bounds.allSatisfy({ (1...9).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let lower = Int(bounds[0]), let upper = Int(bounds[bounds.count - 1])
        else { return nil }
        self.init(lower, upper)
    }

    /// How many ports the range holds (0 when reversed).
    package var count: Int { max(0, upper - lower + 1) }

    /// Whether both ends are valid port numbers and in order.
    package var isValid: Bool { (1...65_535).contains(lower) && (1...65_535).contains(upper) && lower <= upper }

    /// Whether the two ranges share a port.
    package func overlaps(_ other: PortRange) -> Bool { lower <= other.upper && other.lower <= upper }

    /// `8080` or `8000-8010`.
    package var description: String { lower == upper ? String(lower) : "\(lower)-\(upper)" }
}
