import Foundation
import OCCLI
import OCCore
import Testing

@Suite struct DocsTests {
    static let begin = "<!-- BEGIN GENERATED REFERENCE: ocplan schema --markdown -->"
    static let end = "<!-- END GENERATED REFERENCE -->"

    /// docs/manifest.md carries the reference generated from the schemas, so every key is documented.
    @Test func theManifestReferenceIsCurrent() throws {
        let url = repositoryRoot.appendingPathComponent("docs/manifest.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let generated = SchemaExport.markdown(StandardProviders.catalog)
        let start = try #require(text.range(of: Self.begin), "docs/manifest.md lacks the generated-reference markers")
        let stop = try #require(text.range(of: Self.end))
        let current = String(text[start.upperBound..<stop.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        if ProcessInfo.processInfo.environment["OC_RECORD_GOLDEN"] == "1" {
            let updated = text[..<start.upperBound] + "\n\n" + generated + "\n" + text[stop.lowerBound...]
            try String(updated).write(to: url, atomically: true, encoding: .utf8)
            Issue.record("recorded docs/manifest.md; run again without OC_RECORD_GOLDEN")
            return
        }
        #expect(
            current == generated.trimmingCharacters(in: .whitespacesAndNewlines),
            "docs/manifest.md is out of date: run OC_RECORD_GOLDEN=1 swift test --filter DocsTests")
    }

    /// docs/ocplan.schema.json (the editors' schema the examples point at) matches `ocplan schema`.
    @Test func theCommittedJSONSchemaIsCurrent() throws {
        let url = repositoryRoot.appendingPathComponent("docs/ocplan.schema.json")
        let generated = try SchemaCommand.render(markdown: false)
        if ProcessInfo.processInfo.environment["OC_RECORD_GOLDEN"] == "1" {
            try generated.write(to: url, atomically: true, encoding: .utf8)
            Issue.record("recorded docs/ocplan.schema.json; run again without OC_RECORD_GOLDEN")
            return
        }
        #expect(
            try String(contentsOf: url, encoding: .utf8) == generated,
            "docs/ocplan.schema.json is out of date: run OC_RECORD_GOLDEN=1 swift test --filter DocsTests")
    }

    @Test func everySectionAndKeyIsInTheReference() {
        let generated = SchemaExport.markdown(StandardProviders.catalog)
        for (section, type) in StandardProviders.catalog.types {
            #expect(generated.contains("## `\(section)`"))
            for field in type.schema.fields {
                #expect(generated.contains("`\(field.name)`"), "\(section).\(field.name) is undocumented")
            }
        }
    }
}
