import Foundation
import OCCLI
import OCCore
import Testing

/// One source of truth per key: what each field's schema documents (`update: in-place` or `replace`) is what its
/// provider does with it (``ResourceSchema/forcesReplace(_:)``), for every key the examples' desired trees hold.
@Suite struct SchemaUpdateAgreementTests {
    static let examples = [
        "linux-lab", "files", "sysctl", "iptables-audit", "pf-nat", "podman-network", "egress-proxy",
    ]

    @Test func everyDocumentedUpdateModeIsWhatTheProviderDoes() async throws {
        var checked = 0
        var disagreements: [String] = []
        for name in Self.examples {
            let directory = repositoryRoot.appendingPathComponent("examples/\(name)").path
            let loader = ManifestLoader(
                catalog: StandardProviders.catalog, environment: ["OCPLAN_EXAMPLE_TOKEN": "x"],
                requireEnvironment: false)
            let (manifest, diagnostics) = await loader.load([directory])
            let m = try #require(manifest, "\(name): \(diagnostics.items)")
            for declaration in m.resources {
                guard let provider = StandardProviders.registry.provider(for: declaration),
                    let host = m.hosts[declaration.host],
                    let type = StandardProviders.catalog.types[declaration.address.section]
                else { continue }
                // A template that reads the environment cannot be rendered here; its keys are covered elsewhere.
                guard
                    let desired = try? provider.desiredState(
                        of: declaration,
                        context: DesiredStateContext(stack: m.stack, host: host, variables: m.variables))
                else { continue }
                let schema = provider.schema(for: declaration.address.section)
                for field in type.schema.fields {
                    guard let update = field.update, desired.mapValue?[field.name] != nil else { continue }
                    checked += 1
                    let replaces = schema.forcesReplace(ValuePath(field.name))
                    if replaces != (update == .replace) {
                        disagreements.append(
                            "\(declaration.address.section).\(field.name): documented \(update.rawValue), provider "
                                + (replaces ? "replaces" : "changes it in place"))
                    }
                }
            }
        }
        #expect(checked > 20, "the examples cover the keys")
        #expect(Set(disagreements).sorted() == [])
    }

    /// The engine moves a resource whose `host` changed as a replace across hosts, so every section documents
    /// `host` as replace.
    @Test func hostIsAReplaceEverywhere() {
        for (section, type) in StandardProviders.catalog.types {
            guard let host = type.schema.field("host") else { continue }
            #expect(
                host.update == .replace, "\(section).host is documented \(host.update?.rawValue ?? "without a mode")")
        }
    }
}
