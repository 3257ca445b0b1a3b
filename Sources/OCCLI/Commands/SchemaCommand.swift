import ArgumentParser
import Foundation
import OCCore

/// `ocplan schema`: the JSON Schema of manifests, for editors.
package struct SchemaCommand: OCCommand {
    package static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of manifests (for yaml-language-server and other editors).",
        discussion: """
            Save it and point your editor at it, e.g. first line of a manifest:
              # yaml-language-server: $schema=./ocplan.schema.json
            With --markdown, prints the manifest reference (the generated part of docs/manifest.md).
            """)

    @Flag(help: "Print the Markdown reference of every section and key instead.")
    var markdown = false

    /// Accepted for the template, not shown: the schema needs no colour, log or state.
    @OptionGroup(visibility: .private) package var global: GlobalOptions

    package init() {}

    package func run(_ session: Session) async throws -> Outcome {
        session.out(try Self.render(markdown: markdown))
        return .success
    }

    /// The JSON Schema, or with `markdown` the Markdown reference, of the standard catalog.
    package static func render(markdown: Bool) throws -> String {
        let catalog = StandardProviders.catalog
        if markdown { return SchemaExport.markdown(catalog) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(SchemaExport.jsonSchema(catalog)), as: UTF8.self) + "\n"
    }
}
