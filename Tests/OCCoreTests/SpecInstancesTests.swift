import Foundation
import OCCore
import OCTestSupport
import Testing

/// A spec that splits one declaration into parts (as Headscale's users, keys and policy will): each part an
/// instance `bundles.NAME[PART]` that waits for the part before it.
struct BundleSpec: ResourceSpec {
    static let section = "bundles"
    static let schema = ObjectSchema(
        "Parts applied in order (tests only)",
        fields: [FieldSchema("parts", .strings, required: true, doc: "The parts, each after the one before.")])
    var parts: [String]

    func instances() -> [SpecInstance] {
        parts.enumerated().map { index, part in
            SpecInstance(key: part, host: "local", dependsOn: index == 0 ? [] : [parts[index - 1]])
        }
    }
}

@Suite struct SpecInstancesTests {
    @Test func aSpecSplitIntoPartsIsOneInstancePerPartWithItsOwnDependencies() async throws {
        let dir = try TempDirectory()
        try dir.write(
            """
            version: 1
            stack: lab
            bundles:
              hs: { parts: [users, keys, policy] }
            things:
              reader: { value: x, dependsOn: [bundles.hs] }
              one: { value: y, dependsOn: ["bundles.hs[keys]"] }

            """, to: "stack.yaml")
        let (manifest, diagnostics) = await ManifestLoader(catalog: SpecCatalog([BundleSpec.self, ThingSpec.self]))
            .load([dir.path])
        let m = try #require(manifest, "\(diagnostics.items)")
        let parts = m.resources.map(\.address).filter { $0.section == "bundles" }
        #expect(parts.map(\.description) == ["bundles.hs[users]", "bundles.hs[keys]", "bundles.hs[policy]"])
        #expect(m.graph.dependencies(of: "bundles.hs[keys]") == ["bundles.hs[users]"])
        #expect(m.graph.dependencies(of: "bundles.hs[policy]") == ["bundles.hs[keys]"])
        #expect(m.graph.dependencies(of: "things.reader") == Set(parts), "a declaration's dependents wait for all")
        #expect(m.graph.dependencies(of: "things.one") == ["bundles.hs[keys]"], "or for the one instance named")
        #expect(m.graph.topologicalOrder().filter { $0.section == "bundles" } == parts)
    }

    @Test func dependsOnAnUnknownInstanceIsALocatedErrorWithASuggestion() async throws {
        let dir = try TempDirectory()
        try dir.write(
            "version: 1\nstack: lab\nbundles:\n  hs: { parts: [users, keys] }\nthings:\n"
                + "  one: { value: y, dependsOn: [\"bundles.hs[key]\"] }\n", to: "stack.yaml")
        let (manifest, diagnostics) = await ManifestLoader(catalog: SpecCatalog([BundleSpec.self, ThingSpec.self]))
            .load([dir.path])
        #expect(manifest == nil)
        let error = try #require(diagnostics.errors.first)
        #expect(error.summary.hasPrefix("dependsOn names undeclared resource 'bundles.hs[key]'"), "\(error.summary)")
        #expect(error.summary.contains("bundles.hs[keys]"))
        #expect(error.location?.line == 6)
    }
}
