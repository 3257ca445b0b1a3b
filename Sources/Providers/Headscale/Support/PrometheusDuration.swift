import OCCore

extension Formats.DurationSyntax {
    /// Durations as Headscale reads them for key expirations (Prometheus syntax: `90d`, `24h`, `1h30m`; whole
    /// numbers only).
    static let prometheus = Formats.DurationSyntax(
        units: [
            ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400), ("w", 604_800), ("y", 31_536_000),
        ],
        allowsFractions: false, allowsBareZero: false)
}
