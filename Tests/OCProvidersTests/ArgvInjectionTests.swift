import Foundation
import OCAppleContainer
import OCCLI
import OCCore
import OCExec
import OCFiles
import OCIPTables
import OCPacketFilter
import OCPodman
import OCSysctl
import OCTestSupport
import Testing

/// No manifest value can be read as an option: every argv builder of every provider and transport, fed values
/// that start with `-`, either puts them after a `--` or validation refuses them with a located error.
@Suite struct ArgvInjectionTests {
    /// One builder of one family.
    struct Entry: CustomTestStringConvertible, Sendable {
        var family: String
        var builder: ArgvBuilder
        var testDescription: String { "\(family): \(builder.name)" }
    }

    /// Every family's list of builders (kept beside the builders themselves).
    static let entries: [Entry] = [
        ("podman", PodmanCommands.argvBuilders), ("apple container", AppleContainerCommands.argvBuilders),
        ("files", FilesCommands.argvBuilders), ("sysctl", SysctlCommands.argvBuilders),
        ("iptables", IPTablesCommands.argvBuilders), ("pf", PFCommands.argvBuilders),
        ("host file", HostFile.argvBuilders), ("transport", Transport.argvBuilders),
    ].flatMap { family, builders in builders.map { Entry(family: family, builder: $0) } }

    /// Values seen in the issue: each would change what the tool does if read as an option.
    static let values = ["--privileged", "-oProxyCommand=touch pwned", "--reference=/etc/shadow", "-x"]

    @Test(arguments: entries)
    func optionLikeValuesAreAfterDoubleDashOrRefused(_ entry: Entry) async throws {
        for value in Self.values {
            let commands = entry.builder.build(value)
            #expect(!commands.isEmpty, "\(entry.testDescription) built no command")
            let exposed = commands.filter { command in
                let end = command.argv.firstIndex(of: "--") ?? command.argv.endIndex
                return command.argv[..<end].dropFirst().contains { $0.hasPrefix(value) }
            }
            guard !exposed.isEmpty else { continue }
            let manifest = try #require(
                entry.builder.manifest,
                "\(entry.testDescription): \(value) reaches argv before any `--` in \(exposed), and no manifest shows validation refusing it"
            )
            let diagnostics = try await Self.load(manifest, value)
            let errors = diagnostics.filter { $0.severity == .error }
            #expect(!errors.isEmpty, "\(entry.testDescription): a manifest with \(value) passes validation")
            #expect(errors.allSatisfy { $0.location != nil }, "\(entry.testDescription): \(errors) has no location")
        }
    }

    @Test(arguments: entries.filter { $0.builder.manifest != nil })
    func theManifestIsValidWithAnOrdinaryValue(_ entry: Entry) async throws {
        // Guards the test above: its manifests are refused for the value, not for being malformed.
        let manifest = try #require(entry.builder.manifest)
        var problems: [[String]] = []
        for value in ["ok1", "/tmp/ok1", "net.ipv4.ip_forward"] {
            let errors = try await Self.load(manifest, value).filter { $0.severity == .error }
            if errors.isEmpty { return }
            problems.append(errors.map(\.summary))
        }
        Issue.record("\(entry.testDescription): the manifest is refused even with an ordinary value: \(problems)")
    }

    static func load(_ sections: String, _ value: String) async throws -> [Diagnostic] {
        let directory = try TempDirectory()
        let text = "version: 1\nstack: t\n" + sections.replacingOccurrences(of: ArgvBuilder.placeholder, with: value)
        let file = try directory.write(text, to: "stack.yaml")
        // An ordinary value that names a local file (an env file, a template) names one that exists.
        if !value.hasPrefix("-"), !value.contains("/") { try directory.write("", to: value) }
        let (_, diagnostics) = await ManifestLoader(catalog: StandardProviders.catalog, environment: [:])
            .load([file.path])
        return Array(diagnostics)
    }
}
