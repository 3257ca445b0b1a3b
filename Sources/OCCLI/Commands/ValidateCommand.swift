import ArgumentParser
import OCCore

/// `ocplan validate`: check the manifest without touching any host.
package struct ValidateCommand: OCCommand {
    package static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a manifest without touching any host.",
        discussion: """
            Reports every error at once with file:line:column and the key path: unknown keys (with a \
            suggestion), wrong types, invalid CIDRs, ports and sysctl keys, dangling references, \
            dependency cycles, duplicate names across files. Values found on hosts \
            ({ detect: default-route }) and secrets from the environment (${env:NAME}) are not needed. \
            Exit 0 when valid, 1 otherwise.
            """)

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup package var global: GlobalOptions

    package init() {}

    package func run(_ session: Session) async throws -> Outcome {
        let manifest = try await session.load(self.manifest, detect: false)
        let unplannable = Set(manifest.resources.map(\.address.section)).filter {
            session.registry.provider(for: $0) == nil
        }
        var line =
            session.style.green("Valid:")
            + " stack \"\(manifest.stack)\", \(manifest.resources.count) resources in \(manifest.files.count) "
            + "file\(manifest.files.count == 1 ? "" : "s")."
        if !unplannable.isEmpty {
            line +=
                "\nNote: these sections validate but have no provider yet, so ocplan cannot plan them: "
                + unplannable.sorted().joined(separator: ", ") + "."
        }
        session.out(line + "\n")
        return .success
    }
}
