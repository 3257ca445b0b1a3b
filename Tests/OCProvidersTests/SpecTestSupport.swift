import OCCore

/// Helpers shared by the spec test suites of this target.
enum SpecTest {
    /// A validation context for `address` with the given other specs; `locate` finds nothing.
    static func context(
        _ address: Address,
        specs: [Address: any ResourceSpec] = [:],
        hosts: [String: Host] = ["local": .local]
    ) -> ValidationContext {
        ValidationContext(address: address, hosts: hosts, specs: specs, locate: { _ in nil })
    }

    /// The summaries of the diagnostics with `severity`.
    static func summaries(_ diagnostics: [Diagnostic], _ severity: Diagnostic.Severity) -> [String] {
        diagnostics.filter { $0.severity == severity }.map(\.summary)
    }
}
