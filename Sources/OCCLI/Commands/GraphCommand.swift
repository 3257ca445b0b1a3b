import ArgumentParser
import OCCore

/// `ocplan graph`: the dependency graph in DOT.
package struct GraphCommand: OCCommand {
    package static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the dependency graph in Graphviz DOT (arrows point at what a resource waits for).",
        discussion: "Example: ocplan graph manifests/openclaw-private | dot -Tsvg > graph.svg")

    @OptionGroup var manifest: ManifestOptions
    @OptionGroup package var global: GlobalOptions

    package init() {}

    package func run(_ session: Session) async throws -> Outcome {
        let manifest = try await session.load(self.manifest, detect: false)
        session.out(manifest.graph.dot(name: manifest.stack))
        return .success
    }
}
