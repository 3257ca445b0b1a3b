import OCCore
import OCTestSupport

/// Loads manifest files written into a temporary directory with the test catalog.
func load(
    _ files: [String: String],
    environment: [String: String] = [:],
    detector: (any FactDetector)? = nil
) async throws -> (Manifest?, Diagnostics, TempDirectory) {
    let dir = try TempDirectory()
    for (name, text) in files { try dir.write(text, to: name) }
    let loader = ManifestLoader(catalog: SpecCatalog([ThingSpec.self]), environment: environment)
    let (manifest, diagnostics) = await loader.load([dir.path], detector: detector)
    return (manifest, diagnostics, dir)
}

/// A detector that answers from a table.
struct TableDetector: FactDetector {
    var answers: [String: String]
    func detect(_ fact: String, on host: Host) async throws -> String {
        guard let answer = answers["\(fact)@\(host.name)"] else {
            throw OCError(.notFound, "no \(fact) on \(host.name)")
        }
        return answer
    }
}
